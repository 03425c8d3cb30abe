/**
 * Rule: consolidation of instances running long standalone tasks. A scale-in drain still holding
 * standalone tasks SCALE_IN_WAIT_SECONDS after it started returns to service; an instance returned
 * to service is not drained for scale-in again within SCALE_IN_WAIT_SECONDS, nor afterwards while
 * it runs standalone tasks (hysteresis).
 */
import type { Instance } from '../../core/cluster';
import { REACTIVATED_ATTRIBUTE, REBALANCE_ATTRIBUTE, SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import { heldAfterReturn, overdueDrains } from '../../core/consolidation';
import { decide } from '../../core/decide';
import { group, instance, NOW, SETTINGS, serviceTask, standaloneTask } from './builders';

const iso = (t: number): string => new Date(t).toISOString();
// (The `scaleInDrain` builder stamps a fixed mark time; these rules read the time, so set it here.)
const drain = (id: string, startedAgo: number, tasks = [standaloneTask(1024, 1024)]): Instance => instance({ id, status: 'DRAINING', tasks, attributes: { [SCALE_IN_ATTRIBUTE]: iso(NOW - startedAgo) } });

describe('consolidation: the bound on waiting for standalone tasks', () => {
  it.each<[string, Instance, boolean]>([
    ['drained 2 h ago, a standalone task left: back to service', drain('i-1', 7_200_000), true],
    ['drained exactly 1 h ago: back to service', drain('i-1', 3_600_000), true],
    ['drained 59 min ago: keeps waiting', drain('i-1', 3_540_000), false],
    ['drained 2 h ago with only a service task left: ECS is moving it, keeps waiting', drain('i-1', 7_200_000, [serviceTask(1024, 1024)]), false],
    ['drained 2 h ago, empty: terminated, not reactivated', drain('i-1', 7_200_000, []), false],
    ['an unreadable mark: never overdue', instance({ id: 'i-1', status: 'DRAINING', tasks: [standaloneTask(1, 1)], attributes: { [SCALE_IN_ATTRIBUTE]: 'yesterday' } }), false],
    ['DRAINING for another reason (no scale-in mark): not ours', instance({ id: 'i-1', status: 'DRAINING', tasks: [standaloneTask(1, 1)] }), false],
  ])('%s', (_rule, i, overdue) => {
    expect(overdueDrains([i], NOW, 3600).map((x) => x.id)).toEqual(overdue ? ['i-1'] : []);
  });

  it('decide reactivates the overdue drain with a reason and does not terminate it', () => {
    const d = decide({ now: NOW, instances: [instance({ id: 'i-0', tasks: [] }), drain('i-1', 7_200_000)], groups: [group({ desired: 2 })], services: [], history: [], settings: { ...SETTINGS, scaleInWaitSeconds: 3600 } });
    expect(d.reactivate.map((r) => r.instance)).toEqual(['i-1']);
    expect(d.reactivate[0]?.reasons.join(' ')).toContain('SCALE_IN_WAIT_SECONDS');
    expect(d.terminate).toEqual([]);
  });
});

describe('consolidation: hysteresis', () => {
  it.each<[string, number | undefined, Instance['tasks'], boolean]>([
    ['reactivated 10 min ago: not a candidate', 600_000, [], true],
    ['reactivated 61 min ago: a candidate again', 3_660_000, [], false],
    ['reactivated 61 min ago with only service tasks: a candidate again', 3_660_000, [serviceTask(256, 256)], false],
    ['reactivated 61 min ago and still running a standalone task: held (a drain would wait on it again)', 3_660_000, [standaloneTask(256, 256)], true],
    ['reactivated 3 days ago and running a standalone task: held', 259_200_000, [standaloneTask(256, 256), serviceTask(256, 256)], true],
    ['never reactivated, running a standalone task: a candidate', undefined, [standaloneTask(256, 256)], false],
  ])('%s', (_rule, ago, tasks, held) => {
    const i = instance({ id: 'i-1', ...(tasks !== undefined ? { tasks } : {}), attributes: ago === undefined ? {} : { [REACTIVATED_ATTRIBUTE]: iso(NOW - ago) } });
    expect(heldAfterReturn(i, NOW, 3600)).toBe(held);
  });

  it('scale-in takes the instance that was never returned to service, not the returned one still running a job', () => {
    const history = [{ at: NOW - 1_200_000, value: 100 }];
    const job = standaloneTask(256, 256);
    const instances = [
      instance({ id: 'i-1', tasks: [job], attributes: { [REACTIVATED_ATTRIBUTE]: iso(NOW - 7_200_000) } }),
      instance({ id: 'i-2', tasks: [serviceTask(256, 256), serviceTask(256, 256)] }),
      instance({ id: 'i-3', tasks: [serviceTask(256, 256)] }),
    ];
    const d = decide({ now: NOW, instances, groups: [group({ desired: 3 })], services: [], history, settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1, maxScaleInPercent: 34, scaleInWaitSeconds: 3600 } });
    expect(d.scaleIn.map((a) => a.instance)).toEqual(['i-3']);
  });

  it('scale-in skips an empty instance reactivated 10 minutes ago and takes the other', () => {
    const history = [{ at: NOW - 1_200_000, value: 100 }];
    const instances = [instance({ id: 'i-1', tasks: [], attributes: { [REACTIVATED_ATTRIBUTE]: iso(NOW - 600_000) } }), instance({ id: 'i-2', tasks: [serviceTask(256, 256)] }), instance({ id: 'i-3', tasks: [serviceTask(256, 256)] })];
    const d = decide({ now: NOW, instances, groups: [group({ desired: 3 })], services: [], history, settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1, maxScaleInPercent: 34, scaleInWaitSeconds: 3600 } });
    expect(d.scaleIn.map((a) => a.instance)).toEqual(['i-2']);
  });
});

