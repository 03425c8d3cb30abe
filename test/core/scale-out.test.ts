import { INTERRUPTED_ATTRIBUTE, type CapacityGroup, type Instance } from '../../core/cluster';
import { incomingCapacity, incomingCounts } from '../../core/incoming';
import { demandOf, planScaleOut, type ScaleOutInput, type ScaleOutPlan } from '../../core/scale-out';
import { daemonTask, group, instance, NOW, service, serviceTask, shape, standaloneTask, times } from './builders';

/** Instances of 4096 CPU / 16384 MiB; reference shape 1024/2048 → 4 copies per empty instance (cpu-bound). */
const UNIT = { cpu: 4096, memory: 16384 };
const A = group({ name: 'A', instance: UNIT, max: 20, desired: 1 });
const B = group({ name: 'B', instance: UNIT, max: 20, desired: 0 });
const full = (id: string, g = 'A'): Instance => instance({ id, group: g, registered: UNIT, tasks: [serviceTask(4096, 4096)] });
const empty = (id: string, g = 'A'): Instance => instance({ id, group: g, registered: UNIT });

function plan(overrides: Partial<ScaleOutInput> = {}): ScaleOutPlan {
  return planScaleOut({
    now: NOW,
    instances: [full('i-1')],
    groups: [A, B],
    services: [],
    shape: shape(1024, 2048),
    shortageThreshold: 2,
    maxStep: 50,
    backoffSeconds: 300,
    ...overrides,
  });
}
const counts = (p: ScaleOutPlan): Record<string, number> => Object.fromEntries(p.actions.map((a) => [a.group, a.count]));
const web = (unplaced: number, cpu = 1024, memory = 1024) => service({ name: 'web', shape: shape(cpu, memory), desired: unplaced, unplaced });

describe('scale-out: demand and the shortage threshold', () => {
  it.each<[string, Partial<ScaleOutInput>, Record<string, number>]>([
    ['no demand and headroom above the threshold: nothing', { instances: [empty('i-1')] }, {}],
    ['headroom exactly at the threshold: nothing (2 copies fit, threshold 2)', { instances: [instance({ id: 'i-1', group: 'A', registered: UNIT, tasks: [serviceTask(2048, 1)] })] }, {}],
    ['headroom one under the threshold: one instance for one reference task', { instances: [instance({ id: 'i-1', group: 'A', registered: UNIT, tasks: [serviceTask(3072, 1)] })] }, { A: 1 }],
    ['full cluster: 2 reference tasks → 1 instance', {}, { A: 1 }],
    // 7 unplaced + 2 reference tasks, all 1024 CPU → ⌈9/4⌉ = 3
    ['unplaced tasks plus the headroom target: ⌈(7 + 2)/4⌉ = 3', { services: [web(7)] }, { A: 3 }],
    // unplaced tasks fit the free space (8 free copies), and headroom after is 8 − 2 = 6 ≥ 2
    ['unplaced tasks that fit the free space need nothing', { instances: [empty('i-1'), empty('i-2')], groups: [{ ...A, desired: 2 }, B], services: [web(2)] }, {}],
    ['threshold 0 and no demand: nothing even when full', { shortageThreshold: 0 }, {}],
    ['daemon services are not demand', { shortageThreshold: 0, services: [service({ name: 'agent', daemon: true, shape: shape(64, 64), unplaced: 3 })] }, {}],
    // 5 PROVISIONING standalone tasks of 2048 CPU (2 per instance) + 2 reference tasks of 1024: ⌈5/2⌉ = 3 instances, the
    // third holds the 5th waiting task and both reference tasks
    ['tasks waiting with no instance (PROVISIONING) are demand', { waiting: times(5, () => shape(2048, 1024)) }, { A: 3 }],
    ['waiting tasks that fit the free space need nothing', { instances: [empty('i-1'), empty('i-2')], groups: [{ ...A, desired: 2 }, B], waiting: times(4, () => shape(1024, 1024)) }, {}],
  ])('%s', (_rule, overrides, expected) => {
    expect(counts(plan(overrides))).toEqual(expected);
  });

  it('the action reports the desired capacity after it and its reasons', () => {
    const p = plan({ services: [web(7)] });
    expect(p.actions[0]).toMatchObject({ kind: 'scale-out', group: 'A', count: 3, desired: 1 + 3 });
    expect(p.actions[0]?.reasons.join('\n')).toMatch(/7 of 7 task\(s\) needing a place/);
    expect(p.actions[0]?.reasons.join('\n')).toMatch(/headroom 0 < shortage threshold 2/);
    expect({ deficit: p.deficit, demand: p.demandTasks, needed: p.instancesNeeded }).toEqual({ deficit: 2, demand: 7, needed: 3 });
    expect(p.lowerBound).toBeLessThanOrEqual(p.instancesNeeded);
  });

  it('daemon reservations shrink every new instance', () => {
    // 6 unplaced + 2 reference = 8 tasks; 4 per instance without the daemon → 2; with a 1024-CPU daemon 3 per instance → 3
    expect(counts(plan({ services: [web(6)] }))).toEqual({ A: 2 });
    expect(counts(plan({ services: [web(6), service({ name: 'agent', daemon: true, shape: shape(1024, 64) })] }))).toEqual({ A: 3 });
  });
});

