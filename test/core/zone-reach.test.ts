/**
 * Rule: a task pinned to one zone of a group spanning several zones scales the group by every
 * launch up to the first one Auto Scaling puts in that zone. Balanced launches go to the emptiest
 * zones in turn, so a zone already holding more instances than the others is reached only once
 * every other zone has caught up with it (before: only the next round of zones − 1 launches was
 * looked at, nothing was launched and the task waited).
 */
import type { CapacityGroup } from '../../core/cluster';
import { decide } from '../../core/decide';
import { planScaleOut, type ScaleOut } from '../../core/scale-out';
import { group, instance, NOW, SETTINGS, service, serviceTask, shape } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const full = (id: string, zone: string) => instance({ id, group: 'spot', registered: UNIT, tasks: [serviceTask(4096, 4096)], attributes: { 'ecs.availability-zone': zone } });
/** A group whose registered, full members are in `zones` (one letter per member: "aaabc"). */
function fleet(zones: string, requested = 0): { instances: ReturnType<typeof full>[]; spot: CapacityGroup } {
  const instances = [...zones].map((z, k) => full(`i-${k}`, `us-east-1${z}`));
  const members = instances.map((i) => ({ id: i.id, pending: false, availabilityZone: i.attributes['ecs.availability-zone'] ?? '' }));
  return { instances, spot: group({ name: 'spot', instance: UNIT, max: 30, desired: members.length + requested, availabilityZones: ZONES, members }) };
}
const launches = (actions: readonly ScaleOut[]): number => actions.reduce((n, a) => n + a.count, 0);
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

  // Rule: launches already requested (desired capacity raised, no member yet) are the group's next
  // launches, so the guesses for new instances continue Auto Scaling's sequence after them. Before,
  // new instances were numbered from 0 and the first was guessed into the zone of the first
  // requested launch: one launch too many whenever that zone was not the pinned one.
  it.each<[string, string, number, string, number]>([
    // a b c + one requested (lands in a): the next launch lands in b. Before: 2 (a, then b).
    ['one requested launch goes to a: the next one lands in b', 'abc', 1, 'b', 1],
    // a b c + two requested (a, b): the next launch lands in c. Before: 3 (a, b, c).
    ['two requested launches go to a and b: the next one lands in c', 'abc', 2, 'c', 1],
    // a a a b c + one requested (b): c b c a. Before: 5 (b c b c a).
    ['the pinned zone holds the most: the catch-up counts the requested launch', 'aaabc', 1, 'a', 4],
    // a b c + one requested (a) covers a task pinned to a: nothing new, both before and after.
    ['the requested launch lands in the pinned zone: no launch', 'abc', 1, 'a', 0],
  ])('%s', (_rule, zones, requested, zone, expected) => {
    const { instances, spot } = fleet(zones, requested);
    const plan = planScaleOut({ now: NOW, instances, groups: [spot], services: [pinned(zone)], shape: shape(1024, 2048), shortageThreshold: 0, maxStep: 50, backoffSeconds: 300 });
    const decision = decide({ now: NOW, instances, groups: [spot], services: [pinned(zone)], history: [], settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 100 } });
    expect({ scaleOut: launches(plan.actions), decide: launches(decision.scaleOut) }).toEqual({ scaleOut: expected, decide: expected });
    expect(plan.unplaceable).toEqual([]);
  });
});