describe('consolidation: the hold after a return ends once the instance runs no standalone task', () => {
  const marked = (ago: number | string, extra: Partial<Instance> = {}, marks: Record<string, string> = {}): Instance =>
    instance({ id: 'i-1', tasks: [serviceTask(256, 256)], ...extra, attributes: { [REACTIVATED_ATTRIBUTE]: typeof ago === 'string' ? ago : iso(NOW - ago), ...marks } });
  const unread = (i: Instance): Instance => {
    const { tasks: _read, ...rest } = i;
    return rest;
  };
  it.each<[string, Instance, boolean]>([
    ['returned 2 h ago, no standalone task: mark cleared', marked(7_200_000), true],
    ['returned 2 h ago, empty: mark cleared', marked(7_200_000, { tasks: [] }), true],
    ['returned 10 min ago, no standalone task: kept (within w)', marked(600_000), false],
    ['returned 2 h ago, still running a standalone task: kept (its jobs run)', marked(7_200_000, { tasks: [standaloneTask(256, 256)] }), false],
    ['tasks not read this tick: kept (nothing seen)', unread(marked(7_200_000)), false],
    ['DRAINING again: kept (not schedulable)', marked(7_200_000, { status: 'DRAINING' }), false],
    ['never returned: nothing to clear', instance({ id: 'i-1', tasks: [] }), false],
    ['an unreadable mark holds nothing: cleared', marked('yesterday'), true],
    ['a rebalance recommendation older than the return: kept (the mark says the move happened)', marked(7_200_000, {}, { [REBALANCE_ATTRIBUTE]: iso(NOW - 9_000_000) }), false],
    ['a rebalance recommendation newer than the return: cleared', marked(7_200_000, {}, { [REBALANCE_ATTRIBUTE]: iso(NOW - 60_000) }), true],
  ])('%s', (_rule, i, cleared) => {
    const d = decide({ now: NOW, instances: [instance({ id: 'i-0', tasks: [serviceTask(256, 256)] }), i], groups: [group({ desired: 2 })], services: [], history: [], settings: { ...SETTINGS, scaleInWaitSeconds: 3600 } });
    expect(d.clearReactivated.map((c) => c.instance)).toEqual(cleared ? ['i-1'] : []);
    if (cleared) expect(d.clearReactivated[0]?.reasons.join(' ')).toContain('SCALE_IN_WAIT_SECONDS');
  });
});

describe('an instance drained on a rebalance recommendation (REBALANCE_POLICY=move)', () => {
  it.each<[string, Record<string, string>, string[], number]>([
    ['a plain scale-in drain is reactivated on shortage (the fastest capacity)', {}, ['i-1'], 0],
    ['one drained on a rebalance recommendation is not: it is at risk, so the shortage launches', { [REBALANCE_ATTRIBUTE]: iso(NOW - 60_000) }, [], 1],
  ])('%s', (_rule, marks, reactivated, launched) => {
    const drained = instance({ id: 'i-1', status: 'DRAINING', tasks: [], attributes: { [SCALE_IN_ATTRIBUTE]: iso(NOW - 60_000), ...marks } });
    const full = instance({ id: 'i-0', tasks: [serviceTask(4096, 4096)] });
    const d = decide({
      now: NOW, instances: [full, drained], groups: [group({ desired: 2 })], history: [],
      services: [{ name: 'web', shape: { cpu: 1024, memory: 1024 }, daemon: false, desired: 3, running: 1, pending: 0, unplaced: 2 }],
      settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1 },
    });
    expect(d.reactivate.map((r) => r.instance)).toEqual(reactivated);
    expect(d.scaleOut.reduce((n, a) => n + a.count, 0)).toBe(launched);
  });
});
