import type { CapacityGroup, Instance } from '../../core/cluster';
import { decide, type DecideInput, type Decision } from '../../core/decide';
import { tickMetrics } from '../../core/metrics';
import { daemonTask, group, instance, NOW, SETTINGS, scaleInDrain, service, serviceTask, shape, times } from './builders';

/** 4096 CPU / 16384 MiB instances; reference 1024/2048 → 4 copies per empty instance. */
const UNIT = { cpu: 4096, memory: 16384 };
const A = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'A', instance: UNIT, min: 0, max: 20, desired: 2, ...overrides });
const full = (id: string): Instance => instance({ id, group: 'A', registered: UNIT, tasks: [serviceTask(4096, 4096)] });
const empty = (id: string): Instance => instance({ id, group: 'A', registered: UNIT });
const drain = (id: string, tasks = [daemonTask(64, 64)]): Instance => scaleInDrain({ id, group: 'A', registered: UNIT, tasks });

function run(overrides: Partial<DecideInput> = {}): Decision {
  return decide({ now: NOW, instances: [full('i-1')], groups: [A()], services: [], history: [{ at: NOW - 600_000, value: 1000 }], settings: SETTINGS, ...overrides });
}
const ids = (xs: ReadonlyArray<{ instance: string }>): string[] => xs.map((x) => x.instance);
const scaleOutCount = (d: Decision): number => d.scaleOut.reduce((n, a) => n + a.count, 0);

describe('decide: reactivation of scale-in drains', () => {
  it('a shortage reactivates an instance drained for scale-in instead of launching', () => {
    // full cluster: headroom 0 < 2; the drain frees 4 copies once ACTIVE again
    const d = run({ instances: [full('i-1'), drain('i-d')] });
    expect(ids(d.reactivate)).toEqual(['i-d']);
    expect(d.scaleOut).toEqual([]);
    expect(d.terminate).toEqual([]); // never terminate what is being reactivated
  });

  it('an instance DRAINING for another reason (no headroom.scale-in attribute) is never reactivated', () => {
    const other = instance({ id: 'i-x', group: 'A', status: 'DRAINING', registered: UNIT });
    const d = run({ instances: [full('i-1'), other] });
    expect(d.reactivate).toEqual([]);
    expect(scaleOutCount(d)).toBe(1);
    expect(d.terminate).toEqual([]); // and never terminated by the scale-in path
  });

  it('only as many drains as the shortage needs, emptiest first; the others are terminated when empty', () => {
    // i-big: 64-CPU daemon → ⌊4032/1024⌋ = 3 copies, enough for threshold 2; i-small: 2048-CPU daemon → 2 copies
    const big = drain('i-big');
    const small = drain('i-small', [daemonTask(2048, 1024)]);
    const d = run({ instances: [full('i-1'), small, big], groups: [A({ desired: 3 })] });
    expect(ids(d.reactivate)).toEqual(['i-big']);
    expect(d.scaleOut).toEqual([]);
    expect(ids(d.terminate)).toEqual(['i-small']);
  });

  it('service tasks still on a drain that is not reactivated are demand for the reactivated capacity', () => {
    // i-big (3 copies) must also take i-small's 2048-CPU service task → 1 copy left < 2 → i-small is reactivated too
    const d = run({ instances: [full('i-1'), drain('i-small', [serviceTask(2048, 1024)]), drain('i-big')], groups: [A({ desired: 3 })] });
    expect(ids(d.reactivate).sort()).toEqual(['i-big', 'i-small']);
    expect(d.scaleOut).toEqual([]);
  });

  it('reactivates every drain and launches for the rest when drains are not enough', () => {
    // 7 unplaced + 2 reference tasks: the drain holds 4 → 5 left → 2 new instances
    const d = run({ instances: [full('i-1'), drain('i-d')], services: [service({ name: 'web', shape: shape(1024, 1024), unplaced: 7 })] });
    expect(ids(d.reactivate)).toEqual(['i-d']);
    expect(scaleOutCount(d)).toBe(2);
  });

  it('a drain that is also terminating or leaving is not reactivated', () => {
    // desired 1: only i-1 is a live member, so nothing is counted as on its way
    const d = run({ instances: [full('i-1'), { ...drain('i-t'), terminating: true }, drain('i-l')], leaving: new Set(['i-l']), groups: [A({ desired: 1 })] });
    expect(d.reactivate).toEqual([]);
    expect(scaleOutCount(d)).toBeGreaterThan(0);
  });

  it('with every group at max, a shortage still reactivates a scale-in drain rather than terminating it', () => {
    // desired 2 = max 2: nothing can be launched; the drain is the only capacity there is
    const d = run({ instances: [full('i-1'), drain('i-d')], groups: [A({ desired: 2, max: 2 })] });
    expect(ids(d.reactivate)).toEqual(['i-d']);
    expect(d.terminate).toEqual([]);
  });

  it('a pending task no instance can hold does not reactivate drains (they could not take it)', () => {
    // headroom 4 on i-e ≥ 2: no deficit; the 8192-CPU task fits no instance of any kind
    const d = run({ instances: [empty('i-e'), drain('i-d')], services: [service({ name: 'huge', shape: shape(8192, 1024), unplaced: 1 })] });
    expect(d.reactivate).toEqual([]);
    expect(ids(d.terminate)).toEqual(['i-d']);
  });

  it('with the first group backed off, reactivation is still preferred to launching in the fallback', () => {
    const d = run({ instances: [full('i-1'), drain('i-d')], groups: [A({ launchFailedAt: NOW - 10_000 }), group({ name: 'B', instance: UNIT, max: 5 })] });
    expect(ids(d.reactivate)).toEqual(['i-d']);
    expect(d.scaleOut).toEqual([]);
  });
});

