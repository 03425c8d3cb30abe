/**
 * A task's reservation from its task definition, as ECS computes it: task-level `cpu`/`memory`
 * when set, else the sum over containers of `cpu` and of `memoryReservation ?? memory`. Static
 * host ports by network mode: `bridge` uses `hostPort` when non-zero (0 or absent is a dynamic
 * port and reserves nothing), `host` uses `hostPort ?? containerPort`, `awsvpc`/`none` none.
 *
 * The input is our own subset of the ECS `TaskDefinition` JSON, so adapters map SDK objects with
 * no conversion and tests can use documented JSON directly.
 */
import type { TaskShape } from './cluster';

export interface PortMappingSpec {
  readonly containerPort?: number;
  readonly hostPort?: number;
  readonly protocol?: string;
}

export interface ContainerSpec {
  readonly name?: string;
  readonly cpu?: number;
  readonly memory?: number;
  readonly memoryReservation?: number;
  readonly portMappings?: readonly PortMappingSpec[];
  readonly essential?: boolean;
}

export interface PlacementConstraintSpec {
  readonly type?: string;
  readonly expression?: string;
}

export interface TaskDefinitionSpec {
  readonly family?: string;
  /** ECS returns CPU units as a string ("1024"); registration also accepts "1 vCPU". */
  readonly cpu?: string;
  /** ECS returns MiB as a string ("2048"); registration also accepts "2 GB". */
  readonly memory?: string;
  readonly networkMode?: string;
  readonly containerDefinitions?: readonly ContainerSpec[];
  readonly placementConstraints?: readonly PlacementConstraintSpec[];
}

/** Parse "1024", "1 vCPU", "0.5 vcpu" into CPU units; undefined when absent or unreadable. */
export function parseCpu(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value);
  if (m === null || m[1] === undefined) return undefined;
  const n = Number(m[1]);
  return m[2] !== undefined ? Math.round(n * 1024) : Math.round(n);
}

/** Parse "2048", "2 GB", "512 MiB" into MiB; undefined when absent or unreadable. */
export function parseMemory(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib)?\s*$/i.exec(value);
  if (m === null || m[1] === undefined) return undefined;
  const n = Number(m[1]);
  const unit = m[2]?.toLowerCase();
  return unit === 'gb' || unit === 'gib' ? Math.round(n * 1024) : Math.round(n);
}

/** Static host ports a task of this definition holds on its instance, split by protocol. */
export function hostPorts(td: TaskDefinitionSpec): { tcp: number[]; udp: number[] } {
  const mode = td.networkMode ?? 'bridge';
  const tcp: number[] = [];
  const udp: number[] = [];
  if (mode !== 'bridge' && mode !== 'host') return { tcp, udp };
  for (const c of td.containerDefinitions ?? []) {
    for (const pm of c.portMappings ?? []) {
      const port = mode === 'host' ? (pm.hostPort ?? pm.containerPort) : pm.hostPort;
      if (port === undefined || port === 0) continue;
      (pm.protocol?.toLowerCase() === 'udp' ? udp : tcp).push(port);
    }
  }
  return { tcp, udp };
}

/**
 * The shape a task of this definition reserves. `extraConstraints` are the service's own
 * placement constraints (where `distinctInstance` lives); task-definition constraints can only be
 * `memberOf`.
 */
export function taskShapeOf(td: TaskDefinitionSpec, extraConstraints: readonly PlacementConstraintSpec[] = [], taskGroup?: string): TaskShape {
  const containers = td.containerDefinitions ?? [];
  const cpu = parseCpu(td.cpu) ?? containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0);
  const memory = parseMemory(td.memory) ?? containers.reduce((sum, c) => sum + (c.memoryReservation ?? c.memory ?? 0), 0);
  const { tcp, udp } = hostPorts(td);
  const constraints = [...(td.placementConstraints ?? []), ...extraConstraints];
  const memberOf = constraints.filter((c) => c.type === 'memberOf' && c.expression !== undefined && c.expression.trim() !== '').map((c) => c.expression as string);
  const distinctInstance = constraints.some((c) => c.type === 'distinctInstance');
  return {
    cpu,
    memory,
    ...(tcp.length > 0 ? { tcpPorts: tcp } : {}),
    ...(udp.length > 0 ? { udpPorts: udp } : {}),
    ...(memberOf.length > 0 ? { memberOf } : {}),
    ...(distinctInstance ? { distinctInstance } : {}),
    ...(taskGroup !== undefined ? { taskGroup } : {}),
    ...(td.networkMode === 'awsvpc' ? { awsvpc: true } : {}),
  };
}
