/**
 * Rule: SPOT_RESERVE_INSTANCES = k keeps enough free space that the service tasks of the k fullest
 * Spot instances could be re-homed at once; scale-out adds what is missing, scale-in never removes
 * it.
 */
import type { CapacityGroup, Instance } from '../../core/cluster';
import { decide, type DecideInput, type Decision } from '../../core/decide';
import { binOf } from '../../core/placement';
import { reserveShortfall, reserveVictims } from '../../core/reserve';
import { group, instance, NOW, SETTINGS, serviceTask, times } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const spot = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'spot', instance: UNIT, max: 30, desired: 3, spot: true, ...overrides });
const onDemand = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'od', instance: UNIT, max: 30, desired: 0, ...overrides });
const loaded = (id: string, n: number, g = 'spot'): Instance => instance({ id, group: g, registered: UNIT, tasks: times(n, () => serviceTask(1024, 1024)) });

function run(overrides: Partial<DecideInput>, k: number): Decision {
  return decide({ now: NOW, instances: [], groups: [spot(), onDemand()], services: [], history: [{ at: NOW - 600_000, value: 1000 }], settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1, spotReserveInstances: k }, ...overrides });
}
const added = (d: Decision): number => d.scaleOut.reduce((n, a) => n + a.count, 0);

describe('storm insurance: SPOT_RESERVE_INSTANCES', () => {
  it.each<[string, Instance[], number, number]>([
    // 3 Spot instances with 4, 3, 1 tasks of 1024 (4 per instance): the fullest (4 tasks) must fit in 0 + 1 + 3 free = 4 → fits
    ['k = 1: the fullest instance\'s tasks fit the others\' free space: nothing added', [loaded('i-1', 4), loaded('i-2', 3), loaded('i-3', 1)], 1, 0],
    // k = 2: the 4 + 3 tasks of the two fullest need 7 slots; only 3 free → one instance holds 4 → 1 added
    ['k = 2: the two fullest need 7 slots, 3 free: one more instance', [loaded('i-1', 4), loaded('i-2', 3), loaded('i-3', 1)], 2, 1],
    ['k = 0 turns it off', [loaded('i-1', 4), loaded('i-2', 4), loaded('i-3', 4)], 0, 0],
    // all full: the fullest's 4 tasks need one new instance
    ['a full Spot fleet gets one spare instance for k = 1', [loaded('i-1', 4), loaded('i-2', 4), loaded('i-3', 4)], 1, 1],
  ])('%s', (_rule, instances, k, expected) => {
    expect(added(run({ instances }, k))).toBe(expected);
  });

  it('On-Demand instances are not insured (they are not taken by a Spot event)', () => {
    const instances = [loaded('i-1', 4, 'od'), loaded('i-2', 4, 'od')];
    // The Spot group has no room: nothing could replace the On-Demand instances either (revert.ts).
    expect(added(run({ instances, groups: [spot({ desired: 0, max: 0 }), onDemand({ desired: 2 })] }, 1))).toBe(0);
  });

  it('scale-in never removes the reserve: an idle instance that is the only room for the fullest instance\'s tasks stays', () => {
    const instances = [loaded('i-1', 4), loaded('i-2', 4), loaded('i-3', 0), loaded('i-4', 0)];
    const settings = { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1, maxScaleInPercent: 100 };
    const k1 = run({ instances, groups: [spot({ desired: 4 }), onDemand()], settings: { ...settings, spotReserveInstances: 1 } }, 1);
    const k0 = run({ instances, groups: [spot({ desired: 4 }), onDemand()], settings: { ...settings, spotReserveInstances: 0 } }, 0);
    expect(k1.scaleIn.map((a) => a.instance)).toEqual(['i-3']);
    expect(k0.scaleIn.map((a) => a.instance)).toEqual(['i-3', 'i-4']);
    // after removing i-3, i-4 alone holds the 4 tasks of i-1 (or i-2): i-4 must stay
    expect(k1.scaleIn.map((a) => a.instance)).not.toContain('i-4');
  });

  it.each<[string, number, Instance[], string[]]>([
    // Fleet of 4 at 20 %: the shortfall left by removing i-4 too is no instance scale-out would buy (⌊20 % × 2⌋ = 0).
    ['under the cost cap, an idle instance scale-out would not buy back is not kept for the reserve', 20, [loaded('i-1', 4), loaded('i-2', 4), loaded('i-3', 0), loaded('i-4', 0)], ['i-3', 'i-4']],
    ['without a cap (100 %) the same instance is kept', 100, [loaded('i-1', 4), loaded('i-2', 4), loaded('i-3', 0), loaded('i-4', 0)], ['i-3']],
    // Fleet of 10 at 20 %: one instance of room is affordable (⌊20 % × 9⌋ = 1), so the last idle one stays.
    ['on a fleet large enough for the cap to buy an instance, the last room stays', 20, [...times(8, (n) => loaded(`i-${n + 1}`, 4)), loaded('i-9', 0), loaded('i-10', 0)], ['i-10']],
  ])('scale-in keeps reserve room only within SPOT_RESERVE_PERCENT: %s', (_rule, percent, instances, removed) => {
    const settings = { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1, maxScaleInPercent: 100, spotReserveInstances: 1, spotReservePercent: percent };
    const d = run({ instances, groups: [spot({ desired: instances.length }), onDemand()], settings }, 1);
    expect(d.scaleIn.map((a) => a.instance).sort()).toEqual([...removed].sort());
  });

  it('the what-if leaves the bins unchanged', () => {
    const instances = [loaded('i-1', 4), loaded('i-2', 1)];
    const bins = instances.map(binOf);
    const before = bins.map((b) => [b.cpu, b.memory]);
    const victims = reserveVictims(instances, new Set(['spot']), 1, () => false);
    expect(victims.map((v) => v.key)).toEqual(['i-1']);
    expect(reserveShortfall(victims, bins)).toHaveLength(1);
    expect(bins.map((b) => [b.cpu, b.memory])).toEqual(before);
  });
});
