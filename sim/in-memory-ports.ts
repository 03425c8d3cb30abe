/**
 * In-memory adapters of the handlers' `Ports` (handlers/ports.ts) over the simulated world, so the
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
import type { InstanceStatus } from '../core/cluster';
import { HeadroomError } from '../core/errors';
import type { MetricDatum, MetricName } from '../core/metrics';
import type { HeadroomSample } from '../core/scale-in';
import type { AutoScaling, ContainerService, DrainCheck, DrainQueue, GroupState, HookRef, InstanceCatalog, InstanceTypeInfo, Logger, Metrics, Ports } from '../handlers/ports';
import { ECS_MEMORY_FRACTION } from '../handlers/model';
import type { Prng } from './prng';
import type { World } from './world';

const pages = (n: number, size: number): number => Math.max(1, Math.ceil(n / size));

export interface PortsOptions {
  readonly world: World;
  /** Fault stream; `apiErrorRate` is the probability a call throws a transient error. */
  readonly faults: Prng;
  readonly apiErrorRate: number;
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

  /** Count `n` requests and maybe fail like a throttled SDK call. */
  const call = (n: number, what: string): void => {
    world.countApi(n);
    if (options.apiErrorRate > 0 && options.faults.chance(options.apiErrorRate)) {
      injected++;
      throw new HeadroomError('transient', `ThrottlingException: Rate exceeded (${what}, injected by the simulator)`);
    }
  };

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

  const instanceView = (i: ReturnType<World['ecsInstances']>[number]) => {
    const { group: _group, ...ecsOnly } = world.toCore(i);
    return { ...ecsOnly, agentConnected: true };
  };

  const ecs: ContainerService = {
    async snapshot() {
      const instances = world.ecsInstances();
      const services = world.coreServices();
      const tasks = instances.reduce((n, i) => n + i.tasks.size, 0);
      const defs = new Set<string>(services.map((s) => `service:${s.name}`));
      for (const i of instances) for (const t of i.tasks.values()) if (t.submission !== undefined) defs.add(`job:${t.shape.cpu}/${t.shape.memory}`);
      call(2 * pages(instances.length, 100) + 2 * pages(tasks, 100) + pages(services.length, 100) + pages(services.length, 10) + definitionCalls(defs), 'snapshot');
      return { instances: instances.map(instanceView), services, waiting: world.provisioningShapes() };
    },
    async findInstances(ids) {
      const wanted = new Set(ids);
      const found = world.ecsInstances().filter((i) => wanted.has(i.id));
      const tasks = found.reduce((n, i) => n + i.tasks.size, 0);
      call(pages(wanted.size, 20) + (found.length > 0 ? pages(found.length, 100) + 2 * found.length + pages(tasks, 100) + 1 : 0), 'findInstances');
      return found.map(instanceView);
    },
    async setStatus(arns, status: Extract<InstanceStatus, 'ACTIVE' | 'DRAINING'>) {
      const changed: string[] = [];
      const refused: Array<{ arn: string; reason: string }> = [];
      if (arns.length === 0) return { changed, refused };
      call(pages(arns.length, 10), 'UpdateContainerInstancesState');
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
      call(pages(arns.length, 10), value === undefined ? 'DeleteAttributes' : 'PutAttributes');
      for (const arn of arns) {
        const i = world.findInstance(arn);
        if (i === undefined || i.ecsStatus === undefined) continue;
        if (value === undefined) delete i.attributes[name];
        else i.attributes[name] = value;
        changed.push(arn);
      }
      return changed;
    },
    async stopTasks(taskIds, reason) {
      if (taskIds.length === 0) return;
      call(taskIds.length, 'StopTask');
      for (const id of taskIds) world.stopTaskById(id, `headroom (${reason})`);
    },
  };

  const autoScaling: AutoScaling = {
    async describeGroups(names) {
      const groups = names.map((n) => world.groupByName(n)).filter((g): g is NonNullable<typeof g> => g !== undefined);
      call(pages(names.length, 100) + groups.length, 'DescribeAutoScalingGroups');
      return groups.map(
        (g): GroupState => ({
          name: g.name,
          min: g.min,
          max: g.max,
          desired: g.desired,
          instanceType: g.spec.instanceType,
          availabilityZones: [g.spec.availabilityZone ?? 'us-east-1a'],
          members: world.members(g).map((i) => ({ instanceId: i.id, lifecycleState: i.lifecycle, instanceType: g.spec.instanceType, launchedAt: i.launchedAt })),
          ...(g.spec.spot ? { spot: true } : {}),
        }),
      );
    },
    async setDesiredCapacity(group, desired) {
      call(1, 'SetDesiredCapacity');
      const g = world.groupByName(group);
      if (g === undefined) throw new HeadroomError('invalid-input', `ValidationError: AutoScalingGroup name not found - ${group}`);
      // Like the AWS adapter: a scale-out never lowers desired capacity.
      world.setDesired(g, Math.max(g.desired, desired), 'headroom');
    },
    async terminateInstance(instanceId, decrement) {
      call(1, 'TerminateInstanceInAutoScalingGroup');
      return world.terminateInstance(instanceId, decrement, 'headroom');
    },
    async heartbeat(hook: HookRef) {
      call(1, 'RecordLifecycleActionHeartbeat');
      return world.heartbeat(hook.instanceId);
    },
    async completeLifecycleAction(hook: HookRef) {
      call(1, 'CompleteLifecycleAction');
      return world.completeLifecycle(hook.instanceId);
    },
  };

  // EC2 describes: the scenario's groups are the catalog (memory stated so the model's estimate of
  // what ECS registers reproduces the scenario's registered memory).
  // Like the real adapter, answers are cached for the life of the container: only new types cost a call.
  const described = new Set<string>();
  const catalog: InstanceCatalog = {
    async launchTemplate() {
      call(1, 'DescribeLaunchTemplateVersions');
      return {};
    },
    async instanceTypes(names) {
      const fresh = names.filter((n) => !described.has(n));
      if (fresh.length > 0) call(1, 'DescribeInstanceTypes');
      for (const n of fresh) described.add(n);
      const out = new Map<string, InstanceTypeInfo>();
      for (const g of world.groups) if (names.includes(g.spec.instanceType)) out.set(g.spec.instanceType, { vcpus: g.spec.cpu / 1024, memoryMiB: g.spec.memory / ECS_MEMORY_FRACTION });
      return out;
    },
  };

  const queue: DrainQueue = {
    async enqueue(check, delaySeconds) {
      call(1, 'SendMessage');
      if (delaySeconds < 0 || delaySeconds > 900) throw new HeadroomError('invalid-input', `InvalidParameterValue: DelaySeconds ${delaySeconds} must be 0–900`);
      options.enqueue(check, delaySeconds);
    },
  };

  const published: Array<{ at: number; name: MetricName; value: number }> = [];
  const metrics: Metrics = {
    async publish(datums: readonly MetricDatum[], at: number) {
      if (datums.length === 0) return;
      call(pages(datums.length, 1000), 'PutMetricData');
      for (const d of datums) published.push({ at, name: d.name, value: d.value });
    },
    async history(name: MetricName, from: number, to: number): Promise<HeadroomSample[]> {
      call(1, 'GetMetricData');
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
