/**
 * The plan report: every instance gets the reason it is (or is not) taken out, the JSON keeps the
 * contract keys, and the table shows each section. Built from a real `decide` on a small cluster.
 */
import type { Instance } from '../../core/cluster';
import { loadConfig } from '../../core/config';
import { decide } from '../../core/decide';
import { decideSettings } from '../../handlers/app/act';
import { formatPlan, planReport } from '../../cli/plan-report';
import { group, instance, NOW, scaleInDrain, serviceTask, service, standaloneTask, times } from '../core/builders';

const config = loadConfig({ CLUSTER_NAME: 'demo', ASG_NAMES: 'g1', TASK_CPU: '1024', TASK_MEMORY: '2048', SCALE_IN_STABILIZATION_SECONDS: '0' });

function outsideGroups(i: Instance): Instance {
  const { group: _drop, ...rest } = i;
  return rest;
}

function report(instances: Instance[], services = [service({ name: 'web', shape: { cpu: 1024, memory: 2048 }, desired: 8, running: 8 })]) {
  const view = { instances, groups: [group({ name: 'g1', desired: instances.length, min: 0 })], services, waiting: [], skipped: [], groupStates: [], membership: new Map(), degraded: [] };
  const decision = decide({ now: NOW, instances, groups: view.groups, services: view.services, waiting: [], history: [], settings: decideSettings(config) });
  return planReport(config, view, decision, NOW);
}

describe('plan report', () => {
  const surplus = report([
    instance({ id: 'i-full', tasks: times(4, (k) => serviceTask(1024, 2048, { id: `t${k}`, service: 'web' })) }),
    instance({ id: 'i-empty1' }),
    instance({ id: 'i-empty2' }),
    outsideGroups(instance({ id: 'i-nogroup' })),
    instance({ id: 'i-batch', tasks: [standaloneTask(1024, 2048, { id: 'b1' })] }),
    instance({ id: 'i-foreign', status: 'DRAINING' }),
    scaleInDrain({ id: 'i-drained' }),
  ]);

  it.each([
    ['i-empty1', /^scale-in: would drain$/],
    ['i-drained', /would terminate$/],
    ['i-nogroup', /in no configured group/],
    ['i-batch', /runs standalone tasks/],
    ['i-foreign', /not by Headroom: left alone/],
    ['i-full', /^kept: /],
    ['i-empty2', /^kept: /],
  ])('%s: %s', (id, note) => {
    expect(surplus.instances.find((i) => i.id === id)?.note).toMatch(note);
  });

  it('per-instance headroom adds up to the summary; JSON has the contract keys', () => {
    expect(surplus.instances.reduce((n, i) => n + i.headroom, 0)).toBe(surplus.summary?.schedulableTasks);
    expect(surplus.instances.find((i) => i.id === 'i-full')?.headroom).toBe(0);
    const json = JSON.parse(JSON.stringify(surplus));
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['summary', 'scaleOut', 'scaleIn', 'reasons']));
    expect(json.scaleIn.map((s: { instance: string }) => s.instance)).toEqual(['i-empty1']);
    expect(json.terminate.map((s: { instance: string }) => s.instance)).toEqual(['i-drained']);
  });

  it('a shortage reactivates the scale-in drain, and every other instance is kept for it', () => {
    const short = report([
      instance({ id: 'i-a', tasks: times(4, (k) => serviceTask(1024, 2048, { id: `a${k}` })) }),
      scaleInDrain({ id: 'i-b', tasks: [serviceTask(1024, 2048, { id: 'b0' })] }),
    ]);
    expect(short.reactivate.map((r) => r.instance)).toEqual(['i-b']);
    expect(short.instances.map((i) => [i.id, i.note])).toEqual([
      ['i-a', 'kept: short of capacity'],
      ['i-b', 'scale-in drain: would reactivate'],
    ]);
    const text = formatPlan(short);
    expect(text).toContain('reactivate i-b (set ACTIVE)');
    for (const heading of ['Instances', 'Services', 'Groups', 'Actions', 'Reasons']) expect(text).toContain(`\n${heading}\n`);
  });

  it('a task no group can ever hold is listed as unschedulable, with its reason', () => {
    const huge = report([instance({ id: 'i-a' })], [service({ name: 'huge', shape: { cpu: 64 * 1024, memory: 2048 }, desired: 1, unplaced: 1 })]);
    expect(huge.summary?.unschedulableTasks).toBe(1);
    expect(huge.unschedulable).toEqual([expect.stringMatching(/^1 task\(s\) of 65536 CPU\/2048 MiB: no group can ever hold it/)]);
    expect(huge.services.find((v) => v.name === 'huge')?.needsCapacity).toBe(true);
    expect(formatPlan(huge)).toContain('Unschedulable (no capacity group can ever hold these)');
  });
});
