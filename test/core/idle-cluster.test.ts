/**
 * Rule: with no work at all (no service wants a task, none runs or waits), no spare capacity is
 * kept: the shortage and excess thresholds count as 0, so an idle cluster launches nothing and a
 * group with `min` 0 may empty (here an instance holding only 3 reference tasks, under the excess
 * threshold 4, still goes). Any work — a desired task, a running standalone task, a waiting task, or an
 * instance whose tasks were not read — keeps the threshold.
 */
import type { CapacityGroup, Instance, Service, TaskShape } from '../../core/cluster';
import { isIdleCluster } from '../../core/cluster';
import { decide, type Decision } from '../../core/decide';
import { daemonTask, group, instance, NOW, SETTINGS, service, serviceTask, shape, standaloneTask } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const A = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'A', instance: UNIT, min: 0, max: 20, desired: 1, ...overrides });
const web = (desired: number, running = desired): Service => service({ name: 'web', shape: shape(512, 1024), desired, running, unplaced: Math.max(0, desired - running) });
const agent = service({ name: 'agent', shape: shape(64, 64), daemon: true, desired: 1, running: 1 });
const withDaemon = (id: string, extra: Instance['tasks'] = []): Instance => instance({ id, group: 'A', registered: UNIT, tasks: [daemonTask(64, 64), ...extra] });
/** A counts-only view: the instance's task list was not read. */
const { tasks: _unread, ...unread } = instance({ id: 'i-1', group: 'A', registered: UNIT });
const settings = { ...SETTINGS, shortageThreshold: 3, excessThreshold: 4, scaleInStabilizationSeconds: 600 };

function run(instances: Instance[], services: Service[], waiting: TaskShape[] = [], groups = [A()]): Decision {
  return decide({ now: NOW, instances, groups, services, waiting, history: [{ at: NOW - 700_000, value: 100 }], settings });
}

describe('an idle cluster keeps no spare', () => {
  it.each<[string, Instance[], Service[], TaskShape[], boolean]>([
    ['no service wants a task and no instance holds one: idle', [withDaemon('i-1')], [web(0), agent], [], true],
    ['daemons only: idle', [withDaemon('i-1')], [agent], [], true],
    ['a service wants one task: not idle', [withDaemon('i-1', [serviceTask(512, 1024)])], [web(1), agent], [], false],
    ['a service task waits to be placed: not idle', [withDaemon('i-1')], [web(1, 0), agent], [], false],
    ['a standalone task runs: not idle', [withDaemon('i-1', [standaloneTask(512, 1024)])], [web(0)], [], false],
    ['a task waits in PROVISIONING: not idle', [], [web(0)], [shape(512, 1024)], false],
    ['an instance whose tasks were not read: not idle (unknown is not empty)', [unread], [web(0)], [], false],
  ])('%s', (_rule, instances, services, waiting, idle) => {
    expect(isIdleCluster(services, instances, waiting)).toBe(idle);
  });

  it('idle with no instance: the shortage threshold launches nothing', () => {
    expect(run([], [web(0), agent], [], [A({ desired: 0 })]).scaleOut).toEqual([]);
  });

  it('one service task and no instance: the threshold applies again and capacity is launched', () => {
    expect(run([], [web(1, 0), agent], [], [A({ desired: 0 })]).scaleOut.map((a) => a.group)).toEqual(['A']);
  });

  it('idle with one empty instance in a min-0 group: that instance is scaled in', () => {
    const d = run([withDaemon('i-1')], [web(0), agent]);
    expect(d.scaleIn.map((a) => a.instance)).toEqual(['i-1']);
    expect(d.reasons.join(' ')).toMatch(/no work at all/);
  });

  it('the same instance with one running service task is kept (the threshold protects the spare)', () => {
    const d = run([withDaemon('i-1', [serviceTask(512, 1024)])], [web(1), agent]);
    expect(d.scaleIn).toEqual([]);
  });
});