describe('scale-out: capacity on its way', () => {
  it.each<[string, Instance[], CapacityGroup[], Record<string, number>]>([
    ['desired 3, one registered: 2 incoming', [full('i-1')], [{ ...A, desired: 3 }], { A: 2 }],
    ['desired equal to registered members: nothing incoming', [full('i-1'), full('i-2')], [{ ...A, desired: 2 }], { A: 0 }],
    ['terminating members are not live: desired 2, one live, one terminating → 1 incoming', [full('i-1'), { ...full('i-2'), terminating: true }], [{ ...A, desired: 2 }], { A: 1 }],
    ['DRAINING members still count as live', [full('i-1'), { ...full('i-2'), status: 'DRAINING' }], [{ ...A, desired: 2 }], { A: 0 }],
    ['a member marked interrupted is leaving: Auto Scaling refills its seat → 1 incoming', [full('i-1'), { ...full('i-2'), status: 'DRAINING', attributes: { [INTERRUPTED_ATTRIBUTE]: '2025-06-01T12:00:00.000Z' } }], [{ ...A, desired: 2 }], { A: 1 }],
    ['more registered than desired: never negative', [full('i-1'), full('i-2')], [{ ...A, desired: 1 }], { A: 0 }],
    ['members of other groups do not count', [full('i-1', 'B')], [{ ...A, desired: 1 }], { A: 1 }],
  ])('incomingCapacity: %s', (_rule, instances, groups, expected) => {
    expect(Object.fromEntries(incomingCounts(incomingCapacity(instances, groups)))).toEqual(expected);
  });

  it('the tasks of a member marked interrupted go to its replacement: no launch beside the one Auto Scaling makes', () => {
    const interrupted = (attributes: Record<string, string>): Instance => instance({ id: 'i-2', group: 'A', status: 'DRAINING', registered: UNIT, attributes, tasks: [serviceTask(1024, 1024), serviceTask(1024, 1024)] });
    const groups = [{ ...A, desired: 2 }, B];
    // Marked: the seat is incoming (4 copies), the 2 tasks take 2 of them, 2 ≥ threshold 2 → nothing.
    expect(counts(plan({ instances: [full('i-1'), interrupted({ [INTERRUPTED_ATTRIBUTE]: '2025-06-01T12:00:00.000Z' })], groups }))).toEqual({});
    // Unmarked (an operator's drain): no seat comes back, the 2 tasks and the threshold need an instance.
    expect(counts(plan({ instances: [full('i-1'), interrupted({})], groups }))).toEqual({ A: 1 });
  });

  it('an incoming instance is counted before asking for more', () => {
    // Full cluster, threshold 2: one instance on its way holds 4 reference tasks → no action.
    const p = plan({ groups: [{ ...A, desired: 2 }, B] });
    expect(p.actions).toEqual([]);
    expect(p.headroom).toBe(4);
    expect(p.incoming.get('A')?.count).toBe(1);
  });

  it('an incoming instance takes unplaced tasks; only the rest needs new instances', () => {
    // 1 incoming takes 4 of 7 unplaced; 3 left + 2 reference = 5 → ⌈5/4⌉ = 2
    expect(counts(plan({ groups: [{ ...A, desired: 2 }, B], services: [web(7)] }))).toEqual({ A: 2 });
  });

  it('incoming instances carry the daemon reservations too', () => {
    // incoming: 4096 − 2048 daemon = 2 reference copies = threshold → no action
    const p = plan({ groups: [{ ...A, desired: 2 }, B], services: [service({ name: 'agent', daemon: true, shape: shape(2048, 64) })] });
    expect(p.headroom).toBe(2);
    expect(p.actions).toEqual([]);
  });
});

