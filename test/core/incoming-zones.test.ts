/**
 * Rule: an instance already launched into a multi-zone group but not yet registered is capacity in
 * the zone Auto Scaling put it in (its member zone), and only launches still to come are predicted
 * by Auto Scaling's zone balancing, counted from the members already there. The tick's decision
 * (`decide`) and scale-out on its own (`planScaleOut`) count incoming capacity by the same function
 * (`incomingCapacity`, `incomingBins`), so both give the same answer.
 */
import type { CapacityGroup, GroupMember } from '../../core/cluster';
import { decide } from '../../core/decide';
import { planScaleOut, type ScaleOut } from '../../core/scale-out';
import { group, instance, NOW, SETTINGS, service, serviceTask, shape } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const full = (id: string, zone: string) => instance({ id, group: 'spot', registered: UNIT, tasks: [serviceTask(4096, 4096)], attributes: { 'ecs.availability-zone': zone } });
// Five registered, full members (a a b b c) and one more member, not yet registered.
const registered = [full('i-1', 'us-east-1a'), full('i-2', 'us-east-1a'), full('i-3', 'us-east-1b'), full('i-4', 'us-east-1b'), full('i-5', 'us-east-1c')];
const spot = (extra: GroupMember, desired = 6): CapacityGroup =>
  group({
    name: 'spot',
    instance: UNIT,
    max: 20,
    desired,
    availabilityZones: ZONES,
    members: [...registered.map((i) => ({ id: i.id, pending: false, availabilityZone: i.attributes['ecs.availability-zone'] ?? '' })), extra],
  });
const launchedIn = (zone: string): GroupMember => ({ id: 'i-6', pending: true, launchedAt: NOW - 30_000, availabilityZone: zone });
// Launched 20 minutes ago and never registered: past the provisioning timeout (600 s), not incoming.
const staleIn = (zone: string): GroupMember => ({ id: 'i-6', pending: false, launchedAt: NOW - 1_200_000, availabilityZone: zone });
const pinnedA = service({ name: 'ledger-a', shape: shape(1024, 2048, { memberOf: ['attribute:ecs.availability-zone == us-east-1a'] }), desired: 1, unplaced: 1 });

const launches = (actions: readonly ScaleOut[]): number => actions.reduce((n, a) => n + a.count, 0);
const viaScaleOut = (g: CapacityGroup): number =>
  launches(planScaleOut({ now: NOW, instances: registered, groups: [g], services: [pinnedA], shape: shape(1024, 2048), shortageThreshold: 0, maxStep: 50, backoffSeconds: 300, provisioningTimeoutSeconds: 600 }).actions);
const viaDecide = (g: CapacityGroup): number =>
  launches(decide({ now: NOW, instances: registered, groups: [g], services: [pinnedA], history: [], settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 100 } }).scaleOut);

describe('incoming instances of a multi-zone group, for a task pinned to us-east-1a', () => {
  it.each<[string, CapacityGroup, number]>([
    // Before: the launched member was modelled as the next balanced launch (1a) and hid the shortage.
    ['a launched member in another zone does not cover it: launch one (it lands in 1a)', spot(launchedIn('us-east-1c')), 1],
    // Before (decide only): the member was modelled as the next balanced launch (1c) and one more was launched.
    ['a launched member in the pinned zone covers it: no launch', spot(launchedIn('us-east-1a')), 0],
    // Before (scale-out only): the stale member's zone (1c) was lent to the requested launch, which goes to 1a.
    ['a stale member lends its zone to no one: the launch requested but not yet made lands in 1a and covers it', spot(staleIn('us-east-1c'), 7), 0],
  ])('%s', (_rule, g, expected) => {
    expect({ scaleOut: viaScaleOut(g), decide: viaDecide(g) }).toEqual({ scaleOut: expected, decide: expected });
  });
});
