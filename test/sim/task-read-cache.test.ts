/**
 * The simulator counts the task reads the real ECS adapter makes warm (its caches by instance
 * `version` and by described task ARN), not a listing of every instance on every tick.
 */
import { taskReadCache } from '../../sim/policies/headroom/task-read-cache';
import type { SimInstance } from '../../sim/world/world-types';

interface Fake {
  arn: string;
  version: number;
  ecsStatus: 'ACTIVE' | 'DRAINING';
  tasks: Map<string, unknown>;
}

/** `n` instances with `perInstance` tasks each (only what the cache reads of a SimInstance). */
function fleet(n: number, perInstance: number): Fake[] {
  return Array.from({ length: n }, (_, k) => ({ arn: `ci-${k}`, version: 1, ecsStatus: 'ACTIVE' as const, tasks: new Map(Array.from({ length: perInstance }, (_, j) => [`t-${k}-${j}`, {}])) }));
}
const sim = (xs: Fake[]): SimInstance[] => xs as unknown as SimInstance[];

describe('simulated task reads follow the adapter caches', () => {
  it('cold, many instances: one cluster listing and every task described; warm and unchanged: no call', () => {
    const reads = taskReadCache();
    const all = fleet(300, 10); // 3,000 tasks: 30 pages, fewer than 300 per-instance listings
    expect(reads(sim(all), sim(all), false)).toEqual({ ListTasks: 30, DescribeTasks: 30 });
    expect(reads(sim(all), sim(all), false)).toEqual({ ListTasks: 0, DescribeTasks: 0 });
  });

  it('one instance changed: it alone is listed, and only its new task described', () => {
    const reads = taskReadCache();
    const all = fleet(300, 10);
    reads(sim(all), sim(all), false);
    const changed = all[7] as Fake;
    changed.version++;
    changed.tasks.set('t-new', {});
    expect(reads(sim(all), sim(all), false)).toEqual({ ListTasks: 1, DescribeTasks: 1 });
  });

  it('an instance draining: its tasks being stopped are listed once per version', () => {
    const reads = taskReadCache();
    const all = fleet(50, 4);
    reads(sim(all), sim(all), false);
    const draining = all[3] as Fake;
    draining.ecsStatus = 'DRAINING';
    draining.version++;
    // Its live tasks listed again (version changed) and its tasks being stopped listed and described.
    expect(reads(sim(all), sim(all), false)).toEqual({ ListTasks: 2, DescribeTasks: 1 });
    expect(reads(sim(all), sim(all), false)).toEqual({ ListTasks: 0, DescribeTasks: 0 });
  });

  it('tasks waiting with no instance wanted: the cluster is listed whatever changed', () => {
    const reads = taskReadCache();
    const all = fleet(20, 10);
    reads(sim(all), [], true);
    expect(reads(sim(all), [], true)).toEqual({ ListTasks: 2, DescribeTasks: 0 });
  });
});
