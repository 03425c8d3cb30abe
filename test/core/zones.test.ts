/**
 * Rule: zones. A task pinned to a zone scales a group that can launch there; several groups, one
 * per zone, share new capacity evenly instead of filling the first, so a zone-wide Spot event
 * cannot take most of the spare.
 */
import type { CapacityGroup } from '../../core/cluster';
import { planScaleOut, type ScaleOutInput, type ScaleOutPlan } from '../../core/scale-out';
import { balancedSequence, zoneRuns } from '../../core/zones';
import { group, instance, NOW, service, serviceTask, shape } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const zonal = (name: string, zone: string, overrides: Partial<CapacityGroup> = {}): CapacityGroup =>
  group({ name, instance: UNIT, max: 20, desired: 0, members: [], attributes: { 'ecs.availability-zone': zone }, availabilityZones: [zone], spot: true, ...overrides });
const a = zonal('spot-a', 'eu-west-1a');
const b = zonal('spot-b', 'eu-west-1b');
const c = zonal('spot-c', 'eu-west-1c');

function plan(overrides: Partial<ScaleOutInput>): ScaleOutPlan {
  return planScaleOut({ now: NOW, instances: [], groups: [a, b, c], services: [], shape: shape(1024, 2048), shortageThreshold: 0, maxStep: 50, backoffSeconds: 300, ...overrides });
}
const counts = (p: ScaleOutPlan): Record<string, number> => Object.fromEntries(p.actions.map((x) => [x.group, x.count]));
const pinned = (zone: string, n: number) => service({ name: `pinned-${zone}`, shape: shape(1024, 1024, { memberOf: [`attribute:ecs.availability-zone == ${zone}`] }), desired: n, unplaced: n });
const web = (n: number) => service({ name: 'web', shape: shape(1024, 1024), desired: n, unplaced: n });

// Zones a and b hold one full instance each, zone c none: c is the emptiest zone.
const fullIn = (id: string, g: CapacityGroup) => instance({ id, group: g.name, registered: UNIT, tasks: [serviceTask(4096, 4096)], attributes: { 'ecs.availability-zone': g.attributes?.['ecs.availability-zone'] ?? '' } });
const fullInAandB: Partial<ScaleOutInput> = {
  instances: [fullIn('i-a', a), fullIn('i-b', b)],
  groups: [{ ...a, desired: 1, members: [{ id: 'i-a', pending: false }] }, { ...b, desired: 1, members: [{ id: 'i-b', pending: false }] }, c],
};

describe('zones', () => {
  it.each<[string, Partial<ScaleOutInput>, Record<string, number>]>([
    ['a task pinned to a zone scales the group of that zone', { services: [pinned('eu-west-1b', 3)] }, { 'spot-b': 1 }],
    ['tasks pinned to two zones scale both groups', { services: [pinned('eu-west-1c', 5), pinned('eu-west-1a', 1)] }, { 'spot-a': 1, 'spot-c': 2 }],
    // 24 tasks, 4 per instance → 6 instances, 2 per zone instead of 6 in the first
    ['unpinned demand is spread evenly across one-zone groups', { services: [web(24)] }, { 'spot-a': 2, 'spot-b': 2, 'spot-c': 2 }],
    // zone a already has 2 instances on their way (holding 8 tasks): the 3 new ones go to b, c, then b
    ['the spread evens out existing imbalance first', { groups: [{ ...a, desired: 2 }, b, c], services: [web(20)] }, { 'spot-b': 2, 'spot-c': 1 }],
    ['a zone group at its max is skipped by the spread', { groups: [a, { ...b, max: 0 }, c], services: [web(16)] }, { 'spot-a': 2, 'spot-c': 2 }],
    ['groups of different shapes are not spread (priority order holds)', { groups: [a, { ...b, instance: { cpu: 8192, memory: 32768 } }], services: [web(8)] }, { 'spot-a': 2 }],
    // c is the emptiest zone, but the instances a and b need for their pinned task have room for
    // the 2 unpinned tasks: 2 instances, not a third in c
    ['unpinned tasks fill the room of instances opened for pinned ones before the spread opens another zone', { ...fullInAandB, services: [pinned('eu-west-1a', 1), pinned('eu-west-1b', 1), web(2)] }, { 'spot-a': 1, 'spot-b': 1 }],
    ['what the pinned instances cannot hold is still spread, emptiest zone first', { ...fullInAandB, services: [pinned('eu-west-1a', 1), pinned('eu-west-1b', 1), web(8)] }, { 'spot-a': 1, 'spot-b': 1, 'spot-c': 1 }],
  ])('%s', (_rule, overrides, expected) => {
    expect(counts(plan(overrides))).toEqual(expected);
  });

  describe('a group spanning zones (Auto Scaling puts each launch in the zone with the fewest instances)', () => {
    const multi = group({
      name: 'multi',
      instance: UNIT,
      max: 20,
      desired: 2,
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      members: [
        { id: 'i-a', pending: false, availabilityZone: 'eu-west-1a' },
        { id: 'i-b', pending: false, availabilityZone: 'eu-west-1b' },
      ],
    });
    const registered = ['i-a', 'i-b'].map((id) => ({ id, group: 'multi', status: 'ACTIVE' as const, registered: UNIT, remaining: { cpu: 0, memory: 0 }, usedTcpPorts: [], usedUdpPorts: [], attributes: {}, tasks: [] }));
    it.each<[string, string, Record<string, number>]>([
      ['pinned to the emptiest zone: one launch lands there', 'eu-west-1c', { multi: 1 }],
      ['pinned to a zone that is not next: the launches up to the first one there', 'eu-west-1a', { multi: 2 }],
    ])('%s', (_rule, zone, expected) => {
      expect(counts(plan({ instances: registered, groups: [multi], services: [pinned(zone, 1)] }))).toEqual(expected);
    });

    it('pinned to a zone the group does not span: unschedulable, nothing launched', () => {
      const p = plan({ instances: registered, groups: [multi], services: [pinned('eu-west-1d', 1)] });
      expect(p.actions).toEqual([]);
      expect(p.unschedulable).toHaveLength(1);
    });
  });

  it('a multi-zone group is its own run (Auto Scaling balances its zones)', () => {
    const multi = group({ name: 'multi', instance: UNIT, availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    expect(zoneRuns([multi, a, b]).map((r) => r.map((g) => g.name))).toEqual([['multi'], ['spot-a', 'spot-b']]);
  });

  it('balancedSequence always picks the zone with the fewest instances, ties in priority order', () => {
    expect(balancedSequence([{ ...a, desired: 1 }, b, c], 5).map((g) => g.name)).toEqual(['spot-b', 'spot-c', 'spot-a', 'spot-b', 'spot-c']);
  });
});
