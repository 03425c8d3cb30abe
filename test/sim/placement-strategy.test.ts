/**
 * Service placement strategies (sim/world/placement-strategy.ts): `spread` (AWS's default when a
 * service names none) puts a service's tasks in the zone, then on the instance, with the fewest of
 * them; `binpack` fills the instance with the least free memory. Every policy gets the same.
 */
import { lowerBoundOf } from '../../sim/run/lower-bound';
import type { Policy } from '../../sim/policies/policy';
import { parseScenario } from '../../sim/scenario/scenario';
import { buildWorkload } from '../../sim/scenario/workload';
import { binpackPick, SpreadCounts } from '../../sim/world/placement-strategy';
import type { SimInstance } from '../../sim/world/world-types';
import { World } from '../../sim/world/world';

const inst = (seq: number, zone: string, memory = 1000, cpu = 1000): SimInstance => ({ seq, zone, bin: { memory, cpu } }) as unknown as SimInstance;

describe('the candidate each strategy picks', () => {
  const [a1, a2, b1, c1] = [inst(0, 'a', 500), inst(1, 'a', 900), inst(2, 'b', 800), inst(3, 'c', 700)];
  it.each([
    ['spread: the zone with the fewest of the service tasks', [a1, a1, b1], [a1, a2, b1, c1], c1],
    ['spread: then the instance with the fewest in that zone', [a1, b1, c1], [a1, a2, b1, c1], a2],
    ['spread: ties go to the older instance', [], [b1, a2, a1], a1],
    ['spread: only candidates count (a full zone is skipped)', [b1], [a1, b1], a1],
  ])('%s', (_rule, placed, candidates, expected) => {
    expect(new SpreadCounts(placed).pick(candidates)).toBe(expected);
  });

  it.each([
    ['binpack: the least free memory', [a2, b1, a1], a1],
    ['binpack: least free CPU breaks a memory tie', [inst(0, 'a', 500, 900), inst(1, 'b', 500, 300)], 'b'],
    ['binpack: nothing to pick', [], undefined],
  ])('%s', (_rule, candidates, expected) => {
    const picked = binpackPick(candidates);
    expect(typeof expected === 'string' ? picked?.zone : picked).toBe(expected);
  });
});

async function tasksPerInstance(placementStrategy?: string, clusterDefault?: string): Promise<number[]> {
  const scenario = parseScenario({
    name: 'placement',
    seed: 2,
    durationMinutes: 10,
    capacityGroups: [{ name: 'g', instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.1, min: 3, max: 3, initial: 3, launchSeconds: 30, availabilityZones: ['za', 'zb', 'zc'] }],
    services: [{ name: 'web', cpu: 256, memory: 512, desired: [[0, 3]], ...(placementStrategy !== undefined ? { placementStrategy } : {}) }],
    ...(clusterDefault !== undefined ? { cluster: { placementStrategy: clusterDefault } } : {}),
  });
  const workload = buildWorkload(scenario, process.cwd());
  const policy: Policy = { name: 'static-peak', settings: {}, start: () => undefined };
  const world = new World({ scenario, submissions: workload.submissions, policy, stuckAfterSeconds: 960, referenceShape: { cpu: 256, memory: 512 }, lowerBound: lowerBoundOf(scenario, workload.submissions) });
  await world.run();
  return world.instances.map((i) => i.tasks.size).sort();
}

describe('placement in the world', () => {
  it.each([
    ['no strategy anywhere: AWS default spread, one task per zone', undefined, undefined, [1, 1, 1]],
    ['the service asks for binpack: all on one instance', 'binpack', undefined, [0, 0, 3]],
    ['the cluster default binpack applies to a service naming none', undefined, 'binpack', [0, 0, 3]],
    ["the service's own spread wins over a binpack cluster default", 'spread', 'binpack', [1, 1, 1]],
  ])('%s', async (_rule, service, cluster, expected) => {
    expect(await tasksPerInstance(service, cluster)).toEqual(expected);
  });

  it('refuses an unknown strategy, naming the known ones', () => {
    expect(() => parseScenario({ name: 'x', seed: 1, durationMinutes: 1, capacityGroups: [{ name: 'g', instanceType: 't', cpu: 1, memory: 1, pricePerHour: 0, min: 0, max: 1, initial: 0 }], services: [{ name: 's', cpu: 1, memory: 1, desired: [[0, 1]], placementStrategy: 'random' }] })).toThrow(/services\[0\]\.placementStrategy: expected one of binpack, spread/);
  });
});