describe('decide: terminate empty scale-in drains', () => {
  const plenty = (): Instance[] => [empty('i-1'), empty('i-2')]; // headroom 8: no shortage, no excess (threshold 10)

  it.each<[string, Instance, string[]]>([
    ['an empty scale-in drain is terminated with decrement', drain('i-d', []), ['i-d']],
    ['daemon tasks do not keep it', drain('i-d', [daemonTask(128, 128)]), ['i-d']],
    ['STOPPED tasks do not keep it', drain('i-d', [serviceTask(128, 128, { status: 'STOPPED' })]), ['i-d']],
    ['a RUNNING service task keeps it', drain('i-d', [serviceTask(128, 128)]), []],
    ['a STOPPING task keeps it', drain('i-d', [serviceTask(128, 128, { status: 'STOPPING' })]), []],
    ['a DEACTIVATING task keeps it', drain('i-d', [serviceTask(128, 128, { status: 'DEACTIVATING' })]), []],
    ['a standalone task keeps it', drain('i-d', [serviceTask(128, 128, { role: 'standalone' })]), []],
    ['an instance already terminating is left alone', { ...drain('i-d', []), terminating: true }, []],
    ['an instance of an unconfigured group is left alone', { ...drain('i-d', []), group: 'elsewhere' }, []],
    ['a DRAINING instance without the attribute is not ours to terminate', instance({ id: 'i-d', group: 'A', status: 'DRAINING', registered: UNIT }), []],
  ])('%s', (_rule, d, expected) => {
    const decision = run({ instances: [...plenty(), d], groups: [A({ desired: 3 })] });
    expect(ids(decision.terminate)).toEqual(expected);
    if (expected.length > 0) expect(decision.terminate[0]?.group).toBe('A');
  });
});

