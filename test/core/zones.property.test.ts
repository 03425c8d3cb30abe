import fc from 'fast-check';
import type { CapacityGroup } from '../../core/cluster';
import { balancedSequence } from '../../core/zones';
import { group } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };

describe('zone spread properties', () => {
  it('after a balanced sequence, no zone with room left has more than one instance fewer than another zone', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ desired: fc.nat(10), room: fc.nat(10) }), { minLength: 1, maxLength: 5 }), fc.nat(40), (zones, limit) => {
        const run: CapacityGroup[] = zones.map((z, k) => group({ name: `z${k}`, instance: UNIT, desired: z.desired, max: z.desired + z.room, attributes: { 'ecs.availability-zone': `az${k}` } }));
        const seq = balancedSequence(run, limit);
        const after = run.map((g) => g.desired + seq.filter((s) => s.name === g.name).length);
        expect(seq.length).toBe(Math.min(limit, zones.reduce((n, z) => n + z.room, 0)));
        run.forEach((g, k) => expect(after[k]).toBeLessThanOrEqual(g.max));
        // a zone with room left is never more than one below any other zone's count among those the sequence touched
        const open = run.map((g, k) => (after[k] as number) < g.max);
        const touched = run.map((g) => seq.some((s) => s.name === g.name));
        for (let i = 0; i < run.length; i++) {
          for (let j = 0; j < run.length; j++) {
            if (open[i] === true && touched[j] === true) expect(after[j] as number).toBeLessThanOrEqual((after[i] as number) + 1);
          }
        }
      }),
    );
  });
});
