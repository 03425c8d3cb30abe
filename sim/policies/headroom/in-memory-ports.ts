/**
 * In-memory adapters of the handlers' `Ports` (handlers/app/ports.ts) over the simulated world, so the
 * real handler code runs unchanged in the simulator. They report what the AWS adapters in
 * `handlers/aws/` would report: ECS knows nothing about Auto Scaling (no `group`, no
 * `terminating`: the handlers join them from `describeGroups`), idempotent operations skip what is
 * already done or gone, and Auto Scaling refuses out-of-bounds requests with a ValidationError.
 *
 * API calls are counted as the AWS adapters would make them (their header comments give the
 * formulas: pages of 100, DescribeServices by 10, UpdateContainerInstancesState by 10, one
 * DescribeTaskDefinition per definition per Lambda container). With the scenario's
 * `faults.apiErrorRate`, each port call first fails with a transient (throttling) error with that
 * probability, as SDK calls do after their own retries are exhausted; the delivery layer then
 * retries the invocation like the platform does.
 */
import type { Instance, InstanceStatus } from '../../../core/cluster';
import { HeadroomError } from '../../../core/errors';
import type { MetricDatum, MetricName } from '../../../core/metrics';
import type { HeadroomSample } from '../../../core/scale-in';
import type { AutoScaling, ContainerService, DrainCheck, DrainQueue, GroupState, HookRef, InstanceCatalog, InstanceTypeInfo, Logger, Metrics, Ports } from '../../../handlers/app/ports';
import { ECS_MEMORY_FRACTION } from '../../../handlers/app/model';
import type { Prng } from '../../world/prng';
import type { ApiAction } from '../../world/throttle';
import type { SimWorld } from '../../world/sim-world';
import { taskReadCache } from './task-read-cache';

/** How far back failed scaling activities are reported (the adapter reads the recent activities). */
export const LAUNCH_FAILURE_LOOKBACK_SECONDS = 3600;

/** Simulated latency of one AWS API request (our assumption: a typical in-region round trip). */
export const API_LATENCY_MS = 50;

/** The launch template each simulated group launches from (version 1, immutable). */
const launchTemplateName = (group: string): string => `${group}-template`;

const pages = (n: number, size: number): number => Math.max(1, Math.ceil(n / size));

export interface PortsOptions {
  readonly world: SimWorld;
  /** Fault stream; `apiErrorRate` is the probability a call throws a transient error. */
  readonly faults: Prng;
  readonly apiErrorRate: number;
  /** Latency of one request in simulated ms (default `API_LATENCY_MS`; 0 outside a running world). */
  readonly latencyMs?: number;
  /** Called when the handler enqueues a delayed drain check. */
  readonly enqueue: (check: DrainCheck, delaySeconds: number) => void;
  /** Log lines from the handlers (kept for debugging a run). */
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
}

export interface SimPorts extends Ports {
  /** Datums published so far (for the report and for tests). */
  readonly published: ReadonlyArray<{ readonly at: number; readonly name: MetricName; readonly value: number }>;
  /** Errors injected so far. */
  readonly injectedErrors: () => number;
}

