/**
 * Rule: failed launches fall back at once. Incoming capacity counts only members that exist and have
 * not registered yet (aged out after the provisioning timeout) and requested capacity of groups whose
 * launches are not failing; the next group in priority order gets the work on the same tick.
 */
import type { CapacityGroup, GroupMember } from '../../core/cluster';
import { decide } from '../../core/decide';
import { incomingCapacity, incomingCounts } from '../../core/incoming';
import { planScaleOut } from '../../core/scale-out';
import { group, instance, NOW, SETTINGS, service, serviceTask, shape } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const TIMEOUT = 600;
const member = (id: string, extra: Partial<GroupMember> = {}): GroupMember => ({ id, pending: true, ...extra });
const spot = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'spot', instance: UNIT, max: 50, desired: 0, members: [], spot: true, ...overrides });
const onDemand = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'on-demand', instance: UNIT, max: 50, desired: 0, members: [], ...overrides });
const registered = (id: string, g: string) => instance({ id, group: g, registered: UNIT, tasks: [serviceTask(4096, 4096)] });

describe('failed launches fall back at once: incoming capacity', () => {
  it.each<[string, CapacityGroup, number]>([
    ['desired with no member yet and no failure: requested capacity is on its way', spot({ desired: 3 }), 3],
    ['desired with no member and a launch failed 30 s ago: nothing is on its way', spot({ desired: 5, launchFailedAt: NOW - 30_000 }), 0],
    ['a failure older than the provisioning timeout no longer blocks requested capacity', spot({ desired: 2, launchFailedAt: NOW - (TIMEOUT + 1) * 1000 }), 2],
    ['an unregistered member launched 2 min ago counts', spot({ desired: 1, members: [member('i-new', { launchedAt: NOW - 120_000 })] }), 1],
    ['an unregistered member older than the provisioning timeout does not count', spot({ desired: 1, members: [member('i-old', { launchedAt: NOW - (TIMEOUT + 1) * 1000, pending: false })] }), 0],
    ['an unregistered member of unknown age counts while Pending', spot({ desired: 1, members: [member('i-p')] }), 1],
    ['an unregistered InService member of unknown age does not count (it is broken, not incoming)', spot({ desired: 1, members: [member('i-s', { pending: false })] }), 0],
    ['members that exist but have not registered still count after a later failure: they were delivered', spot({ desired: 4, members: [member('i-a', { launchedAt: NOW - 60_000 }), member('i-b', { launchedAt: NOW - 60_000 })], launchFailedAt: NOW - 10_000 }), 2],
    ['a registered member is not incoming', spot({ desired: 1, members: [member('i-r', { pending: false })] }), 0],
    // Mixed-instances groups count desired capacity in weight units: a member counts its weight.
    ['weighted: desired 8 units met by a weight-2 and six weight-1 registered members leaves nothing requested', spot({ desired: 8, members: [member('i-r', { pending: false, weight: 2 }), ...['a', 'b', 'c', 'd', 'e', 'f'].map((k) => member(`i-r${k}`, { pending: false }))] }), 0],
    ['weighted: desired 6 units with one weight-2 member leaves 4 units, two instances of planned weight 2', spot({ desired: 6, weight: 2, members: [member('i-r', { pending: false, weight: 2 })] }), 2],
    ['weighted: an unregistered weight-2 member of a group planned in weight 1 is two planned instances on their way', spot({ desired: 2, members: [member('i-new', { launchedAt: NOW - 60_000, weight: 2 })] }), 2],
    ['weighted: a weight-2 member on its way and 3 units not yet launched, planned in weight 1: 5 instances', spot({ desired: 5, members: [member('i-new', { launchedAt: NOW - 60_000, weight: 2 })] }), 5],
    ['weighted: an unregistered weight-1 member of a group planned in weight 2 still counts as one', spot({ desired: 1, weight: 2, members: [member('i-new', { launchedAt: NOW - 60_000 })] }), 1],
  ])('%s', (_rule, g, expected) => {
    const instances = (g.members ?? []).filter((m) => m.id.startsWith('i-r')).map((m) => registered(m.id, 'spot'));
    expect(incomingCounts(incomingCapacity(instances, [g], undefined, NOW, TIMEOUT)).get(g.name)).toBe(expected);
  });

  it('a member leaving (Spot warning) is not incoming, and its replacement is requested capacity', () => {
    const g = spot({ desired: 2, members: [member('i-1', { pending: false }), member('i-2', { pending: false })] });
    const incoming = incomingCapacity([registered('i-1', 'spot'), registered('i-2', 'spot')], [g], new Set(['i-2']), NOW, TIMEOUT);
    expect(incoming.get('spot')?.count).toBe(1);
  });
});

describe('failed launches fall back at once: the next group gets the work', () => {
  it('24 unplaced tasks, Spot desired 5 with 0 registered, a failed launch 30 s ago: scale-out on the next group now', () => {
    const d = decide({
      now: NOW,
      instances: [],
      groups: [spot({ desired: 5, launchFailedAt: NOW - 30_000 }), onDemand()],
      services: [service({ name: 'web', shape: shape(1024, 2048), desired: 24, unplaced: 24 })],
      history: [],
      settings: { ...SETTINGS, spotReserveInstances: 0 },
    });
    // 24 tasks + 2 reference tasks of 1024 CPU, 4 per instance → ⌈26/4⌉ = 7 on-demand instances
    expect(d.scaleOut.map((a) => [a.group, a.count])).toEqual([['on-demand', 7]]);
  });

  it('the same cluster without the failure waits for the 5 requested Spot instances and adds only the rest', () => {
    const p = planScaleOut({
      now: NOW,
      instances: [],
      groups: [spot({ desired: 5 }), onDemand()],
      services: [service({ name: 'web', shape: shape(1024, 2048), desired: 24, unplaced: 24 })],
      shape: shape(1024, 2048),
      shortageThreshold: 2,
      maxStep: 50,
      backoffSeconds: 300,
      provisioningTimeoutSeconds: TIMEOUT,
    });
    // 5 incoming instances hold 20; 4 + 2 reference tasks → 2 more Spot instances
    expect(p.actions.map((a) => [a.group, a.count])).toEqual([['spot', 2]]);
  });

  it('instances stuck unregistered past the timeout are replaced by real capacity', () => {
    const p = planScaleOut({
      now: NOW,
      instances: [],
      groups: [spot({ desired: 2, members: [member('i-1', { launchedAt: NOW - 3_600_000, pending: false }), member('i-2', { launchedAt: NOW - 3_600_000, pending: false })] })],
      services: [service({ name: 'web', shape: shape(1024, 2048), desired: 4, unplaced: 4 })],
      shape: shape(1024, 2048),
      shortageThreshold: 0,
      maxStep: 50,
      backoffSeconds: 300,
      provisioningTimeoutSeconds: TIMEOUT,
    });
    expect(p.actions.map((a) => [a.group, a.count])).toEqual([['spot', 1]]);
  });
});
