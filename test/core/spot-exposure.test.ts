/**
 * Rule: Spot exposure at a bounded price. The storm reserve insures the most exposed Spot instances
 * first (a rebalance recommendation, then the fullest), is met first by the room the fleet already
 * has, and never insures more than SPOT_RESERVE_PERCENT of the fleet's CPU and memory.
 */
import type { CapacityGroup, Instance } from '../../core/cluster';
import { REBALANCE_ATTRIBUTE } from '../../core/cluster';
import { decide, type DecideInput, type Decision } from '../../core/decide';
import { reserveBudget, reserveVictims, withinBudget } from '../../core/reserve';
import { group, instance, NOW, SETTINGS, serviceTask, times } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const spot = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'spot', instance: UNIT, max: 30, desired: 4, spot: true, ...overrides });
const loaded = (id: string, n: number, extra: Partial<Instance> = {}): Instance => instance({ id, group: 'spot', registered: UNIT, tasks: times(n, () => serviceTask(1024, 1024)), ...extra });

function run(instances: Instance[], k: number, percent: number, overrides: Partial<DecideInput> = {}): Decision {
  return decide({ now: NOW, instances, groups: [spot({ desired: instances.length, max: instances.length + 10 })], services: [], history: [], settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1, spotReserveInstances: k, spotReservePercent: percent }, ...overrides });
}
const added = (d: Decision): number => d.scaleOut.reduce((n, a) => n + a.count, 0);

describe('Spot exposure: the cost cap SPOT_RESERVE_PERCENT', () => {
  // Four full instances (4 tasks of 1024 CPU each): the fullest one's 4 tasks need one new instance.
  const full = (): Instance[] => [loaded('i-1', 4), loaded('i-2', 4), loaded('i-3', 4), loaded('i-4', 4)];
  it.each<[string, number, number]>([
    ['100 %: no cap, one instance bought for the 4 tasks', 100, 1],
    ['25 % of 4 instances is one instance of room: the whole victim is insured', 25, 1],
    ['10 % of a fleet of four buys no instance (0.4, rounded down): only free room could insure', 10, 0],
    ['5 % of 16 CPUs is 0.8 CPU: no task fits the budget, nothing is bought', 5, 0],
    ['0 %: nothing is insured', 0, 0],
  ])('%s', (_rule, percent, expected) => {
    expect(added(run(full(), 1, percent))).toBe(expected);
  });

  it.each<[string, number, number]>([
    ['10 % of a fleet of ten full instances buys one instance', 10, 1],
    ['9 % of ten buys none', 9, 0],
  ])('%s', (_rule, percent, expected) => {
    expect(added(run(times(10, (k) => loaded(`i-${k}`, 4)), 1, percent))).toBe(expected);
  });

  it('the room the fleet already has meets the reserve first: free room for the victim buys nothing', () => {
    expect(added(run([loaded('i-1', 4), loaded('i-2', 0)], 1, 100))).toBe(0);
  });

  it.each<[string, number, number]>([
    ['budget of 2 tasks over two victims of 4: only the first victim is (partly) kept', 2048, 1],
    ['budget of 6 tasks: the first victim whole and 2 tasks of the second', 6144, 2],
  ])('withinBudget: %s', (_rule, cpu, victims) => {
    const v = reserveVictims([loaded('i-1', 4), loaded('i-2', 4)], new Set(['spot']), 2, () => false);
    const kept = withinBudget(v, { cpu, memory: Number.POSITIVE_INFINITY });
    expect(kept).toHaveLength(victims);
    expect(kept.flatMap((x) => x.tasks).reduce((n, t) => n + t.cpu, 0)).toBeLessThanOrEqual(cpu);
  });

  it('the budget is the percentage of the schedulable fleet (DRAINING instances do not count)', () => {
    const fleet = [loaded('i-1', 0), loaded('i-2', 0), loaded('i-3', 0, { status: 'DRAINING' })];
    expect(reserveBudget(fleet, 50)).toEqual({ cpu: 4096, memory: 16384 });
  });
});

describe('Spot exposure: the most exposed instance first', () => {
  it.each<[string, Instance[], string[]]>([
    ['the fullest without any recommendation', [loaded('i-1', 2), loaded('i-2', 3)], ['i-2']],
    ['an instance with a rebalance recommendation before a fuller one', [loaded('i-1', 2, { attributes: { [REBALANCE_ATTRIBUTE]: '2026-01-01T11:55:00Z' } }), loaded('i-2', 3)], ['i-1']],
  ])('%s', (_rule, instances, expected) => {
    expect(reserveVictims(instances, new Set(['spot']), 1, () => false).map((v) => v.key)).toEqual(expected);
  });
});
