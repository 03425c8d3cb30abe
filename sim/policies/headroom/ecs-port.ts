/**
 * The ECS port over the simulated world: what the ECS adapter (handlers/aws/ecs/) reports, with
 * no Auto Scaling group on an instance (the handlers join it from `describeGroups`), and its
 * requests counted as that adapter makes them.
 */
import type { Instance, InstanceStatus } from '../../../core/cluster';
import type { ContainerService, SnapshotOptions } from '../../../handlers/app/ports';
import type { SimWorld } from '../../world/sim-world';
import { pages, type ApiCalls } from './api-calls';
import { taskReadCache } from './task-read-cache';

/**
 * Counts the DescribeTaskDefinition calls for `keys`: one per definition not described before by
 * this Lambda container.
 */
function definitionCounter(): (keys: Iterable<string>) => number {
  const seenDefinitions = new Set<string>();
  return (keys: Iterable<string>): number => {
    let n = 0;
    for (const k of keys) {
      if (!seenDefinitions.has(k)) {
        seenDefinitions.add(k);
        n++;
      }
    }
    return n;
  };
}

type WorldInstance = ReturnType<SimWorld['ecsInstances']>[number];

/** The instances as ECS describes them, with and without their tasks. */
function ecsViews(world: SimWorld): { instanceView: (i: WorldInstance) => Instance; lightView: (i: WorldInstance) => Instance } {
  /** The ECS view (no Auto Scaling group), cached per world view (rebuilt only when the instance changed). */
  const views = new WeakMap<Instance, Instance>();
  const instanceView = (i: WorldInstance): Instance => {
    const core = world.toCore(i);
    let view = views.get(core);
    if (view === undefined) {
      const { group: _group, ...ecsOnly } = core;
      view = { ...ecsOnly, agentConnected: true };
      views.set(core, view);
    }
    return view;
  };

  /** The view without tasks (what a snapshot with `tasks: 'none'` returns), cached the same way. */
  const lightViews = new WeakMap<Instance, Instance>();
  const lightView = (i: WorldInstance): Instance => {
    const full = instanceView(i);
    let view = lightViews.get(full);
    if (view === undefined) {
      const { tasks, ...rest } = full;
      const live = (tasks ?? []).filter((t) => t.status !== 'STOPPED');
      view = { ...rest, taskCounts: { running: live.filter((t) => t.status === 'RUNNING').length, pending: live.filter((t) => t.status !== 'RUNNING').length } };
      lightViews.set(full, view);
    }
    return view;
  };
  return { instanceView, lightView };
}

type Views = ReturnType<typeof ecsViews>;

/**
 * `snapshot`: the whole cluster with its tasks, or (`tasks: 'none'`) with task counts only, its
 * requests counted as the ECS adapter makes them. Services and instances are both read once the
 * requests are answered: the adapter sends DescribeServices and DescribeContainerInstances together
 * (`handlers/aws/ecs/ecs.ts`), so they describe nearly one moment (reading the services a whole
 * latency earlier counted a task placed meanwhile as both unplaced and reserved, and launched for
 * it). In production the two answers can still be milliseconds apart and a task placed in between
 * counted twice (one launch too many, given back by scale-in); the simulator does not model that race.
 */
