/**
 * Rule: give back fallback capacity ("revert to Spot"). Instances of a group that a cheaper group
 * can replace are drained without waiting for excess once their tasks fit elsewhere, within the
 * scale-in budget; until then the cheaper group is grown for them first (replacement before drain).
 */
import type { CapacityGroup, Instance } from '../../core/cluster';
import { decide, type Decision } from '../../core/decide';
import { group, instance, NOW, SETTINGS, serviceTask, times } from './builders';

const XL = { cpu: 4096, memory: 16384 };
const member = (id: string) => ({ id, pending: false, launchedAt: NOW - 3_600_000 });
const spot = (ids: string[], overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'spot', instance: XL, spot: true, max: 10, desired: ids.length, members: ids.map(member), ...overrides });
const od = (ids: string[], overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'od', instance: XL, max: 10, desired: ids.length, members: ids.map(member), ...overrides });
const host = (id: string, g: string, tasks: number): Instance => instance({ id, group: g, registered: XL, tasks: times(tasks, () => serviceTask(1024, 1024)) });

function run(instances: Instance[], groups: CapacityGroup[]): Decision {
  // No headroom history: the excess window is not held, so ordinary scale-in does nothing.
  return decide({ now: NOW, instances, groups, services: [], history: [], settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1, maxScaleInPercent: 100 } });
}
const summary = (d: Decision) => ({ scaleIn: d.scaleIn.map((a) => a.instance), scaleOut: d.scaleOut.map((a) => [a.group, a.count]) });

describe('give back fallback capacity', () => {
  it.each<[string, Instance[], CapacityGroup[], ReturnType<typeof summary>]>([
    ['the On-Demand instance\'s task fits on Spot: drained now, without waiting for excess', [host('i-1', 'spot', 2), host('i-3', 'od', 1)], [spot(['i-1']), od(['i-3'])], { scaleIn: ['i-3'], scaleOut: [] }],
    ['the Spot instances are full: a Spot replacement is launched first, nothing drained', [host('i-1', 'spot', 4), host('i-3', 'od', 2)], [spot(['i-1']), od(['i-3'])], { scaleIn: [], scaleOut: [['spot', 1]] }],
    ['the replacement is on its way (desired above members): nothing more is launched', [host('i-1', 'spot', 4), host('i-3', 'od', 2)], [spot(['i-1'], { desired: 2 }), od(['i-3'])], { scaleIn: [], scaleOut: [] }],
    ['the Spot group is backed off after a failed launch: the fallback stays', [host('i-1', 'spot', 2), host('i-3', 'od', 1)], [spot(['i-1'], { launchFailedAt: NOW - 60_000 }), od(['i-3'])], { scaleIn: [], scaleOut: [] }],
    ['the Spot group has no room: the fallback stays', [host('i-1', 'spot', 2), host('i-3', 'od', 1)], [spot(['i-1'], { max: 1 }), od(['i-3'])], { scaleIn: [], scaleOut: [] }],
    ['the fallback group is at its min: its instance is kept', [host('i-1', 'spot', 2), host('i-3', 'od', 1)], [spot(['i-1']), od(['i-3'], { min: 1 })], { scaleIn: [], scaleOut: [] }],
    ['two groups of the same price: a tie moves nothing', [host('i-1', 'spot', 2), host('i-3', 'spot-b', 1)], [spot(['i-1']), spot(['i-3'], { name: 'spot-b' })], { scaleIn: [], scaleOut: [] }],
  ])('%s', (_rule, instances, groups, expected) => {
    expect(summary(run(instances, groups))).toEqual(expected);
  });

  it('within the scale-in budget: 10 % of 12 instances gives back one of three fallback instances per tick', () => {
    const spots = times(9, (k) => host(`i-s${k}`, 'spot', 0));
    const ods = ['i-o1', 'i-o2', 'i-o3'].map((id) => host(id, 'od', 1));
    const d = decide({ now: NOW, instances: [...spots, ...ods], groups: [spot(spots.map((i) => i.id)), od(ods.map((i) => i.id))], services: [], history: [], settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1, maxScaleInPercent: 10 } });
    expect(d.scaleIn).toHaveLength(1);
    expect(d.scaleIn[0]?.group).toBe('od');
  });
});
