import fc from 'fast-check';
import { scaleInWindow } from '../../core/scale-in';
import { NOW } from './builders';

describe('scale-in window property', () => {
  it('never held within the stabilisation window after the last scale-out, whatever the history', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ago: fc.integer({ min: 0, max: 7_200_000 }), value: fc.integer({ min: 0, max: 100 }) }), { maxLength: 20 }),
        fc.integer({ min: 0, max: 3_600 }),
        fc.integer({ min: 0, max: 7_200_000 }),
        fc.integer({ min: 0, max: 100 }),
        (samples, windowSeconds, launchedAgo, headroom) => {
          const w = scaleInWindow({ now: NOW, headroom, history: samples.map((s) => ({ at: NOW - s.ago, value: s.value })), excessThreshold: 10, stabilizationSeconds: windowSeconds, lastScaleOut: NOW - launchedAgo });
          if (launchedAgo < windowSeconds * 1000) expect(w.held).toBe(false);
          if (w.held) expect(headroom).toBeGreaterThan(10);
        },
      ),
      { numRuns: 500 },
    );
  });
});
