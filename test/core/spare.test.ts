/**
 * Rule: the spare (shortage threshold) is capped at SPARE_PERCENT of the cluster's work, in
 * reference tasks, rounded up; the excess threshold keeps its configured gap above it. The work is
 * read without any task list: reservations on schedulable instances, unplaced service tasks and
 * tasks waiting with no instance.
 */
import type { CapacityGroup, Instance, Service, TaskShape } from '../../core/cluster';
import { decide } from '../../core/decide';
import { spareThresholds, workInReferenceTasks } from '../../core/spare';
import { daemonTask, group, instance, NOW, SETTINGS, service, serviceTask, shape } from './builders';

const REF = { cpu: 512, memory: 1024 };
const UNIT = { cpu: 4096, memory: 16384 };

describe('spareThresholds: the spare is min(threshold, ⌈work × percent / 100⌉)', () => {
  it.each<[string, number, number, number, number, number, number]>([
    // rule, shortage, excess, percent, work → shortage, excess
    ['a large cluster keeps the configured threshold', 3, 4, 5, 200, 3, 4],
    ['exactly at the cap keeps the threshold', 3, 4, 5, 60, 3, 4],
    ['a small cluster keeps a proportional spare (⌈40 × 5 %⌉ = 2)', 3, 4, 5, 40, 2, 3],
    ['rounded up: any work keeps at least one spare task', 3, 4, 5, 0.5, 1, 2],
    ['no work keeps none', 3, 4, 5, 0, 0, 1],
    ['100 % turns the cap off: the threshold on a cluster of one task', 3, 4, 100, 1, 3, 4],
    ['99 % still caps: one task of work keeps one spare', 3, 4, 99, 1, 1, 2],
    ['the configured gap between shortage and excess is kept', 4, 10, 5, 20, 1, 7],
    ['0 % keeps no spare at all', 3, 4, 0, 500, 0, 1],
  ])('%s', (_rule, shortageThreshold, excessThreshold, sparePercent, work, shortage, excess) => {
    const t = spareThresholds({ shortageThreshold, excessThreshold, sparePercent }, work);
    expect([t.shortage, t.excess]).toEqual([shortage, excess]);
    expect(t.reason === undefined).toBe(shortage === shortageThreshold);
  });
});

describe('workInReferenceTasks: reservations and waiting demand, in reference tasks', () => {
  const agent = service({ name: 'agent', shape: shape(256, 512), daemon: true, desired: 2, running: 2 });
  const on = (id: string, tasks: NonNullable<Instance['tasks']>, extra: { status?: Instance['status'] } = {}): Instance => instance({ id, registered: UNIT, tasks, ...extra });
  it.each<[string, Instance[], Service[], TaskShape[], number]>([
    ['empty cluster: none', [], [], [], 0],
    ['two reference tasks running', [on('i-1', [serviceTask(512, 1024), serviceTask(512, 1024)])], [], [], 2],
    ['memory-heavy task counts by memory (4096 MiB = 4)', [on('i-1', [serviceTask(512, 4096)])], [], [], 4],
    ['a DRAINING instance holds no work here (its tasks are demand elsewhere)', [on('i-1', [serviceTask(512, 1024)], { status: 'DRAINING' })], [], [], 0],
    ['unplaced service tasks count', [], [service({ name: 'web', shape: shape(1024, 1024), desired: 3, unplaced: 3 })], [], 6],
    ['daemon services do not count as unplaced work', [], [service({ name: 'agent', shape: shape(512, 1024), daemon: true, unplaced: 2 })], [], 0],
    ['tasks waiting with no instance count', [], [], [shape(512, 1024), shape(256, 512)], 1.5],
    ['a daemon task is not work (one per instance of each daemon service)', [on('i-1', [daemonTask(256, 512)]), on('i-2', [daemonTask(256, 512), serviceTask(512, 1024)])], [agent], [], 1],
    ['without the daemon service listed its reservation counts', [on('i-1', [daemonTask(256, 512)])], [], [], 0.5],
  ])('%s', (_rule, instances, services, waiting, work) => {
    expect(workInReferenceTasks(REF, instances, services, waiting)).toBeCloseTo(work, 9);
  });
});

describe('decide: a small cluster keeps a spare proportional to its work', () => {
  const A = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'A', instance: UNIT, min: 0, max: 20, desired: 1, ...overrides });
  // One instance holding 6 reference tasks: 2 more fit (8 by CPU), under a threshold of 3.
  const busy = (): Instance => instance({ id: 'i-1', group: 'A', registered: UNIT, tasks: Array.from({ length: 6 }, () => serviceTask(512, 1024)) });
  const web = service({ name: 'web', shape: shape(512, 1024), desired: 6, running: 6 });
  const settings = { ...SETTINGS, taskShape: REF, shortageThreshold: 3, excessThreshold: 4 };
  it.each<[string, number, number]>([
    ['SPARE_PERCENT 100: headroom 2 < 3 launches an instance', 100, 1],
    ['SPARE_PERCENT 20: spare ⌈6 × 20 %⌉ = 2 is held, nothing launched', 20, 0],
    ['SPARE_PERCENT 40: spare ⌈6 × 40 %⌉ = 3, one instance launched', 40, 1],
  ])('%s', (_rule, sparePercent, launched) => {
    const d = decide({ now: NOW, instances: [busy()], groups: [A()], services: [web], history: [], settings: { ...settings, sparePercent } });
    expect(d.scaleOut.reduce((n, a) => n + a.count, 0)).toBe(launched);
  });

  it('the excess threshold follows the spare: an instance the capped spare makes surplus is scaled in', () => {
    // Two instances, 6 reference tasks in all: 10 free; removing the empty one leaves headroom 2.
    const instances = [busy(), instance({ id: 'i-2', group: 'A', registered: UNIT, tasks: [] })];
    const history = [{ at: NOW - 700_000, value: 10 }];
    const run = (sparePercent: number) => decide({ now: NOW, instances, groups: [A({ desired: 2 })], services: [web], history, settings: { ...settings, sparePercent } });
    expect(run(100).scaleIn).toEqual([]);
    expect(run(20).scaleIn.map((a) => a.instance)).toEqual(['i-2']);
    expect(run(20).reasons.join(' ')).toMatch(/spare capped at 20 %/);
  });
});
