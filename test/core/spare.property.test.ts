/**
 * Invariants of the proportional spare (`core/spare.ts`), for any thresholds, percentage and work:
 * the spare never exceeds the configured threshold, grows with the work, is 0 for no work, keeps the
 * configured excess gap (so scale-in and scale-out never fight), and is the threshold itself once
 * the cap reaches it.
 */
import fc from 'fast-check';
import { spareThresholds } from '../../core/spare';

const settings = fc
  .record({ shortageThreshold: fc.integer({ min: 0, max: 50 }), gap: fc.integer({ min: 1, max: 50 }), sparePercent: fc.integer({ min: 0, max: 100 }) })
  .map(({ shortageThreshold, gap, sparePercent }) => ({ shortageThreshold, excessThreshold: shortageThreshold + gap, sparePercent }));
const work = fc.double({ min: 0, max: 10_000, noNaN: true });

describe('spareThresholds invariants', () => {
  it('0 ≤ spare ≤ threshold, and the excess gap is kept', () => {
    fc.assert(
      fc.property(settings, work, (s, w) => {
        const t = spareThresholds(s, w);
        expect(t.shortage).toBeGreaterThanOrEqual(0);
        expect(t.shortage).toBeLessThanOrEqual(s.shortageThreshold);
        expect(t.excess - t.shortage).toBe(s.excessThreshold - s.shortageThreshold);
      }),
    );
  });

  it('monotone: more work never means less spare', () => {
    fc.assert(
      fc.property(settings, work, work, (s, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(spareThresholds(s, lo).shortage).toBeLessThanOrEqual(spareThresholds(s, hi).shortage);
      }),
    );
  });

  it('no work keeps no spare (but at 100 %, no cap); enough work keeps the whole threshold', () => {
    fc.assert(
      fc.property(settings, (s) => {
        expect(spareThresholds(s, 0).shortage).toBe(s.sparePercent >= 100 ? s.shortageThreshold : 0);
        if (s.sparePercent > 0) expect(spareThresholds(s, (s.shortageThreshold * 100) / s.sparePercent).shortage).toBe(s.shortageThreshold);
      }),
    );
  });
});
