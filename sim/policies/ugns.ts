/**
 * `ugns`: the seed design this project replaces, modelled as it was deployed:
 * - A Lambda on a one-minute CloudWatch Events schedule computes `SchedulableContainers` (how many
 *   tasks of the largest container size fit on the ACTIVE instances) and publishes it. It lists the
 *   container instances, then calls DescribeContainerInstances once per instance (the API pattern
 *   that invites throttling, docs/design.md §4 F18; counted as such).
 * - Two CloudWatch alarms (1 datapoint of 1 minute, acting `ALARM_DELAY_SECONDS` after the
 *   datapoint: `cloudwatch-alarm.ts`): value ≤ shortage threshold → a simple scaling
 *   policy `PercentChangeInCapacity +25`; value ≥ excess threshold → `−25`, both with
 *   `MinAdjustmentMagnitude 1` and a 300 s cooldown (EC2 Auto Scaling User Guide, "Simple scaling
 *   policies": no other simple scaling activity starts until the cooldown ends; percentages are
 *   rounded down, magnitudes below 1 become 1; the group's min and max clamp the result).
 * - On scale-in Auto Scaling picks the victim (its termination policy), not the emptiest instance.
 * - A terminate lifecycle hook with a 60 s heartbeat timeout; a script on the instance sets it
 *   DRAINING and completes the hook once no non-daemon task is left, else the hook times out and
 *   whatever still runs is lost.
 * - No Spot handling: an interrupted instance dies with its tasks two minutes after the warning.
 */
import type { Resources } from '../../core/cluster';
import type { Config } from '../../core/config';
import type { Policy } from './policy';
import { ALARM_DELAY_SECONDS } from './cloudwatch-alarm';
import { pollDrain } from './drain-poll';
import type { SimWorld } from '../world/sim-world';
import { afterThrottle } from '../world/throttle';
import type { SimInstance } from '../world/world-types';

export const UGNS_COOLDOWN_SECONDS = 300;
export const UGNS_HOOK_SECONDS = 60;
export const UGNS_DRAIN_POLL_SECONDS = 10;

export function ugnsPolicy(config: Config, shape: Resources): Policy {
  let lastScalingAt = Number.NEGATIVE_INFINITY;

  const tick = (world: SimWorld): void => {
    const instances = world.ecsInstances();
    // ListContainerInstances, then DescribeContainerInstances once per instance: one ECS bucket
    // (sim/world/throttle.ts). Throttled reads hold the Lambda, so the metric and the alarm come later.
    const wait = Math.max(world.countApi(1, 'ListContainerInstances'), world.countApi(instances.length, 'DescribeContainerInstances'));
    afterThrottle(world, wait, 'ugns-tick', () => publish(world));
  };

  const publish = (world: SimWorld): void => {
    world.countApi(1, 'PutMetricData');
    const value = world.headroomOf(shape);
    world.schedule(world.now + ALARM_DELAY_SECONDS * 1000, 'ugns-alarm', () => alarm(world, value));
  };

  /** The alarm on the datapoint `value` invokes its simple scaling policy, unless the cooldown holds. */
  const alarm = (world: SimWorld, value: number): void => {
    if (world.now - lastScalingAt < UGNS_COOLDOWN_SECONDS * 1000) return;
    for (const g of world.groups) {
      let target = g.desired;
      if (value <= config.shortageThreshold) target = Math.min(g.max, g.desired + Math.max(1, Math.floor(g.desired * 0.25)));
      else if (value >= config.excessThreshold) target = Math.max(g.min, g.desired - Math.max(1, Math.floor(g.desired * 0.25)));
      if (target !== g.desired) {
        world.setDesired(g, target, 'ugns alarm');
        world.countApi(1, 'SetDesiredCapacity');
        lastScalingAt = world.now;
        return; // one alarm action per evaluation; the first group takes it
      }
    }
  };

  const drain = (world: SimWorld, i: SimInstance): void => pollDrain(world, i, { pollSeconds: UGNS_DRAIN_POLL_SECONDS, label: 'ugns-drain-poll', callsPerPoll: 1 });

  return {
    name: 'ugns',
    settings: { hook: { name: 'ugns-drain', heartbeatSeconds: UGNS_HOOK_SECONDS } },
    start(world) {
      for (let t = world.now + 60_000; t < world.end; t += 60_000) world.schedule(t, 'ugns-tick', () => tick(world));
    },
    onLifecycleHook(world, i) {
      const wait = world.countApi(1, 'UpdateContainerInstancesState'); // DRAINING
      afterThrottle(world, wait, 'ugns-drain', () => {
        if (i.lifecycle !== 'Terminating:Wait') return;
        world.setEcsStatus(i, 'DRAINING', 'ugns on-instance drain');
        drain(world, i);
      });
    },
  };
}