export function inMemoryPorts(options: PortsOptions): SimPorts {
  const { world } = options;
  const seenDefinitions = new Set<string>();
  let injected = 0;

  /**
   * Count the requests of one port call (by action), wait their latency on the simulated clock (so
   * a tick and an interruption invocation overlap as they do in Lambda) and, when the account's
   * buckets are short (sim/world/throttle.ts), until AWS admits the last one: the adapters' SDK clients
   * hold or retry throttled requests. The requests go out one after another, so the call takes
   * max(n × latency, wait + latency); buckets refill independently, so the longest wait counts.
   * Then maybe fail like a throttled SDK call whose retries ran out (`faults.apiErrorRate`).
   */
  const calls = async (requests: Partial<Record<ApiAction, number>>, what: string): Promise<void> => {
    let n = 0;
    let waitMs = 0;
    for (const [action, k] of Object.entries(requests) as Array<[ApiAction, number]>) {
      n += k;
      waitMs = Math.max(waitMs, world.countApi(k, action));
    }
    const latency = options.latencyMs ?? API_LATENCY_MS;
    await world.sleep(Math.max(n * latency, waitMs > 0 ? waitMs + latency : 0));
    if (options.apiErrorRate > 0 && options.faults.chance(options.apiErrorRate)) {
      injected++;
      throw new HeadroomError('transient', `ThrottlingException: Rate exceeded (${what}, injected by the simulator)`);
    }
  };
  const call = (n: number, action: ApiAction): Promise<void> => calls({ [action]: n }, action);

  const definitionCalls = (keys: Iterable<string>): number => {
    let n = 0;
    for (const k of keys) {
      if (!seenDefinitions.has(k)) {
        seenDefinitions.add(k);
        n++;
      }
    }
    return n;
  };

  /** The ECS view (no Auto Scaling group), cached per world view (rebuilt only when the instance changed). */
  const views = new WeakMap<Instance, Instance>();
  const instanceView = (i: ReturnType<SimWorld['ecsInstances']>[number]): Instance => {
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
  const lightView = (i: ReturnType<SimWorld['ecsInstances']>[number]): Instance => {
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

  const taskReads = taskReadCache();

  const ecs: ContainerService = {
    async snapshot(options = {}) {
      const instances = world.ecsInstances();
      const services = world.coreServices();
      const defs = new Set<string>(services.map((s) => `service:${s.name}`));
      for (const shape of world.standaloneShapes()) defs.add(`job:${shape}`);
      if (options.tasks === 'none') {
        // Counts only: what the ECS adapter returns without listing tasks; warm, one DescribeClusters
        // replaces the listings (counts unchanged between most ticks; a change costs the listings).
        await calls({ DescribeContainerInstances: pages(instances.length, 100), DescribeClusters: 1, DescribeServices: pages(services.length, 10), DescribeTaskDefinition: definitionCalls(defs) }, 'snapshot');
        return { instances: instances.map(lightView), services };
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
      return { instances: instances.map(instanceView), services, waiting: world.provisioningShapes() };
    },
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

  const autoScaling: AutoScaling = {
    async describeGroups(names) {
      const groups = names.map((n) => world.groupByName(n)).filter((g): g is NonNullable<typeof g> => g !== undefined);
      await calls({ DescribeAutoScalingGroups: pages(names.length, 100), DescribeScalingActivities: groups.length }, 'DescribeAutoScalingGroups');
      return groups.map(
        (g): GroupState => ({
          name: g.name,
          min: g.min,
          max: g.max,
          desired: g.desired,
          // Auto Scaling reports what a group launches, not its sizes: a mixed-instances group its
          // overrides with `WeightedCapacity`, any other group its launch template (resolved through
          // the EC2 catalog below); members with their type and zone (DescribeAutoScalingGroups).
          ...(g.spec.instanceTypes !== undefined
            ? { instanceType: g.types[0]?.instanceType ?? g.spec.instanceType, overrides: g.types.map((t) => ({ instanceType: t.instanceType, weight: t.weight })) }
            : {}),
          launchTemplate: { name: launchTemplateName(g.name), version: '1' },
          availabilityZones: g.zones,
          // `launchedAt`: the member's launch activity (DescribeScalingActivities names the instance).
          members: world.members(g).map((i) => ({ instanceId: i.id, lifecycleState: i.lifecycle, instanceType: i.type.instanceType, availabilityZone: i.zone, launchedAt: i.launchedAt })),
          // DescribeScalingActivities: the most recent failed launch within the last hour.
          ...(g.launchFailedAt !== undefined && world.now - g.launchFailedAt <= LAUNCH_FAILURE_LOOKBACK_SECONDS * 1000 ? { launchFailedAt: g.launchFailedAt } : {}),
          // A Spot mixed-instances group (OnDemandPercentageAboveBaseCapacity below 100); a single-type
          // Spot group says so in its launch template's market options instead.
          ...(g.spec.spot && g.spec.instanceTypes !== undefined ? { spot: true } : {}),
        }),
      );
    },
    async setDesiredCapacity(group, desired) {
      await call(1, 'SetDesiredCapacity');
      const g = world.groupByName(group);
      if (g === undefined) throw new HeadroomError('invalid-input', `ValidationError: AutoScalingGroup name not found - ${group}`);
      // Like the AWS adapter: a scale-out never lowers desired capacity.
      world.setDesired(g, Math.max(g.desired, desired), 'headroom');
    },
    async terminateInstance(instanceId, decrement) {
      await call(1, 'TerminateInstanceInAutoScalingGroup');
      return world.terminateInstance(instanceId, decrement, 'headroom');
    },
    async heartbeat(hook: HookRef) {
      await call(1, 'RecordLifecycleActionHeartbeat');
      return world.heartbeat(hook.instanceId);
    },
    async completeLifecycleAction(hook: HookRef) {
      await call(1, 'CompleteLifecycleAction');
      return world.completeLifecycle(hook.instanceId);
    },
  };

  // EC2 describes: each group's launch template names its type and market; the scenario's instance
  // types are the type catalog (memory stated so the model's estimate of what ECS registers
  // reproduces the scenario's registered memory). Like the real adapter, answers are cached for the
  // life of the container: only new templates and types cost a call.
  const described = new Set<string>();
  const catalog: InstanceCatalog = {
    async launchTemplate(ref) {
      const key = `template:${ref.name ?? ref.id ?? ''}`;
      if (!described.has(key)) {
        await call(1, 'DescribeLaunchTemplateVersions');
        described.add(key);
      }
      const g = world.groups.find((x) => launchTemplateName(x.name) === ref.name);
      if (g === undefined) throw new HeadroomError('not-found', `InvalidLaunchTemplateName.NotFoundException: ${ref.name ?? ref.id ?? '?'}`);
      const type = g.types[0]?.instanceType ?? g.spec.instanceType;
      return { instanceType: type, ...(g.spec.spot && g.spec.instanceTypes === undefined ? { spot: true } : {}) };
    },
    async instanceTypes(names) {
      const fresh = names.filter((n) => !described.has(n));
      if (fresh.length > 0) await call(pages(fresh.length, 100), 'DescribeInstanceTypes');
      for (const n of fresh) described.add(n);
      const out = new Map<string, InstanceTypeInfo>();
      for (const g of world.groups) for (const t of g.types) if (names.includes(t.instanceType)) out.set(t.instanceType, { vcpus: t.cpu / 1024, memoryMiB: t.memory / ECS_MEMORY_FRACTION });
      return out;
    },
  };

  const queue: DrainQueue = {
    async enqueue(check, delaySeconds) {
      await call(1, 'SendMessage');
      if (delaySeconds < 0 || delaySeconds > 900) throw new HeadroomError('invalid-input', `InvalidParameterValue: DelaySeconds ${delaySeconds} must be 0–900`);
      options.enqueue(check, delaySeconds);
    },
  };

  const published: Array<{ at: number; name: MetricName; value: number }> = [];
  const metrics: Metrics = {
    async publish(datums: readonly MetricDatum[], at: number) {
      if (datums.length === 0) return;
      await call(pages(datums.length, 1000), 'PutMetricData');
      for (const d of datums) published.push({ at, name: d.name, value: d.value });
    },
    async history(name: MetricName, from: number, to: number): Promise<HeadroomSample[]> {
      await call(1, 'GetMetricData');
      const out: HeadroomSample[] = [];
      for (let k = published.length - 1; k >= 0; k--) {
        const p = published[k];
        if (p === undefined) continue;
        if (p.at < from) break;
        if (p.name === name && p.at <= to) out.push({ at: p.at, value: p.value });
      }
      return out;
    },
  };

  const log: Logger = {
    info: (m, d) => options.log?.('info', m, d),
    warn: (m, d) => options.log?.('warn', m, d),
    error: (m, d) => options.log?.('error', m, d),
  };

  return { ecs, autoScaling, catalog, queue, metrics, log, now: () => world.now, published, injectedErrors: () => injected };
}
