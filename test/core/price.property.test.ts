import fc from 'fast-check';
import { byPricePerTask, pricePerTask, TIE_TOLERANCE } from '../../core/price';
import { group, shape } from './builders';

describe('price order properties', () => {
  it('is a permutation; the first group is within the tie tolerance of the cheapest, and no group is cheaper than an earlier one by more than the tolerance', () => {
    const groupArb = fc.record({ cpu: fc.constantFrom(2048, 4096, 8192), memory: fc.constantFrom(4096, 8192, 16384, 32768), spot: fc.boolean() });
    const taskArb = fc.record({ cpu: fc.integer({ min: 128, max: 4096 }), memory: fc.integer({ min: 128, max: 8192 }) });
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 1, maxLength: 5 }), fc.array(taskArb, { minLength: 1, maxLength: 20 }), (specs, tasks) => {
        const groups = specs.map((g, k) => group({ name: `g${k}`, instance: { cpu: g.cpu, memory: g.memory }, spot: g.spot }));
        const shapes = tasks.map((t) => shape(t.cpu, t.memory));
        const order = byPricePerTask(groups, shapes, []);
        expect([...order.map((g) => g.name)].sort()).toEqual(groups.map((g) => g.name).sort());
        const price = new Map(groups.map((g) => [g.name, pricePerTask(g, shapes, [])]));
        // The first of the order is within the tolerance of the cheapest.
        const cheapest = Math.min(...price.values());
        const first = price.get(order[0]?.name as string) as number;
        if (Number.isFinite(cheapest)) expect(first).toBeLessThanOrEqual(cheapest * (1 + TIE_TOLERANCE) + 1e-9);
        for (let a = 0; a < order.length; a++)
          for (let b = a + 1; b < order.length; b++) {
            const pa = price.get(order[a]?.name as string) as number;
            const pb = price.get(order[b]?.name as string) as number;
            if (Number.isFinite(pa)) expect(pb * (1 + TIE_TOLERANCE)).toBeGreaterThanOrEqual(pa - 1e-9);
          }
      }),
      { numRuns: 200 },
    );
  });
});
