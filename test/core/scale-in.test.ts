import { REBALANCE_ATTRIBUTE, type CapacityGroup, type Instance, type Task } from '../../core/cluster';
import { excessHeldSince, planScaleIn, scaleInBudget, type HeadroomSample, type ScaleInInput, type ScaleInPlan } from '../../core/scale-in';
import { headroom } from '../../core/headroom';
import { daemonTask, group, instance, NOW, scaleInDrain, serviceTask, shape, standaloneTask, times } from './builders';

/** 4096 CPU / 16384 MiB instances; reference 1024/2048 → 4 copies per empty instance (cpu-bound). */
const UNIT = { cpu: 4096, memory: 16384 };
const REF = shape(1024, 2048);
const on = (id: string, tasks: Task[] = [], g = 'A'): Instance => instance({ id, group: g, registered: UNIT, tasks });
const A = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'A', instance: UNIT, min: 0, max: 100, desired: 100, ...overrides });
const HELD: HeadroomSample[] = [{ at: NOW - 600_000, value: 1_000 }];

function plan(instances: Instance[], overrides: Partial<ScaleInInput> = {}): ScaleInPlan {
  return planScaleIn({
    now: NOW,
    instances,
    groups: [A()],
    shape: REF,
    headroom: headroom(REF, instances).total,
    history: HELD,
    shortageThreshold: 2,
    excessThreshold: 5,
    stabilizationSeconds: 600,
    maxScaleInPercent: 10,
    ...overrides,
  });
}
const chosen = (p: ScaleInPlan): string[] => p.actions.map((a) => a.instance);

describe('scale-in: stabilisation window', () => {
  const two = [on('a'), on('b')]; // headroom 8 > excess 5; removing one leaves 4 ≥ 2
  it.each<[string, HeadroomSample[], number]>([
    ['no history: the excess has not been held', [], 0],
    ['held 599 s of 600: no action', [{ at: NOW - 599_000, value: 50 }], 0],
    ['held exactly 600 s: acts', [{ at: NOW - 600_000, value: 50 }], 1],
    ['a dip to the threshold inside the window restarts it', [{ at: NOW - 900_000, value: 50 }, { at: NOW - 300_000, value: 5 }, { at: NOW - 60_000, value: 50 }], 0],
    ['samples in any order are sorted by time', [{ at: NOW - 60_000, value: 50 }, { at: NOW - 700_000, value: 50 }, { at: NOW - 300_000, value: 50 }], 1],
    ['an old dip before the run does not matter', [{ at: NOW - 2_000_000, value: 0 }, { at: NOW - 900_000, value: 50 }], 1],
  ])('%s', (_rule, history, actions) => {
    expect(plan(two, { history }).actions).toHaveLength(actions);
  });

  it('headroom at or under the excess threshold: no action even with a long history', () => {
    const p = plan([on('a'), on('b')], { excessThreshold: 8 });
    expect(p.actions).toEqual([]);
    expect(p.reasons.join('\n')).toMatch(/≤ excess threshold/);
  });

  it.each<[string, HeadroomSample[], number | undefined]>([
    ['start of the newest run above the threshold', [{ at: 1, value: 11 }, { at: 2, value: 9 }, { at: 3, value: 12 }, { at: 4, value: 20 }], 3],
    ['undefined when the newest sample is not above', [{ at: 1, value: 20 }, { at: 2, value: 10 }], undefined],
    ['undefined on no samples', [], undefined],
  ])('excessHeldSince: %s', (_rule, history, expected) => {
    expect(excessHeldSince(history, 10)).toBe(expected);
  });
});

