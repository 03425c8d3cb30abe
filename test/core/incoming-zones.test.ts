/**
 * Rule: an instance already launched into a multi-zone group but not yet registered is capacity in
 * the zone Auto Scaling put it in (its member zone), and only launches still to come are predicted
 * by Auto Scaling's zone balancing, counted from the members already there.
 */
import type { CapacityGroup } from '../../core/cluster';
import { planScaleOut, type ScaleOutPlan } from '../../core/scale-out';
import { group, instance, NOW, service, serviceTask, shape } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const full = (id: string, zone: string) => instance({ id, group: 'spot', registered: UNIT, tasks: [serviceTask(4096, 4096)], attributes: { 'ecs.availability-zone': zone } });
// Five registered, full members (a a b b c) and one more member launched in `launchedZone`, not yet registered.
const registered = [full('i-1', 'us-east-1a'), full('i-2', 'us-east-1a'), full('i-3', 'us-east-1b'), full('i-4', 'us-east-1b'), full('i-5', 'us-east-1c')];
const spot = (launchedZone: string): CapacityGroup =>
  group({
    name: 'spot',
    instance: UNIT,
    max: 20,
    desired: 6,
    availabilityZones: ZONES,
    members: [
      ...registered.map((i) => ({ id: i.id, pending: false, availabilityZone: i.attributes['ecs.availability-zone'] ?? '' })),
      { id: 'i-6', pending: true, launchedAt: NOW - 30_000, availabilityZone: launchedZone },
    ],
  });
const pinnedA = service({ name: 'ledger-a', shape: shape(1024, 2048, { memberOf: ['attribute:ecs.availability-zone == us-east-1a'] }), desired: 1, unplaced: 1 });

function plan(launchedZone: string): ScaleOutPlan {
  return planScaleOut({ now: NOW, instances: registered, groups: [spot(launchedZone)], services: [pinnedA], shape: shape(1024, 2048), shortageThreshold: 0, maxStep: 50, backoffSeconds: 300 });
}
const launches = (p: ScaleOutPlan): number => p.actions.reduce((n, a) => n + a.count, 0);

describe('incoming instances of a multi-zone group', () => {
  it.each<[string, string, number]>([
    // Before: the launched member was modelled as the next balanced launch (1a) and hid the shortage.
    ['a launched member in another zone does not cover a task pinned to 1a: launch one (it lands in 1a)', 'us-east-1c', 1],
    ['a launched member in the pinned zone covers the task: no launch', 'us-east-1a', 0],
  ])('%s', (_rule, launchedZone, expected) => {
    expect(launches(plan(launchedZone))).toBe(expected);
  });
});
