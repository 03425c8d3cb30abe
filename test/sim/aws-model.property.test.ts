/**
 * Properties of the simulator's AWS rules that hold for every input: when AZRebalance sees an
 * imbalance (sim/world/az-rebalance.ts), how far one managed scale-in step goes
 * (sim/policies/ecs-cas.ts), and what a decrement leaves (sim/world/asg-capacity.ts).
 */
import fc from 'fast-check';
import { casScaleInTarget } from '../../sim/policies/ecs-cas';
import { decrementDesired } from '../../sim/world/asg-capacity';
import { imbalance } from '../../sim/world/az-rebalance';

const counts = fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 6 }).map((ns) => new Map(ns.map((n, k) => [`z${k}`, n])));

describe('AZRebalance sees an imbalance', () => {
  it('exactly when the fullest and emptiest zones are more than one instance apart, naming them', () => {
    fc.assert(
      fc.property(counts, (c) => {
        const values = [...c.values()];
        const gap = Math.max(...values) - Math.min(...values);
        const found = imbalance(c);
        if (gap <= 1) return found === undefined;
        return found !== undefined && c.get(found.emptiest) === Math.min(...values) && c.get(found.fullest) === Math.max(...values);
      }),
    );
  });
});

describe('one managed scale-in step', () => {
  it('never goes below N or min, never rises, and removes at most half the group (at least one)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2000 }), fc.nat({ max: 2000 }), fc.nat({ max: 2000 }), (desired, N, min) => {
        fc.pre(N < desired && min <= desired);
        const after = casScaleInTarget(desired, N, min);
        return after >= Math.max(N, min) && after <= desired && desired - after <= Math.max(1, Math.floor(desired / 2));
      }),
    );
  });

  it('reaches N from any size in a number of steps logarithmic in the group', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (desired) => {
        let d = desired;
        let steps = 0;
        while (d > 0) {
          d = casScaleInTarget(d, 0, 0);
          steps++;
        }
        return steps <= Math.ceil(Math.log2(desired)) + 1;
      }),
    );
  });
});

describe('a decrement', () => {
  it('lowers desired by exactly the weight, or is refused when that would go below min', () => {
    fc.assert(
      fc.property(fc.nat({ max: 500 }), fc.nat({ max: 500 }), fc.integer({ min: 1, max: 16 }), (desired, min, weight) => {
        const out = decrementDesired(desired, min, weight);
        return out.ok ? out.desired === desired - weight && out.desired >= min : desired - weight < min;
      }),
    );
  });
});
