/**
 * Rule: the result's `reactivations` ("drains reversed") counts every DRAINING → ACTIVE change of a
 * container instance, and nothing else: a repeated status or a first DRAINING is not one.
 */
import { parseScenario } from '../../sim/scenario/scenario';
import { buildWorkload } from '../../sim/scenario/workload';
import { lowerBoundOf } from '../../sim/run/lower-bound';
import { resultOf } from '../../sim/run/result';
import { World } from '../../sim/world/world';
import type { Policy } from '../../sim/policies/policy';

type Step = 'ACTIVE' | 'DRAINING';

async function run(steps: readonly Step[]): Promise<number> {
  const scenario = parseScenario({
    name: 'flips',
    seed: 1,
    durationMinutes: 5 + steps.length,
    capacityGroups: [{ name: 'g', instanceType: 'm5.xlarge', cpu: 4096, memory: 15000, pricePerHour: 0.1, min: 1, max: 1, initial: 1, launchSeconds: 30 }],
    services: [],
  });
  const policy: Policy = {
    name: 'static-peak',
    settings: {},
    start(world) {
      steps.forEach((status, k) => {
        world.schedule(world.now + (2 + k) * 60_000, `set ${status}`, () => {
          const first = world.ecsInstances()[0];
          if (first !== undefined) world.setEcsStatus(first, status, 'test');
        });
      });
    },
  };
  const workload = buildWorkload(scenario, process.cwd());
  const world = new World({ scenario, submissions: workload.submissions, policy, stuckAfterSeconds: 960, referenceShape: { cpu: 256, memory: 512 }, lowerBound: lowerBoundOf(scenario, workload.submissions) });
  await world.run();
  return resultOf('static-peak', world, 1).reactivations;
}

describe('drains reversed', () => {
  it.each<[string, Step[], number]>([
    ['never drained: none', [], 0],
    ['drained once, never back: none', ['DRAINING'], 0],
    ['drained and set back: one', ['DRAINING', 'ACTIVE'], 1],
    ['ACTIVE set again on an ACTIVE instance: none', ['ACTIVE', 'ACTIVE'], 0],
    ['flipping three times: three', ['DRAINING', 'ACTIVE', 'DRAINING', 'ACTIVE', 'DRAINING', 'DRAINING', 'ACTIVE'], 3],
  ])('%s', async (_rule, steps, expected) => {
    expect(await run(steps)).toBe(expected);
  });
});
