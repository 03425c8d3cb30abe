/**
 * The drain both baselines run on a terminating instance (ugns' on-instance script, ECS managed
 * draining): poll until no non-daemon task is left that is not STOPPED, then complete the lifecycle
 * action. Polls that cost an API call (ugns lists the instance's tasks) say so in `callsPerPoll`;
 * such a poll draws on the account's ECS bucket and, when throttled, answers after the wait.
 */
import type { SimWorld } from '../world/sim-world';
import { afterThrottle } from '../world/throttle';
import type { SimInstance } from '../world/world-types';

export interface DrainPoll {
  readonly pollSeconds: number;
  /** Event label in the world's queue. */
  readonly label: string;
  /** API calls each poll makes (0 when ECS polls on the customer's behalf for free). */
  readonly callsPerPoll: number;
}

export function pollDrain(world: SimWorld, i: SimInstance, poll: DrainPoll): void {
  if (i.lifecycle !== 'Terminating:Wait') return;
  // A throttled ListTasks answers once the account's bucket admits it (sim/world/throttle.ts).
  const wait = poll.callsPerPoll > 0 ? world.countApi(poll.callsPerPoll, 'ListTasks') : 0;
  afterThrottle(world, wait, poll.label, () => checkDrained(world, i, poll));
}

function checkDrained(world: SimWorld, i: SimInstance, poll: DrainPoll): void {
  if (i.lifecycle !== 'Terminating:Wait') return;
  const left = [...i.tasks.values()].filter((t) => t.role !== 'daemon' && t.status !== 'STOPPED').length;
  if (left === 0) {
    world.countApi(1, 'CompleteLifecycleAction');
    world.completeLifecycle(i.id);
    return;
  }
  world.schedule(world.now + poll.pollSeconds * 1000, poll.label, () => pollDrain(world, i, poll));
}
