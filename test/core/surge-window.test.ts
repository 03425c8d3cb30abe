/**
 * Rule: no scale-in right after a surge. Excess must have held for the stabilisation window since
 * the last scale-out (the newest launch of a configured group), not only since headroom last rose
 * above the excess threshold.
 */
import type { CapacityGroup, Instance } from '../../core/cluster';
import { decide } from '../../core/decide';
import { lastLaunch, scaleInWindow } from '../../core/scale-in';
import { group, instance, NOW, SETTINGS } from './builders';

const history = [NOW - 1_200_000, NOW - 900_000, NOW - 600_000, NOW - 300_000].map((at) => ({ at, value: 50 }));
const window = (lastScaleOut?: number) => scaleInWindow({ now: NOW, headroom: 50, history, excessThreshold: 10, stabilizationSeconds: 600, ...(lastScaleOut !== undefined ? { lastScaleOut } : {}) });

describe('scale-in window since the last scale-out', () => {
  it.each<[string, number | undefined, boolean]>([
    ['no launch known: excess held 20 min ≥ 10 min window', undefined, true],
    ['last launch 2 min ago: only 2 min of the window', NOW - 120_000, false],
    ['last launch 9 min 59 s ago: still inside the window', NOW - 599_000, false],
    ['last launch 10 min ago: held', NOW - 600_000, true],
    ['last launch before the excess run began: the run decides', NOW - 3_600_000, true],
  ])('%s', (_rule, last, held) => {
    expect(window(last).held).toBe(held);
  });

  it('lastLaunch is the newest known launch over every group', () => {
    const groups: CapacityGroup[] = [
      group({ name: 'a', members: [{ id: 'i-1', pending: false, launchedAt: NOW - 9_000 }, { id: 'i-2', pending: false }] }),
      group({ name: 'b', members: [{ id: 'i-3', pending: true, launchedAt: NOW - 1_000 }] }),
    ];
    expect(lastLaunch(groups)).toBe(NOW - 1_000);
    expect(lastLaunch([group({ name: 'c' })])).toBeUndefined();
  });

  it('decide: an empty instance launched for a wave 3 minutes ago is not scaled in, though excess held 20 minutes', () => {
    const members = [{ id: 'i-1', pending: false, launchedAt: NOW - 86_400_000 }, { id: 'i-2', pending: false, launchedAt: NOW - 180_000 }];
    const instances: Instance[] = [instance({ id: 'i-1', group: 'g1', tasks: [] }), instance({ id: 'i-2', group: 'g1', tasks: [] })];
    const settings = { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1, maxScaleInPercent: 100 };
    const g = group({ name: 'g1', desired: 2, members });
    expect(decide({ now: NOW, instances, groups: [g], services: [], history, settings }).scaleIn).toEqual([]);
    const old = group({ name: 'g1', desired: 2, members: members.map((m) => ({ ...m, launchedAt: NOW - 86_400_000 })) });
    expect(decide({ now: NOW, instances, groups: [old], services: [], history, settings }).scaleIn.length).toBeGreaterThan(0);
  });
});