describe('scale-out: displaced tasks', () => {
  const leaver = (status: Instance['status'] = 'ACTIVE'): Instance =>
    instance({
      id: 'i-leaving',
      group: 'spot-other',
      status,
      registered: UNIT,
      tasks: [
        serviceTask(1024, 1024),
        serviceTask(1024, 1024),
        serviceTask(1024, 1024, { status: 'PENDING' }),
        serviceTask(1024, 1024, { status: 'STOPPING' }),
        serviceTask(1024, 1024, { status: 'DEACTIVATING' }),
        serviceTask(1024, 1024, { status: 'STOPPED' }),
        daemonTask(128, 128),
        standaloneTask(512, 512),
      ],
    });

  it('service tasks of a leaving instance become demand (not daemon, standalone, stopped or already stopping ones)', () => {
    const d = demandOf([], [leaver()], new Set(['i-leaving']));
    expect(d).toHaveLength(3);
  });

  it.each<[string, Partial<ScaleOutInput>, Instance]>([
    ['an instance in the leaving set (Spot warning)', { leaving: new Set(['i-leaving']) }, leaver()],
    ['a terminating instance', {}, { ...leaver(), terminating: true }],
    ['a DRAINING instance', {}, leaver('DRAINING')],
  ])('%s: its 3 live service tasks are re-homed and its capacity does not count', (_rule, overrides, l) => {
    // Threshold 0 isolates the displaced tasks: 3 × 1024 → 1 new instance in A.
    const p = plan({ instances: [full('i-1'), l], shortageThreshold: 0, ...overrides });
    expect(p.demandTasks).toBe(3);
    expect(counts(p)).toEqual({ A: 1 });
  });

  it('a reactivated DRAINING instance is capacity and its tasks stay', () => {
    const drained = instance({ id: 'i-d', group: 'A', status: 'DRAINING', registered: UNIT, tasks: [serviceTask(1024, 1024)] });
    const p = plan({ instances: [full('i-1'), drained], groups: [{ ...A, desired: 2 }, B], reactivated: new Set(['i-d']) });
    // 3 copies free on the reactivated instance ≥ threshold 2; no displaced task
    expect({ demand: p.demandTasks, headroom: p.headroom, actions: p.actions.length }).toEqual({ demand: 0, headroom: 3, actions: 0 });
  });
});