describe('decide: scale-in gating', () => {
  /** 12 empty instances with a configured shape of 1024/2048: headroom 48 > excess 10. */
  const idle = (): Instance[] => times(12, (k) => empty(`i-${String(k).padStart(2, '0')}`));

  it('scales in when headroom has held above the excess threshold', () => {
    const d = run({ instances: idle(), groups: [A({ desired: 12 })] });
    expect(d.scaleIn.length).toBe(1); // 10 % of 12 → 1
    expect(d.scaleOut).toEqual([]);
  });

  it('no scale-in while service tasks wait and new instances are launched for them', () => {
    // every instance holds port 80 → an unplaced port-80 task needs a new instance: a shortage
    const withPort = times(12, (k) => instance({ id: `i-${k}`, group: 'A', registered: UNIT, tasks: [serviceTask(64, 64, { tcpPorts: [80] })] }));
    const d = run({ instances: withPort, groups: [A({ desired: 12 })], services: [service({ name: 'web', shape: shape(64, 64, { tcpPorts: [80] }), unplaced: 1 })] });
    expect(scaleOutCount(d)).toBe(1);
    expect(d.scaleIn).toEqual([]);
  });

  it('a task no group can ever hold does not block scale-in (it is reported instead)', () => {
    const d = run({ instances: idle(), groups: [A({ desired: 12 })], services: [service({ name: 'huge', shape: shape(8192, 1024), unplaced: 1 })] });
    expect(d.scaleIn.length).toBeGreaterThan(0);
    expect(d.summary.unschedulableTasks).toBe(1);
    expect(d.scaleOut).toEqual([]);
  });

  it('a task that fits a group but no free space yet blocks scale-in (it is shortage)', () => {
    // only a new m5.xlarge instance of group A could take it, and A is at its max
    const pinned = shape(1024, 1024, { memberOf: ['attribute:ecs.instance-type == m5.xlarge'] });
    const d = run({ instances: idle(), groups: [A({ desired: 12, max: 12 })], services: [service({ name: 'pinned', shape: pinned, unplaced: 1 })] });
    expect(d.scaleIn).toEqual([]);
  });

  it('no scale-in when it is disabled', () => {
    const d = run({ instances: idle(), groups: [A({ desired: 12 })], settings: { ...SETTINGS, scaleInEnabled: false } });
    expect(d.scaleIn).toEqual([]);
  });

  it('a leaving (Spot-warned) instance does not count as headroom and its tasks need a home', () => {
    // one full, one empty but warned → headroom 0 → scale out (desired 1: no instance counted as on its way)
    const d = run({ instances: [full('i-1'), empty('i-2')], leaving: new Set(['i-2']), groups: [A({ desired: 1 })] });
    expect(d.summary.schedulableTasks).toBe(0);
    expect(scaleOutCount(d)).toBeGreaterThan(0);
  });
});

describe('decide: summary and metrics', () => {
  it('summarises the cluster and turns it into the per-tick datums', () => {
    const half = instance({ id: 'i-h', group: 'A', registered: UNIT, tasks: [serviceTask(2048, 4096)] });
    const d = run({ instances: [half, empty('i-e'), drain('i-d', [serviceTask(64, 64)])], groups: [A({ desired: 3 })], services: [service({ name: 'web', unplaced: 3 }), service({ name: 'agent', daemon: true, unplaced: 5 })] });
    // active: i-h (2 copies) + i-e (4) = 6; cpu reserved 2048 / 8192 = 25 %; memory 4096 / 32768 = 12.5 %
    expect(d.summary).toEqual({ schedulableTasks: 6, pendingTasks: 3, activeInstances: 2, drainingInstances: 1, cpuReservedPercent: 25, memoryReservedPercent: 12.5, unschedulableTasks: 0 });
    const m = Object.fromEntries(tickMetrics(d).map((x) => [x.name, x.value]));
    expect(m).toMatchObject({ SchedulableTasks: 6, PendingTasks: 3, ActiveInstances: 2, DrainingInstances: 1, CpuReservedPercent: 25, MemoryReservedPercent: 12.5 });
    expect(m.ScaleOutInstances).toBe(scaleOutCount(d));
    expect(m.ScaleInInstances).toBe(d.scaleIn.length);
  });

  it('the auto reference shape is the demand-weighted median service reservation', () => {
    const d = run({ settings: { ...SETTINGS, taskShape: 'auto' }, services: [service({ name: 'a', shape: shape(512, 4096), desired: 3 }), service({ name: 'b', shape: shape(2048, 1024), desired: 1 })] });
    expect(d.shape).toEqual({ cpu: 512, memory: 4096 });
  });
});

describe('decide: tasks waiting with no instance (PROVISIONING)', () => {
  it('count as pending, are packed into new instances, and stop scale-in', () => {
    // Two empty instances hold 8 copies: above an excess threshold of 3, so one is surplus. 12 waiting 1024-CPU
    // tasks fill both (8) and need ⌈(4 + 2 reference)/4⌉ = 2 more instances.
    const settings = { ...SETTINGS, excessThreshold: 3 };
    const quiet = run({ instances: [empty('i-1'), empty('i-2')], settings });
    expect(quiet.scaleIn.length).toBeGreaterThan(0);
    const busy = run({ instances: [empty('i-1'), empty('i-2')], settings, waiting: times(12, () => shape(1024, 1024)) });
    expect(busy.summary.pendingTasks).toBe(12);
    expect(scaleOutCount(busy)).toBe(2);
    expect(busy.scaleIn).toEqual([]);
  });
});
