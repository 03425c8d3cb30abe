/**
 * Pure translations from ECS API shapes to the core's terms, shared by the ECS read path and the
 * adapter.
 */
import type { ContainerInstance, Resource, Service as EcsService, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Instance, InstanceStatus, Task } from '../../core/cluster';
import type { PlacementConstraintSpec, TaskDefinitionSpec } from '../../core/task-definition';

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

/** A container instance in the model; `tasks` only when they were read. */
export function toInstance(ci: ContainerInstance, tasks: readonly Task[] | undefined): Instance | undefined {
  if (ci.ec2InstanceId === undefined) return undefined;
  const attributes: Record<string, string> = {};
  for (const a of ci.attributes ?? []) if (a.name !== undefined) attributes[a.name] = a.value ?? '';
  const registered = byName(ci.registeredResources);
  const remaining = byName(ci.remainingResources);
  const status = (INSTANCE_STATUSES.has(ci.status ?? '') ? ci.status : 'ACTIVE') as InstanceStatus;
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