describe('scale-in: candidates', () => {
  it.each<[string, Instance[], string[]]>([
    ['fewest non-daemon tasks first (daemon tasks do not count)', [on('two', [serviceTask(256, 256), serviceTask(256, 256)]), on('daemon-only', [daemonTask(128, 128)]), on('one', [serviceTask(256, 256)])], ['daemon-only']],
    ['then lowest utilisation', [on('one-big', [serviceTask(2048, 256)]), on('one-small', [serviceTask(512, 256)]), on('two', [serviceTask(256, 256), serviceTask(256, 256)])], ['one-small']],
    ['an instance running a standalone task is a candidate like any other (the task finishes in place)', [on('solo', [standaloneTask(64, 64)]), on('two', [serviceTask(256, 256), serviceTask(256, 256)]), on('one', [serviceTask(256, 256), serviceTask(256, 256), serviceTask(256, 256)])], ['solo']],
    ['fewer live tasks wins whatever their role', [on('batch', [standaloneTask(64, 64), standaloneTask(64, 64)]), on('one', [serviceTask(256, 256)]), on('x', [serviceTask(256, 256), serviceTask(256, 256), serviceTask(256, 256)])], ['one']],
    ['a STOPPED standalone task does not block', [on('solo', [standaloneTask(64, 64, { status: 'STOPPED' })]), on('one', [serviceTask(256, 256)]), on('x', [])], ['solo']],
    ['instances of an unconfigured group are not candidates', [on('other', [], 'B'), on('one', [serviceTask(256, 256)]), on('x', [serviceTask(256, 256)])], ['one']],
    ['instances without a group are not candidates', [instance({ id: 'loose', registered: UNIT, group: undefined as unknown as string }), on('one', [serviceTask(256, 256)]), on('x', [serviceTask(256, 256)])], ['one']],
    ['DRAINING instances are not candidates', [{ ...on('d'), status: 'DRAINING' }, on('one', [serviceTask(256, 256)]), on('x', [serviceTask(256, 256)])], ['one']],
  ])('%s', (_rule, instances, expected) => {
    expect(chosen(plan(instances))).toEqual(expected);
  });
});

describe('scale-in: fallback capacity goes back first', () => {
  // Groups in priority order: scale-out uses a later group only when the earlier ones cannot deliver
  // (at max, or launches failing), so the later group's instances are the first to give back.
  const spot = group({ name: 'spot', instance: UNIT, min: 0, max: 100, desired: 100, spot: true, attributes: { 'ecs.availability-zone': 'z-a' } });
  const onDemand = group({ name: 'od', instance: UNIT, min: 0, max: 100, desired: 100, pricePerHour: 0.192 });
  const spotB = { ...spot, name: 'spot-b', attributes: { 'ecs.availability-zone': 'z-b' } };
  const task = (): Task => serviceTask(256, 256);
  it.each<[string, CapacityGroup[], Instance[], string[]]>([
    ['an On-Demand fallback instance with a task goes before an empty Spot one', [spot, onDemand], [on('s-empty', [], 'spot'), on('od-one', [task()], 'od'), on('s-two', [task(), task()], 'spot')], ['od-one']],
    ['listed the other way round, the Spot group is the fallback', [onDemand, spot], [on('s-one', [task()], 'spot'), on('od-empty', [], 'od'), on('od-two', [task(), task()], 'od')], ['s-one']],
    ['one-zone groups of one pool are one priority: fewest tasks decides', [spot, spotB], [on('a-one', [task()], 'spot'), on('b-empty', [], 'spot-b'), on('a-two', [task(), task()], 'spot')], ['b-empty']],
    ['a fallback instance whose tasks do not fit elsewhere stays; the next candidate goes', [spot, onDemand], [on('od-full', [serviceTask(3072, 256)], 'od'), on('s-a', [serviceTask(2048, 256)], 'spot'), on('s-b', [serviceTask(2048, 256)], 'spot')], ['s-a']],
  ])('%s', (_rule, groups, instances, expected) => {
    expect(chosen(plan(instances, { groups, excessThreshold: 1, shortageThreshold: 1 }))).toEqual(expected);
  });

  it('an instance replaced on a rebalance recommendation still goes first', () => {
    const atRisk = instance({ id: 's-risk', group: 'spot', registered: UNIT, tasks: [task(), task()], attributes: { [REBALANCE_ATTRIBUTE]: '2025-01-01T00:00:00.000Z' } });
    expect(chosen(plan([on('od-empty', [], 'od'), atRisk, on('s-x', [task(), task(), task()], 'spot')], { groups: [spot, onDemand], excessThreshold: 1, shortageThreshold: 1 }))).toEqual(['s-risk']);
  });
});

