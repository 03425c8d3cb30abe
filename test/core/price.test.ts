/**
 * Rule: scale-out goes to the group whose new instances hold the waiting tasks at the lowest price
 * per task; prices within 1 % are a tie, broken by priority order; a group that holds none of them
 * goes last.
 */
import type { CapacityGroup } from '../../core/cluster';
import { decide } from '../../core/decide';
import { byPricePerTask, hourlyPrice, pricePerTask } from '../../core/price';
import { group, NOW, SETTINGS, shape } from './builders';

const XL = { cpu: 4096, memory: 16384 };
const L = { cpu: 2048, memory: 8192 };
const names = (gs: readonly CapacityGroup[]): string[] => gs.map((g) => g.name);

describe('price of a new instance', () => {
  it.each<[string, Partial<CapacityGroup>, Partial<CapacityGroup>]>([
    ['Spot costs less than On-Demand of the same size', { instance: XL, spot: true }, { instance: XL }],
    ['a smaller instance costs less than a larger one', { instance: L }, { instance: XL }],
    ['a known price wins over the estimate', { instance: XL, pricePerHour: 0.01 }, { instance: L, spot: true }],
  ])('%s', (_rule, cheap, dear) => {
    expect(hourlyPrice(group(cheap))).toBeLessThan(hourlyPrice(group(dear)));
  });
});

describe('groups ordered by price per waiting task', () => {
  const od = group({ name: 'od', instance: XL });
  const spot = group({ name: 'spot', instance: XL, spot: true });
  const spot2 = group({ name: 'spot2', instance: XL, spot: true });
  const small = group({ name: 'small', instance: L, spot: true });
  it.each<[string, CapacityGroup[], ReturnType<typeof shape>[], string[]]>([
    ['Spot before an On-Demand group listed first', [od, spot], [shape(1024, 1024)], ['spot', 'od']],
    ['equal prices keep priority order', [spot2, spot], [shape(1024, 1024)], ['spot2', 'spot']],
    ['a group that holds none of the tasks goes last', [small, spot], [shape(3072, 1024)], ['spot', 'small']],
    // 3 tasks of 1,536 CPU: two per xlarge (2 instances for 3), one per large (3 instances at half the price): larges win
    ['packing granularity counts: 3 larges at half price beat 2 xlarges', [spot, small], [shape(1536, 1024), shape(1536, 1024), shape(1536, 1024)], ['small', 'spot']],
    ['no task: priority order', [od, spot], [], ['od', 'spot']],
  ])('%s', (_rule, groups, tasks, expected) => {
    expect(names(byPricePerTask(groups, tasks, []))).toEqual(expected);
  });

  it('a group that fits nothing has an infinite price per task', () => {
    expect(pricePerTask(group({ instance: L }), [shape(4096, 1024)], [])).toBe(Number.POSITIVE_INFINITY);
  });

  it('decide: unplaced service tasks launch on the cheaper Spot group although On-Demand comes first', () => {
    const d = decide({
      now: NOW, instances: [], history: [], groups: [group({ name: 'od', instance: XL }), group({ name: 'spot', instance: XL, spot: true })],
      services: [{ name: 'web', shape: shape(1024, 1024), daemon: false, desired: 4, running: 0, pending: 0, unplaced: 4 }],
      settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1 },
    });
    expect(d.scaleOut.map((a) => a.group)).toEqual(['spot']);
  });
});
