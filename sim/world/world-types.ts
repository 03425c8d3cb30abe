/**
 * The simulated world's data model (instances, tasks, groups, series) shared by the world's parts,
 * the policies and the report, with no behaviour beyond small pure helpers, so that none of them
 * needs to import the `World` class to name its data.
 */
import type { TaskRole, TaskShape, TaskStatus } from '../../core/cluster';
import type { Bin } from '../../core/placement';
import type { CapacityGroupSpec } from '../scenario/scenario';
import type { Submission } from '../scenario/workload';

export type Lifecycle = 'Pending' | 'InService' | 'Terminating:Wait' | 'Terminated';

export interface SimTask {
  readonly id: string;
  readonly role: TaskRole;
  readonly service?: string;
  readonly submission?: Submission;
  readonly shape: TaskShape;
  status: TaskStatus;
  readonly instance: SimInstance;
  readonly placedAt: number;
  /** STOPPING → STOPPED duration. */
  readonly stopSeconds: number;
}

export interface HookState {
  readonly name: string;
  readonly token: string;
  readonly startedAt: number;
  expiresAt: number;
  readonly maxAt: number;
  readonly heartbeatSeconds: number;
}

/** One launchable instance type of a group (a mixed-instances group has several). */
export interface InstanceTypeSpec {
  readonly instanceType: string;
  readonly cpu: number;
  readonly memory: number;
  readonly pricePerHour: number;
  /** Capacity units this instance counts for in the group's desired capacity. */
  readonly weight: number;
}

export interface SimInstance {
  readonly id: string;
  readonly arn: string;
  readonly seq: number;
  readonly group: GroupRuntime;
  readonly type: InstanceTypeSpec;
  readonly zone: string;
  /** Bumped on every change ECS would report (tasks, status, attributes): keys the cached core view. */
  version: number;
  readonly launchedAt: number;
  lifecycle: Lifecycle;
  /** ECS status; undefined before registration and after deregistration. */
  ecsStatus: 'ACTIVE' | 'DRAINING' | undefined;
  registeredAt?: number;
  terminatedAt?: number;
  readonly tasks: Map<string, SimTask>;
  readonly bin: Bin;
  readonly attributes: Record<string, string>;
  hook?: HookState;
  spotWarnedAt?: number;
  stuck: boolean;
}

export interface GroupRuntime {
  readonly spec: CapacityGroupSpec;
  readonly name: string;
  readonly types: readonly InstanceTypeSpec[];
  readonly zones: readonly string[];
  min: number;
  max: number;
  /** Desired capacity in capacity units (instance weights; 1 per instance without `instanceTypes`). */
  desired: number;
  launches: number;
  /** The instance an AZRebalance activity launched, until its fuller-zone twin is terminated. */
  rebalancing?: SimInstance;
  /** Start of the most recent failed launch activity (epoch ms). */
  launchFailedAt?: number;
}

export interface SeriesPoint {
  /** Minutes since the start. */
  readonly minute: number;
  /** Instances paid for (launching, in service, terminating). */
  readonly instances: number;
  /** Instances ECS can place on (ACTIVE). */
  readonly active: number;
  /** Lower bound on instances for everything that wants to run. */
  readonly demand: number;
  /** Reference tasks that still fit (the headroom definition of docs/design.md §3.1). */
  readonly headroom: number;
  readonly pending: number;
  readonly tasksLost: number;
  readonly cost: number;
}

export interface SpotMark {
  readonly minute: number;
  readonly count: number;
  readonly storm: boolean;
}

export const TERMINATING_STATES = new Set<Lifecycle>(['Terminating:Wait', 'Terminated']);

/**
 * The group's launchable types: `instanceTypes` of a mixed-instances group, else its one type
 * (weight 1). `unweighted`: the same types, each counting 1 (a group set up without weights).
 */
export function instanceTypesOf(spec: CapacityGroupSpec, unweighted = false): InstanceTypeSpec[] {
  if (spec.instanceTypes !== undefined) return spec.instanceTypes.map((t) => ({ ...t, ...(unweighted ? { weight: 1 } : {}) }));
  return [{ instanceType: spec.instanceType, cpu: spec.cpu, memory: spec.memory, pricePerHour: spec.pricePerHour, weight: 1 }];
}

/** The group's zones (one default zone when the scenario names none). */
export function zonesOf(spec: CapacityGroupSpec): string[] {
  if (spec.availabilityZones !== undefined) return [...spec.availabilityZones];
  return [spec.availabilityZone ?? DEFAULT_ZONE];
}

export const DEFAULT_ZONE = 'us-east-1a';
/**
 * After a failed launch Auto Scaling tries again; we retry after this long (our assumption: the
 * activity history of a group short of capacity shows a failed launch about every few minutes).
 */
export const LAUNCH_RETRY_SECONDS = 120;


/** A task waiting for a place, with its ordinal in its service (or in submission order). */
export interface WaitingTask {
  readonly shape: TaskShape;
  readonly service?: string;
  readonly ordinal: number;
}

/** Tasks lost when an instance went: recorded by the world (every one, unlike the capped debug log). */
export interface Loss {
  /** Minutes from the start of the run. */
  readonly minute: number;
  readonly tasks: number;
  readonly instance: string;
  /** Why the instance went (a Spot interruption, a hook timeout, …). */
  readonly why: string;
}