describe('scale-in: simulated removal', () => {
  it('all service tasks of a candidate must fit elsewhere', () => {
    // each holds 3072 CPU; the other has 1024 free → neither can go
    const p = plan([on('a', [serviceTask(3072, 1024)]), on('b', [serviceTask(3072, 1024)]), on('c', [serviceTask(3072, 1024)]), on('e', [serviceTask(4096, 1)])], { excessThreshold: 1, shortageThreshold: 0 });
    expect(p.actions).toEqual([]);
  });

  it('the tasks go where they fit: two 1024 tasks onto an instance with 2048 free', () => {
    const p = plan([on('a', [serviceTask(1024, 1024), serviceTask(1024, 1024)]), on('b', [serviceTask(2048, 1024)]), on('c')], { excessThreshold: 1, shortageThreshold: 0 });
    // candidates: c (0 tasks) first, then b (1 task), then a; budget 1
    expect(chosen(p)).toEqual(['c']);
  });

  it('a port held on every other instance keeps the candidate', () => {
    const port = (id: string): Instance => on(id, [serviceTask(256, 256, { tcpPorts: [8080] })]);
    const p = plan([port('a'), port('b'), port('c')], { excessThreshold: 1, shortageThreshold: 0 });
    expect(p.actions).toEqual([]);
  });

  it.each<[string, number, number]>([
    // two empty instances: headroom 8; removing one leaves 4
    ['headroom after must stay ≥ the shortage threshold: 4 < 5 → no action', 5, 0],
    ['headroom after equal to the shortage threshold is allowed: 4 ≥ 4', 4, 1],
  ])('%s', (_rule, shortageThreshold, actions) => {
    const p = plan([on('a'), on('b')], { shortageThreshold, excessThreshold: 6 });
    expect(p.actions).toHaveLength(actions);
  });

  it('headroom after counts the space the moved tasks take', () => {
    // a: one 1024 task → 3 copies; b: two 256 tasks → ⌊3584/1024⌋ = 3 copies; headroom 6 > excess 5.
    // a goes first (fewer tasks); its task on b leaves ⌊2560/1024⌋ = 2 copies; b instead leaves a with ⌊2560/1024⌋ = 2.
    const instances = [on('a', [serviceTask(1024, 1024)]), on('b', [serviceTask(256, 256), serviceTask(256, 256)])];
    expect(plan(instances, { shortageThreshold: 3, excessThreshold: 5 }).actions).toHaveLength(0);
    const p = plan(instances, { shortageThreshold: 2, excessThreshold: 5 });
    expect({ chosen: chosen(p), after: p.headroomAfter }).toEqual({ chosen: ['a'], after: 2 });
  });
});

describe('scale-in: budget and min', () => {
  it.each<[number, number, number]>([
    [20, 10, 2],
    [20, 15, 3],
    [20, 1, 1],
    [5, 10, 1],
    [1, 100, 1],
    [0, 10, 1],
  ])('scaleInBudget(%i instances, %i %%) = %i', (n, percent, expected) => {
    expect(scaleInBudget(n, percent)).toBe(expected);
  });

  const twenty = (): Instance[] => times(20, (k) => on(`i-${String(k).padStart(2, '0')}`));

  it.each<[string, Partial<ScaleInInput>, number]>([
    ['MAX_SCALE_IN_PERCENT 10 of 20 empty instances: 2', {}, 2],
    ['MAX_SCALE_IN_PERCENT 25 of 20: 5', { maxScaleInPercent: 25 }, 5],
    ['at least one instance even when the percent rounds to 0', { maxScaleInPercent: 1 }, 1],
    ['never below min: desired 20, min 19 → 1', { groups: [A({ desired: 20, min: 19 })] }, 1],
    ['at min: none', { groups: [A({ desired: 20, min: 20 })] }, 0],
  ])('%s', (_rule, overrides, n) => {
    expect(plan(twenty(), { excessThreshold: 10, ...overrides }).actions).toHaveLength(n);
  });

  it('instances already draining for scale-in count against min', () => {
    // desired 21 (20 active + 1 draining for scale-in), min 19: only 21 − 19 − 1 = 1 more may go
    const instances = [...twenty(), scaleInDrain({ id: 'i-drain', group: 'A', registered: UNIT })];
    expect(plan(instances, { excessThreshold: 10, groups: [A({ desired: 21, min: 19 })] }).actions).toHaveLength(1);
    expect(plan(instances, { excessThreshold: 10, groups: [A({ desired: 21, min: 20 })] }).actions).toHaveLength(0);
  });

  it('a DRAINING instance without the scale-in attribute does not count as a scale-in drain', () => {
    const instances = [...twenty(), instance({ id: 'i-other', group: 'A', status: 'DRAINING', registered: UNIT })];
    expect(plan(instances, { excessThreshold: 10, groups: [A({ desired: 21, min: 19 })] }).actions).toHaveLength(2);
  });

  // A weighted group counts desired and min in capacity units; terminating a member with the
  // decrement lowers desired by its weight, so a removal uses up that many units above min.
  const weighted = (weights: number[], drainWeight?: number): CapacityGroup =>
    A({
      desired: weights.reduce((a, b) => a + b, 0) + (drainWeight ?? 0),
      members: [...weights.map((w, k) => ({ id: `i-${String(k).padStart(2, '0')}`, pending: false, weight: w })), ...(drainWeight !== undefined ? [{ id: 'i-drain', pending: false, weight: drainWeight }] : [])],
    });
  it.each<[string, number[], number, number | undefined, number]>([
    ['weight 4 members, 3 units above min: none may go', [4, 4, 4], 9, undefined, 0],
    ['weight 4 members, 4 units above min: one', [4, 4, 4], 8, undefined, 1],
    ['weight 1 members, 3 units above min: three', [1, 1, 1, 1, 1], 2, undefined, 3],
    ['desired 8, min 4, a weight-2 member draining for scale-in: 2 units left, one weight-2 member', [2, 2, 2], 4, 2, 1],
    ['desired 10, min 4, a weight-4 member draining for scale-in: 2 units left, one weight-2 member', [2, 2, 2], 4, 4, 1],
    ['desired 10, min 6, a weight-4 member draining for scale-in: no unit left', [2, 2, 2], 6, 4, 0],
  ])('min in weight units: %s', (_rule, weights, min, drainWeight, n) => {
    const instances = [...weights.map((_, k) => on(`i-${String(k).padStart(2, '0')}`)), ...(drainWeight !== undefined ? [scaleInDrain({ id: 'i-drain', group: 'A', registered: UNIT })] : [])];
    const groups = [{ ...weighted(weights, drainWeight), min }];
    expect(plan(instances, { excessThreshold: 1, maxScaleInPercent: 100, groups }).actions).toHaveLength(n);
  });

  it('min is per group', () => {
    const instances = [...times(10, (k) => on(`a-${k}`)), ...times(10, (k) => on(`b-${k}`, [], 'B'))];
    const p = plan(instances, { excessThreshold: 10, maxScaleInPercent: 50, groups: [A({ desired: 10, min: 10 }), group({ name: 'B', instance: UNIT, min: 7, max: 20, desired: 10 })] });
    expect(p.actions.map((a) => a.group)).toEqual(['B', 'B', 'B']);
  });
});

