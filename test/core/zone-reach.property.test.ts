import fc from 'fast-check';
import { launchesToReachEveryZone, predictedZone } from '../../core/placement';
import { group } from './builders';

const ZONES = ['az-a', 'az-b', 'az-c', 'az-d'];

describe('zone reach properties', () => {
  it('the launches from `from` to `from` + launchesToReachEveryZone land in every zone, and one fewer do not', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(6), { minLength: 2, maxLength: 4 }), fc.nat(8), (counts, from) => {
        const zones = ZONES.slice(0, counts.length);
        const members = counts.flatMap((n, k) => Array.from({ length: n }, (_, j) => ({ id: `i-${k}-${j}`, pending: false, availabilityZone: zones[k] as string })));
        const g = group({ name: 'multi', availabilityZones: zones, members, max: 100, desired: members.length });
        const reach = launchesToReachEveryZone(g, from);
        const landed = Array.from({ length: reach + 1 }, (_, j) => predictedZone(g, from + j));
        expect(new Set(landed).size).toBe(zones.length);
        expect(new Set(landed.slice(0, -1)).size).toBe(zones.length - 1);
      }),
    );
  });
});