describe('scale-out: groups, back-off, limits', () => {
  const failedAgo = (g: CapacityGroup, seconds: number): CapacityGroup => ({ ...g, launchFailedAt: NOW - seconds * 1000 });

  it.each<[string, Partial<ScaleOutInput>, Record<string, number>]>([
    ['groups are used in priority order', { services: [web(6)] }, { A: 2 }],
    ['priority follows the order given, not the name', { groups: [B, A], services: [web(6)] }, { B: 2 }],
    ['a group whose launch failed within the back-off window is skipped', { groups: [failedAgo(A, 100), B], services: [web(6)] }, { B: 2 }],
    ['after the back-off window the group is used again', { groups: [failedAgo(A, 300), B], services: [web(6)] }, { A: 2 }],
    ['a backed-off group is still the fallback when no other group has room', { groups: [failedAgo(A, 100), { ...B, max: 0 }], services: [web(6)] }, { A: 2 }],
    ['a group at its max is skipped', { groups: [{ ...A, max: 1 }, B], services: [web(6)] }, { B: 2 }],
    // A may grow by 1 (max 2, desired 1): 4 of 8 tasks; the other 4 spill to B
    ['the group max caps the count; the rest spills to the next group', { groups: [{ ...A, max: 2 }, B], services: [web(6)] }, { A: 1, B: 1 }],
    ['MAX_SCALE_OUT_STEP caps the count', { maxStep: 2, services: [web(18)] }, { A: 2 }],
    ['MAX_SCALE_OUT_STEP is over the whole decision, across groups', { maxStep: 2, groups: [{ ...A, max: 2 }, B], services: [web(18)] }, { A: 1, B: 1 }],
    // A's instances hold 2048 CPU: a 3072-CPU task cannot go there and spills to B
    ['a task too large for a group spills to the next', { shortageThreshold: 0, groups: [{ ...A, instance: { cpu: 2048, memory: 16384 } }, B], services: [web(1, 3072)] }, { B: 1 }],
    ['a memberOf only the next group satisfies spills to it', { shortageThreshold: 0, groups: [A, { ...B, attributes: { 'ecs.availability-zone': 'z2' } }], services: [service({ name: 'z', shape: shape(1, 1, { memberOf: ['attribute:ecs.availability-zone == z2'] }), unplaced: 1 })] }, { B: 1 }],
  ])('%s', (_rule, overrides, expected) => {
    expect(counts(plan(overrides))).toEqual(expected);
  });

  it('every group at max: nothing launched and the tasks are reported unplaceable', () => {
    const p = plan({ groups: [{ ...A, max: 1 }, { ...B, max: 0 }], services: [web(3)] });
    expect(p.actions).toEqual([]);
    expect(p.unplaceable).toHaveLength(1);
    expect(p.reasons.join('\n')).toMatch(/group A is at its max/);
  });

  it('the cap reason names the limit that applied', () => {
    const p = plan({ maxStep: 2, services: [web(18)] });
    expect(p.actions[0]?.reasons.join('\n')).toMatch(/MAX_SCALE_OUT_STEP 2/);
    const q = plan({ groups: [{ ...A, max: 2 }, { ...B, max: 0 }], services: [web(18)] });
    expect(q.actions[0]?.reasons.join('\n')).toMatch(/group max 2/);
  });

  it('a task no group can hold is unschedulable (reported with the reason) and launches nothing for it', () => {
    const p = plan({ shortageThreshold: 0, services: [web(1, 8192)] });
    expect({ actions: p.actions.length, unplaceable: p.unplaceable.length, unschedulable: p.unschedulable.length, demand: p.demandTasks }).toEqual({ actions: 0, unplaceable: 0, unschedulable: 1, demand: 0 });
    expect(p.reasons.join('\n')).toMatch(/no group can ever hold it \(A: cpu; B: cpu\)/);
  });

  it('many unplaced tasks: the count is the FFD count (each new instance holds 4)', () => {
    const p = plan({ shortageThreshold: 0, services: times(3, (k) => service({ name: `s${k}`, shape: shape(1024, 1024), unplaced: 4 })) });
    expect(counts(p)).toEqual({ A: 3 });
    expect(p.lowerBound).toBe(3);
  });
});