describe('scale-in: tasks already moved in this plan', () => {
  it('an instance that received moved tasks keeps them when it is removed in turn', () => {
    // Candidates (fewest tasks, then utilisation): a (1 task, 12.5 %), z (1 task, 75 % by memory), b (4 tasks).
    // Targets (fullest first): z, b, a. Removing a puts its 512/512 task on z. Removing z must then
    // re-home z's own 512/12288 task AND a's task; b (1536 CPU / 12288 MiB free) holds only one of them.
    const instances = [
      on('a', [serviceTask(512, 512)]),
      on('z', [serviceTask(512, 12288)]),
      on('b', times(4, () => serviceTask(640, 1024))),
    ];
    const p = plan(instances, { excessThreshold: 0, shortageThreshold: 0, maxScaleInPercent: 100 });
    const gone = new Set(chosen(p));
    expect(gone.has('a')).toBe(true);
    const moved = instances.filter((i) => gone.has(i.id)).flatMap((i) => i.tasks ?? []);
    const stay = instances.filter((i) => !gone.has(i.id));
    const sum = (xs: Array<{ cpu: number; memory: number }>) => xs.reduce((s, x) => ({ cpu: s.cpu + x.cpu, memory: s.memory + x.memory }), { cpu: 0, memory: 0 });
    const free = sum(stay.map((i) => i.remaining));
    // Whatever the plan picks, the service tasks of the chosen instances must fit on the others.
    expect(sum(moved).cpu).toBeLessThanOrEqual(free.cpu);
    expect(sum(moved).memory).toBeLessThanOrEqual(free.memory);
  });
});

describe('scale-in: tasks moving off draining or leaving instances', () => {
  it('displaced tasks settled on an instance move with it when that instance is a candidate', () => {
    // a is empty, b has 1024 free. The displaced 3072-CPU task settles on a (first fit), so a is no
    // longer removable: its new task fits nowhere else. b's own 3072 task does not fit a's 1024 left.
    const instances = [on('a'), on('b', [serviceTask(3072, 1024)])];
    const p = plan(instances, { excessThreshold: 0, shortageThreshold: 0, maxScaleInPercent: 100, displaced: [shape(3072, 1024)] });
    expect(p.actions).toEqual([]);
  });

  it('displaced tasks that do not fit yet stop scale-in for this tick', () => {
    const p = plan([on('a'), on('b')], { excessThreshold: 0, shortageThreshold: 0, displaced: [shape(8192, 1)] });
    expect(p.actions).toEqual([]);
    expect(p.reasons.join('\n')).toMatch(/do not fit yet/);
  });
});
