/**
 * ECS adapter: the `ContainerService` port over `@aws-sdk/client-ecs`, scoped to one cluster.
 *
 * Calls used, with their per-call limits:
 *   ListContainerInstances (100/page), DescribeContainerInstances (100/call), ListTasks (100/page),
 *   DescribeTasks (100/call), ListServices (100/page), DescribeServices (10/call),
 *   DescribeTaskDefinition (cached for the life of the container: definitions are immutable),
 *   UpdateContainerInstancesState (10/call), PutAttributes / DeleteAttributes (10/call), StopTask.
 *
 * `snapshot()` costs ⌈I/100⌉·2 + ⌈T/100⌉·2 + ⌈S/100⌉ + ⌈S/10⌉ calls plus one per task definition
 * not seen before: never one per instance.
 */
import {
  DeleteAttributesCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  PutAttributesCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  paginateListContainerInstances,
  paginateListServices,
  paginateListTasks,
  type ContainerInstance,
  type Resource,
  type Service as EcsService,
  type Task as EcsTask,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { Instance, InstanceStatus, Service, Task, TaskRole, TaskShape, TaskStatus } from '../../core/cluster';
import { taskShapeOf, type PlacementConstraintSpec, type TaskDefinitionSpec } from '../../core/task-definition';
import type { ContainerService, Logger, StatusChange } from '../ports';
import { chunks, classify, errorMessage, errorName, mapLimit } from './util';

const PARALLEL = 4;

const TASK_STATUSES: ReadonlySet<string> = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);
const INSTANCE_STATUSES: ReadonlySet<string> = new Set(['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'INACTIVE', 'REGISTRATION_FAILED']);

/** Task definitions by ARN, for the life of the Lambda container (they are immutable). */
const taskDefinitionCache = new Map<string, Promise<TaskDefinitionSpec>>();

/** For tests: forget cached task definitions. */
export function clearTaskDefinitionCache(): void {
  taskDefinitionCache.clear();
}

function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** SDK task definition → our spec (no `undefined`-valued keys, so strict optional types hold). */
export function toSpec(td: TaskDefinition): TaskDefinitionSpec {
  return defined({
    family: td.family,
    cpu: td.cpu,
    memory: td.memory,
    networkMode: td.networkMode,
    containerDefinitions: (td.containerDefinitions ?? []).map((c) =>
      defined({
        name: c.name,
        cpu: c.cpu,
        memory: c.memory,
        memoryReservation: c.memoryReservation,
        essential: c.essential,
        portMappings: (c.portMappings ?? []).map((p) => defined({ containerPort: p.containerPort, hostPort: p.hostPort, protocol: p.protocol })),
      }),
    ),
    placementConstraints: (td.placementConstraints ?? []).map((p) => defined({ type: p.type, expression: p.expression })),
  });
}

function integer(resources: readonly Resource[] | undefined, name: string): number {
  const r = resources?.find((x) => x.name === name);
  return r?.integerValue ?? (r?.longValue !== undefined ? Number(r.longValue) : (r?.doubleValue ?? 0));
}

function ports(resources: readonly Resource[] | undefined, name: string): number[] {
  const r = resources?.find((x) => x.name === name);
  return (r?.stringSetValue ?? []).map(Number).filter((n) => Number.isInteger(n));
}

function constraintsOf(s: EcsService | undefined): PlacementConstraintSpec[] {
  return (s?.placementConstraints ?? []).map((p) => defined({ type: p.type, expression: p.expression }));
}

/** Services whose tasks need no EC2 capacity (Fargate) are left out of the model. */
function runsOnEc2(s: EcsService): boolean {
  if (s.launchType !== undefined) return s.launchType === 'EC2';
  const providers = s.capacityProviderStrategy ?? [];
  return !providers.some((p) => p.capacityProvider === 'FARGATE' || p.capacityProvider === 'FARGATE_SPOT');
}

export class EcsContainerService implements ContainerService {
  constructor(
    private readonly client: ECSClient,
    private readonly cluster: string,
    private readonly log: Logger,
  ) {}

  private async taskDefinition(arn: string): Promise<TaskDefinitionSpec> {
    let cached = taskDefinitionCache.get(arn);
    if (cached === undefined) {
      const load = async (): Promise<TaskDefinitionSpec> => toSpec((await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition ?? {});
      cached = load().catch((error: unknown) => {
        taskDefinitionCache.delete(arn);
        throw error;
      });
      taskDefinitionCache.set(arn, cached);
    }
    return cached;
  }

  private async describeInstances(arns: readonly string[]): Promise<ContainerInstance[]> {
    const pages = await mapLimit(chunks(arns, 100), PARALLEL, async (batch) => {
      const out = await this.client.send(new DescribeContainerInstancesCommand({ cluster: this.cluster, containerInstances: batch }));
      return out.containerInstances ?? [];
    });
    return pages.flat();
  }

  private async describeTasks(arns: readonly string[]): Promise<EcsTask[]> {
    const pages = await mapLimit(chunks(arns, 100), PARALLEL, async (batch) => {
      const out = await this.client.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: batch }));
      return out.tasks ?? [];
    });
    return pages.flat();
  }

  private async listServices(): Promise<EcsService[]> {
    const arns: string[] = [];
    for await (const page of paginateListServices({ client: this.client, pageSize: 100 }, { cluster: this.cluster })) arns.push(...(page.serviceArns ?? []));
    const pages = await mapLimit(chunks(arns, 10), PARALLEL, async (batch) => {
      const out = await this.client.send(new DescribeServicesCommand({ cluster: this.cluster, services: batch }));
      return out.services ?? [];
    });
    return pages.flat().filter((s) => s.status !== 'INACTIVE');
  }

  private async toTask(t: EcsTask, services: ReadonlyMap<string, EcsService>): Promise<Task> {
    const group = t.group ?? '';
    const serviceName = group.startsWith('service:') ? group.slice('service:'.length) : undefined;
    const service = serviceName !== undefined ? services.get(serviceName) : undefined;
    const role: TaskRole = serviceName === undefined ? 'standalone' : service?.schedulingStrategy === 'DAEMON' ? 'daemon' : 'service';
    const spec = t.taskDefinitionArn !== undefined ? await this.taskDefinition(t.taskDefinitionArn) : {};
    // Task-level cpu/memory on the task (overrides included) win over the definition.
    const shape: TaskShape = taskShapeOf({ ...spec, ...defined({ cpu: t.cpu, memory: t.memory }) }, constraintsOf(service), group !== '' ? group : undefined);
    const status = (TASK_STATUSES.has(t.lastStatus ?? '') ? t.lastStatus : 'PENDING') as TaskStatus;
    return { ...shape, id: t.taskArn ?? '', role, status, ...(serviceName !== undefined ? { service: serviceName } : {}) };
  }

  private async toInstances(cis: readonly ContainerInstance[], tasks: readonly EcsTask[], services: ReadonlyMap<string, EcsService>): Promise<Instance[]> {
    // Fetch each task definition not seen before once, a few at a time.
    const definitions = new Set(tasks.map((t) => t.taskDefinitionArn).filter((a): a is string => a !== undefined));
    await mapLimit([...definitions], PARALLEL, (arn) => this.taskDefinition(arn));
    const byInstance = new Map<string, Task[]>();
    for (const t of tasks) {
      if (t.containerInstanceArn === undefined) continue;
      const list = byInstance.get(t.containerInstanceArn) ?? [];
      list.push(await this.toTask(t, services));
      byInstance.set(t.containerInstanceArn, list);
    }
    const out: Instance[] = [];
    for (const ci of cis) {
      if (ci.ec2InstanceId === undefined) continue;
      const attributes: Record<string, string> = {};
      for (const a of ci.attributes ?? []) if (a.name !== undefined) attributes[a.name] = a.value ?? '';
      const status = (INSTANCE_STATUSES.has(ci.status ?? '') ? ci.status : 'ACTIVE') as InstanceStatus;
      const az = attributes['ecs.availability-zone'];
      const type = attributes['ecs.instance-type'];
      out.push({
        id: ci.ec2InstanceId,
        ...(ci.containerInstanceArn !== undefined ? { arn: ci.containerInstanceArn } : {}),
        status,
        registered: { cpu: integer(ci.registeredResources, 'CPU'), memory: integer(ci.registeredResources, 'MEMORY') },
        remaining: { cpu: integer(ci.remainingResources, 'CPU'), memory: integer(ci.remainingResources, 'MEMORY') },
        usedTcpPorts: ports(ci.remainingResources, 'PORTS'),
        usedUdpPorts: ports(ci.remainingResources, 'PORTS_UDP'),
        ...(az !== undefined ? { availabilityZone: az } : {}),
        ...(type !== undefined ? { instanceType: type } : {}),
        attributes,
        tasks: byInstance.get(ci.containerInstanceArn ?? '') ?? [],
        agentConnected: ci.agentConnected !== false,
      });
    }
    return out;
  }

  private toService(s: EcsService, spec: TaskDefinitionSpec): Service {
    const name = s.serviceName ?? '';
    const deployments = s.deployments ?? [];
    const unplaced =
      deployments.length > 0
        ? deployments.reduce((sum, d) => sum + Math.max(0, (d.desiredCount ?? 0) - (d.runningCount ?? 0) - (d.pendingCount ?? 0)), 0)
        : Math.max(0, (s.desiredCount ?? 0) - (s.runningCount ?? 0) - (s.pendingCount ?? 0));
    return {
      name,
      shape: taskShapeOf(spec, constraintsOf(s), `service:${name}`),
      daemon: s.schedulingStrategy === 'DAEMON',
      desired: s.desiredCount ?? 0,
      running: s.runningCount ?? 0,
      pending: s.pendingCount ?? 0,
      unplaced,
    };
  }

  async snapshot(): Promise<{ instances: Instance[]; services: Service[]; waiting: TaskShape[] }> {
    try {
      const instanceArns: string[] = [];
      for await (const page of paginateListContainerInstances({ client: this.client, pageSize: 100 }, { cluster: this.cluster })) instanceArns.push(...(page.containerInstanceArns ?? []));
      const taskArns: string[] = [];
      for await (const page of paginateListTasks({ client: this.client, pageSize: 100 }, { cluster: this.cluster })) taskArns.push(...(page.taskArns ?? []));
      const [cis, tasks, ecsServices] = await Promise.all([this.describeInstances(instanceArns), this.describeTasks(taskArns), this.listServices()]);
      const ec2Services = ecsServices.filter(runsOnEc2);
      const byName = new Map(ecsServices.map((s) => [s.serviceName ?? '', s]));
      const services = await mapLimit(ec2Services, PARALLEL, async (s) => {
        const primary = s.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? s.taskDefinition;
        return this.toService(s, primary !== undefined ? await this.taskDefinition(primary) : {});
      });
      const instances = await this.toInstances(cis, tasks, byName);
      // Tasks with no instance yet (PROVISIONING, e.g. RunTask through a capacity provider without
      // managed scaling) wait for capacity: they are demand the service counts do not show.
      const waiting: TaskShape[] = [];
      for (const t of tasks) {
        if (t.containerInstanceArn !== undefined || t.lastStatus === 'STOPPED' || t.desiredStatus === 'STOPPED' || t.launchType === 'FARGATE') continue;
        const { id: _id, role: _role, status: _status, service: _service, ...shape } = await this.toTask(t, byName);
        waiting.push(shape);
      }
      return { instances, services, waiting };
    } catch (error) {
      return classify(error, 'reading the cluster');
    }
  }

  async findInstances(ec2InstanceIds: readonly string[]): Promise<Instance[]> {
    const ids = [...new Set(ec2InstanceIds)].filter((id) => /^i-[0-9a-zA-Z]+$/.test(id));
    if (ids.length === 0) return [];
    try {
      const arns: string[] = [];
      for (const batch of chunks(ids, 20)) {
        const filter = `ec2InstanceId in [${batch.map((id) => `'${id}'`).join(',')}]`;
        for await (const page of paginateListContainerInstances({ client: this.client, pageSize: 100 }, { cluster: this.cluster, filter })) arns.push(...(page.containerInstanceArns ?? []));
      }
      if (arns.length === 0) return [];
      const cis = await this.describeInstances(arns);
      // Per instance: tasks ECS wants running and tasks it is stopping (desired STOPPED, not yet STOPPED).
      const taskArns = new Set<string>();
      await mapLimit(arns, PARALLEL, async (arn) => {
        for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
          for await (const page of paginateListTasks({ client: this.client, pageSize: 100 }, { cluster: this.cluster, containerInstance: arn, desiredStatus })) {
            for (const t of page.taskArns ?? []) taskArns.add(t);
          }
        }
      });
      const tasks = (await this.describeTasks([...taskArns])).filter((t) => t.lastStatus !== 'STOPPED');
      const groups = new Set(tasks.map((t) => t.group ?? '').filter((g) => g.startsWith('service:')).map((g) => g.slice('service:'.length)));
      const services = new Map<string, EcsService>();
      for (const batch of chunks([...groups], 10)) {
        const out = await this.client.send(new DescribeServicesCommand({ cluster: this.cluster, services: batch }));
        for (const s of out.services ?? []) services.set(s.serviceName ?? '', s);
      }
      return await this.toInstances(cis, tasks, services);
    } catch (error) {
      return classify(error, `finding container instances ${ids.join(', ')}`);
    }
  }

  /**
   * UpdateContainerInstancesState, ≤ 10 instances per call. A 200 answer may still list `failures`
   * (ARN and reason, e.g. `MISSING`; API reference: UpdateContainerInstancesState, and "API failure
   * reasons" in the ECS developer guide): those instances did not change. ECS also rejects a whole
   * call when one instance cannot make the transition ("A container instance can't be changed to
   * DRAINING until it has reached an ACTIVE status … an error will be received"): the batch is then
   * retried one instance at a time so one bad instance does not hold back the other nine.
   */
  async setStatus(containerInstanceArns: readonly string[], status: 'ACTIVE' | 'DRAINING'): Promise<StatusChange> {
    const changed: string[] = [];
    const refused: Array<{ arn: string; reason: string }> = [];
    const run = async (batch: readonly string[]): Promise<void> => {
      try {
        const out = await this.client.send(new UpdateContainerInstancesStateCommand({ cluster: this.cluster, containerInstances: [...batch], status }));
        const failed = new Set<string>();
        for (const f of out.failures ?? []) {
          const arn = f.arn ?? '';
          failed.add(arn);
          refused.push({ arn, reason: [f.reason, f.detail].filter((x) => x !== undefined && x !== '').join(': ') || 'unknown' });
        }
        changed.push(...batch.filter((a) => !failed.has(a)));
      } catch (error) {
        if (errorName(error) !== 'InvalidParameterException') classify(error, `setting ${batch.length} container instance(s) ${status}`);
        if (batch.length > 1) {
          for (const arn of batch) await run([arn]);
          return;
        }
        refused.push({ arn: batch[0] as string, reason: errorMessage(error) });
      }
    };
    for (const batch of chunks([...new Set(containerInstanceArns)], 10)) await run(batch);
    for (const r of refused) this.log.warn('container instance state not changed', { arn: r.arn, reason: r.reason, status });
    return { changed, refused };
  }

  /**
   * PutAttributes / DeleteAttributes, ≤ 10 per call. `targetType` is sent only with a short id: the
   * API requires it "if you use the short form ID for a resource instead of the full ARN" (API
   * reference: PutAttributes). A container instance holds at most 10 custom attributes
   * (`AttributeLimitExceededException`); a batch refused as a whole is retried one instance at a time.
   * Returns the ARNs whose attribute changed.
   */
  async setAttribute(containerInstanceArns: readonly string[], name: string, value: string | undefined): Promise<readonly string[]> {
    const changed: string[] = [];
    const run = async (batch: readonly string[]): Promise<void> => {
      const attributes = batch.map((id) => ({ name, targetId: id, ...(id.startsWith('arn:') ? {} : { targetType: 'container-instance' as const }), ...(value !== undefined ? { value } : {}) }));
      try {
        if (value === undefined) await this.client.send(new DeleteAttributesCommand({ cluster: this.cluster, attributes }));
        else await this.client.send(new PutAttributesCommand({ cluster: this.cluster, attributes }));
        changed.push(...batch);
      } catch (error) {
        if (errorName(error) !== 'TargetNotFoundException' && errorName(error) !== 'AttributeLimitExceededException') classify(error, `${value === undefined ? 'deleting' : 'putting'} attribute ${name}`);
        if (batch.length > 1) {
          for (const id of batch) await run([id]);
          return;
        }
        this.log.warn('attribute not changed', { name, arn: batch[0], error: errorMessage(error) });
      }
    };
    for (const batch of chunks([...new Set(containerInstanceArns)], 10)) await run(batch);
    return changed;
  }

  async stopTasks(taskIds: readonly string[], reason: string): Promise<void> {
    await mapLimit([...new Set(taskIds)], PARALLEL, async (task) => {
      try {
        await this.client.send(new StopTaskCommand({ cluster: this.cluster, task, reason: reason.slice(0, 255) }));
      } catch (error) {
        if (errorName(error) === 'InvalidParameterException' || errorName(error) === 'ClientException') {
          this.log.warn('task not stopped (already stopped or gone)', { task, error: errorMessage(error) });
          return;
        }
        classify(error, `stopping task ${task}`);
      }
    });
  }
}