async function snapshot(world: SimWorld, calls: ApiCalls['calls'], definitionCalls: (keys: Iterable<string>) => number, { instanceView, lightView }: Views, options: SnapshotOptions): Promise<Awaited<ReturnType<ContainerService['snapshot']>>> {
  const instances = world.ecsInstances();
  const services = world.coreServices();
  const defs = new Set<string>(services.map((s) => `service:${s.name}`));
  for (const shape of world.standaloneShapes()) defs.add(`job:${shape}`);
  if (options.tasks === 'none') {
    // Counts only: what the ECS adapter returns without listing tasks; warm, one DescribeClusters
    // replaces the listings (counts unchanged between most ticks; a change costs the listings).
    await calls({ DescribeContainerInstances: pages(instances.length, 100), DescribeClusters: 1, DescribeServices: pages(services.length, 10), DescribeTaskDefinition: definitionCalls(defs) }, 'snapshot');
    return { instances: instances.map(lightView), services: world.coreServices() };
  }
  const tasks = instances.reduce((n, i) => n + i.tasks.size, 0);
  await calls(
    {
      ListContainerInstances: pages(instances.length, 100),
      DescribeContainerInstances: pages(instances.length, 100),
      ListTasks: pages(tasks, 100),
      DescribeTasks: pages(tasks, 100),
      ListServices: pages(services.length, 100),
      DescribeServices: pages(services.length, 10),
      DescribeTaskDefinition: definitionCalls(defs),
    },
    'snapshot',
  );
  return { instances: instances.map(instanceView), services: world.coreServices(), waiting: world.provisioningShapes() };
}

/**
 * The port's length is its six methods, each a few lines mirroring one adapter call; the caches
 * they share (definitions described, instance views, task reads) live in this closure.
 */
export function simEcsPort(world: SimWorld, { calls, call }: ApiCalls): ContainerService {
  const definitionCalls = definitionCounter();
  const views = ecsViews(world);
  const { instanceView } = views;
  const taskReads = taskReadCache();

  return {
    snapshot: (options = {}) => snapshot(world, calls, definitionCalls, views, options),
    async tasksOf(arns, options = {}) {
      const wanted = new Set(arns);
      const all = world.ecsInstances();
      const found = all.filter((i) => i.arn !== undefined && wanted.has(i.arn));
      const reads = taskReads(all, found, options.waiting === true);
      if ((reads.ListTasks ?? 0) + (reads.DescribeTasks ?? 0) > 0) await calls(reads, 'tasksOf');
      const waiting = options.waiting === true ? { waiting: world.provisioningShapes() } : {};
      return { byInstance: new Map(found.map((i) => [i.arn, [...(instanceView(i).tasks ?? [])]])), ...waiting };
    },
    async findInstances(ids) {
      const wanted = new Set(ids);
      const found = world.ecsInstances().filter((i) => wanted.has(i.id));
      const tasks = found.reduce((n, i) => n + i.tasks.size, 0);
      await calls(
        found.length > 0
          ? { ListContainerInstances: pages(wanted.size, 20), DescribeContainerInstances: pages(found.length, 100), ListTasks: 2 * found.length, DescribeTasks: pages(tasks, 100), DescribeServices: 1 }
          : { ListContainerInstances: pages(wanted.size, 20) },
        'findInstances',
      );
      return found.map(instanceView);
    },
    async setStatus(arns, status: Extract<InstanceStatus, 'ACTIVE' | 'DRAINING'>) {
      const changed: string[] = [];
      const refused: Array<{ arn: string; reason: string }> = [];
      if (arns.length === 0) return { changed, refused };
      await call(pages(arns.length, 10), 'UpdateContainerInstancesState');
      for (const arn of arns) {
        const i = world.findInstance(arn);
        if (i === undefined || i.ecsStatus === undefined) refused.push({ arn, reason: 'MISSING' });
        else {
          world.setEcsStatus(i, status, 'headroom');
          changed.push(arn);
        }
      }
      return { changed, refused };
    },
    async setAttribute(arns, name, value) {
      const changed: string[] = [];
      if (arns.length === 0) return changed;
      await call(pages(arns.length, 10), value === undefined ? 'DeleteAttributes' : 'PutAttributes');
      for (const arn of arns) {
        const i = world.findInstance(arn);
        if (i === undefined || i.ecsStatus === undefined) continue;
        world.setAttribute(i, name, value);
        changed.push(arn);
      }
      return changed;
    },
    async stopTasks(taskIds, reason) {
      if (taskIds.length === 0) return;
      await call(taskIds.length, 'StopTask');
      for (const id of taskIds) world.stopTaskById(id, `headroom (${reason})`);
    },
  };
}
