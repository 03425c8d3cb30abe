/**
 * Rule: a task pinned to one zone of a group spanning several zones scales the group by every
 * launch up to the first one Auto Scaling puts in that zone. Balanced launches go to the emptiest
 * zones in turn, so a zone already holding more instances than the others is reached only once
 * every other zone has caught up with it (before: only the next round of zones − 1 launches was
 * looked at, nothing was launched and the task waited).
 */
import type { CapacityGroup } from '../../core/cluster';
import { planScaleOut } from '../../core/scale-out';
import { group, instance, NOW, service, serviceTask, shape } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const full = (id: string, zone: string) => instance({ id, group: 'spot', registered: UNIT, tasks: [serviceTask(4096, 4096)], attributes: { 'ecs.availability-zone': zone } });
/** A group whose registered, full members are in `zones` (one letter per member: "aaabc"). */
function fleet(zones: string): { instances: ReturnType<typeof full>[]; spot: CapacityGroup } {
  const instances = [...zones].map((z, k) => full(`i-${k}`, `us-east-1${z}`));
  const members = instances.map((i) => ({ id: i.id, pending: false, availabilityZone: i.attributes['ecs.availability-zone'] ?? '' }));
  return { instances, spot: group({ name: 'spot', instance: UNIT, max: 30, desired: members.length, availabilityZones: ZONES, members }) };
}
const pinned = (zone: string) => service({ name: `pinned-${zone}`, shape: shape(1024, 2048, { memberOf: [`attribute:ecs.availability-zone == us-east-1${zone}`] }), desired: 1, unplaced: 1 });

describe('a task pinned to one zone of a multi-zone group', () => {
  it.each<[string, string, string, number]>([
    ['balanced zones: the next launch in the pinned zone is within one round', 'abc', 'b', 2],
    ['the pinned zone is the emptiest: one launch', 'aabbc', 'c', 1],
    // a a a b c: launches land b c b c a — four launches past the first before zone a
    ['the pinned zone holds the most: every launch until the others catch up, then one there', 'aaabc', 'a', 5],
    ['two zones behind by two: both catch up first', 'aaaab', 'a', 8],
  ])('%s', (_rule, zones, zone, launches) => {
    const { instances, spot } = fleet(zones);
    const plan = planScaleOut({ now: NOW, instances, groups: [spot], services: [pinned(zone)], shape: shape(1024, 2048), shortageThreshold: 0, maxStep: 50, backoffSeconds: 300 });
    expect(plan.actions.reduce((n, a) => n + a.count, 0)).toBe(launches);
    expect(plan.unplaceable).toEqual([]);
  });

  it('the step limit still caps the launches: the task is reported, nothing half-done', () => {
    const { instances, spot } = fleet('aaaab');
    const plan = planScaleOut({ now: NOW, instances, groups: [spot], services: [pinned('a')], shape: shape(1024, 2048), shortageThreshold: 0, maxStep: 3, backoffSeconds: 300 });
    expect(plan.actions).toEqual([]);
    expect(plan.unplaceable).toHaveLength(1);
  });
});
