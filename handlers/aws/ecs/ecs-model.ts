/**
 * Translations from ECS API shapes to the core's terms, shared by the ECS read path and the
 * adapter. Pure, except that tasks and services read their task definitions through the function
 * they are given (the reader's cache).
 */
import type { ContainerInstance, Resource, Service as EcsService, Task as EcsTask, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Instance, InstanceStatus, Service, Task, TaskRole, TaskShape, TaskStatus } from '../../../core/cluster';
import { taskShapeOf, type PlacementConstraintSpec, type TaskDefinitionSpec } from '../../../core/task-definition';
import { ECS_PARALLEL, mapLimit } from '../util';

export function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
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

function numeric(r: Resource | undefined): number {
  return r?.integerValue ?? (r?.longValue !== undefined ? Number(r.longValue) : (r?.doubleValue ?? 0));
}

function portList(r: Resource | undefined): number[] {
  const out: number[] = [];
  for (const p of r?.stringSetValue ?? []) {
    const n = Number(p);
    if (Number.isInteger(n)) out.push(n);
  }
  return out;
}

/** The first resource of each name the model reads, in one pass (a list holds each name once). */
function byName(resources: readonly Resource[] | undefined): { cpu?: Resource; memory?: Resource; tcp?: Resource; udp?: Resource } {
  const found: { cpu?: Resource; memory?: Resource; tcp?: Resource; udp?: Resource } = {};
  for (const r of resources ?? []) {
    if (r.name === 'CPU') found.cpu ??= r;
    else if (r.name === 'MEMORY') found.memory ??= r;
    else if (r.name === 'PORTS') found.tcp ??= r;
    else if (r.name === 'PORTS_UDP') found.udp ??= r;
  }
  return found;
}

export function constraintsOf(s: EcsService | undefined): PlacementConstraintSpec[] {
  return (s?.placementConstraints ?? []).map((p) => defined({ type: p.type, expression: p.expression }));
}

/** Services whose tasks need no EC2 capacity (Fargate) are left out of the model. */
export function runsOnEc2(s: EcsService): boolean {
  if (s.launchType !== undefined) return s.launchType === 'EC2';
  const providers = s.capacityProviderStrategy ?? [];
  return !providers.some((p) => p.capacityProvider === 'FARGATE' || p.capacityProvider === 'FARGATE_SPOT');
}

const INSTANCE_STATUSES: ReadonlySet<string> = new Set(['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'INACTIVE', 'REGISTRATION_FAILED']);

/**
 * The model's status for what ECS answers. A status Headroom does not know (a new one, or none) is
 * never taken for ACTIVE: only ACTIVE instances receive tasks (ECS API reference,
 * ContainerInstance.status), so an unknown one counts as not schedulable — REGISTRATION_FAILED,
 * which the core treats as neither capacity nor gone (a drain keeps waiting on it).
 */
export function instanceStatus(status: string | undefined): InstanceStatus {
  return INSTANCE_STATUSES.has(status ?? '') ? (status as InstanceStatus) : 'REGISTRATION_FAILED';
}

/** A container instance in the model; `tasks` only when they were read. */
export function toInstance(ci: ContainerInstance, tasks: readonly Task[] | undefined): Instance | undefined {
  if (ci.ec2InstanceId === undefined) return undefined;
  const attributes: Record<string, string> = {};
  for (const a of ci.attributes ?? []) if (a.name !== undefined) attributes[a.name] = a.value ?? '';
  const registered = byName(ci.registeredResources);
  const remaining = byName(ci.remainingResources);
  const status = instanceStatus(ci.status);
  const az = attributes['ecs.availability-zone'];
  const type = attributes['ecs.instance-type'];
  return {
    id: ci.ec2InstanceId,
    ...(ci.containerInstanceArn !== undefined ? { arn: ci.containerInstanceArn } : {}),
    status,
    registered: { cpu: numeric(registered.cpu), memory: numeric(registered.memory) },
    remaining: { cpu: numeric(remaining.cpu), memory: numeric(remaining.memory) },
    usedTcpPorts: portList(remaining.tcp),
    usedUdpPorts: portList(remaining.udp),
    ...(az !== undefined ? { availabilityZone: az } : {}),
    ...(type !== undefined ? { instanceType: type } : {}),
    attributes,
    ...(tasks !== undefined ? { tasks } : {}),
    taskCounts: { running: ci.runningTasksCount ?? 0, pending: ci.pendingTasksCount ?? 0 },
    agentConnected: ci.agentConnected !== false,
  };
}

/** The fields of a described task the model reads; all immutable except the statuses. */
export type TaskFacts = Pick<EcsTask, 'taskArn' | 'containerInstanceArn' | 'group' | 'taskDefinitionArn' | 'cpu' | 'memory' | 'lastStatus' | 'desiredStatus' | 'launchType'>;

export function facts(t: EcsTask): TaskFacts {
  return defined({
    taskArn: t.taskArn,
    containerInstanceArn: t.containerInstanceArn,
    group: t.group,
    taskDefinitionArn: t.taskDefinitionArn,
    cpu: t.cpu,
    memory: t.memory,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    launchType: t.launchType,
  });
}

const TASK_STATUSES: ReadonlySet<string> = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);

/** Reads a task definition by ARN (the reader's cache). */
export type DefinitionOf = (arn: string) => Promise<TaskDefinitionSpec>;


export async function toTask(t: TaskFacts, services: ReadonlyMap<string, EcsService>, definition: DefinitionOf): Promise<Task> {
  const group = t.group ?? '';
  const serviceName = group.startsWith('service:') ? group.slice('service:'.length) : undefined;
  const service = serviceName !== undefined ? services.get(serviceName) : undefined;
  const role: TaskRole = serviceName === undefined ? 'standalone' : service?.schedulingStrategy === 'DAEMON' ? 'daemon' : 'service';
  const spec = t.taskDefinitionArn !== undefined ? await definition(t.taskDefinitionArn) : {};
  // Task-level cpu/memory on the task (overrides included) win over the definition.
  const shape: TaskShape = taskShapeOf({ ...spec, ...defined({ cpu: t.cpu, memory: t.memory }) }, constraintsOf(service), group !== '' ? group : undefined);
  const status = (TASK_STATUSES.has(t.lastStatus ?? '') ? t.lastStatus : 'PENDING') as TaskStatus;
  return { ...shape, id: t.taskArn ?? '', role, status, ...(serviceName !== undefined ? { service: serviceName } : {}) };
}

/** The tasks in the model; each distinct definition is read once, before the tasks are translated. */
export async function toTasks(tasks: readonly TaskFacts[], services: ReadonlyMap<string, EcsService>, definition: DefinitionOf): Promise<Task[]> {
  const definitions = new Set(tasks.map((t) => t.taskDefinitionArn).filter((a): a is string => a !== undefined));
  await mapLimit([...definitions], ECS_PARALLEL, (arn) => definition(arn));
  return Promise.all(tasks.map((t) => toTask(t, services, definition)));
}

export async function toService(s: EcsService, definition: DefinitionOf): Promise<Service> {
  const primary = s.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? s.taskDefinition;
  const spec = primary !== undefined ? await definition(primary) : {};
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

/** The services that run on EC2, in the model. */
export async function ec2Services(ecsServices: readonly EcsService[], definition: DefinitionOf): Promise<Service[]> {
  return mapLimit(ecsServices.filter(runsOnEc2), ECS_PARALLEL, (s) => toService(s, definition));
}
