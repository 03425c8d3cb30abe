/**
 * Ports: what the handlers need from the outside world, in our own terms. `handlers/aws/`
 * implements them with the AWS SDK; `sim/` implements them in memory, so the same handler code
 * runs in Lambda and in the simulator. Each port lists only the operations handlers use.
 *
 * Error contract for every implementation: throw `HeadroomError('transient', …)` (or let an SDK
 * throttling/5xx error through) when a retry could succeed; return `'gone'` / `undefined` /
 * an empty result when the thing acted on no longer exists: that is not an error.
 */
import type { Instance, InstanceStatus, Service, Task, TaskShape } from '../../core/cluster';
import type { MetricDatum, MetricName } from '../../core/metrics';
import type { HeadroomSample } from '../../core/scale-in';

/** What a snapshot reads besides instances and services. */

/**
 * How far back `GroupState.launchFailedAt` reports failed launches: the adapter and the
 * simulator's port keep the same window (the core backs off for GROUP_BACKOFF_SECONDS anyway).
 */
export const FAILED_LAUNCH_LOOKBACK_SECONDS = 3600;
export interface SnapshotOptions {
  /**
   * `all` (default): every instance's tasks, and tasks waiting with no instance when the adapter
   * listed the whole cluster; `none`: no task is read, instances carry `taskCounts` only (read the
   * few whose tasks matter with `tasksOf`).
   */
  readonly tasks?: 'all' | 'none';
}

/** ECS, scoped to one cluster. */
export interface ContainerService {
  /**
   * Every container instance and every service of the cluster, in one snapshot; `waiting`: tasks
   * not STOPPED that have no container instance yet (PROVISIONING), as shapes, when they were read.
   */
  snapshot(options?: SnapshotOptions): Promise<{ instances: Instance[]; services: Service[]; waiting?: TaskShape[] }>;
  /**
   * The live tasks (not STOPPED; on instances that are not ACTIVE, also those ECS is stopping) of
   * these container instances of the latest snapshot, by container instance ARN; `waiting` when the
   * adapter listed the whole cluster's tasks to answer (tasks with no instance, as in `snapshot`);
   * `waiting: true` makes it list them (⌈T/100⌉ ListTasks, only new ARNs described).
   */
  tasksOf(containerInstanceArns: readonly string[], options?: { readonly waiting?: boolean }): Promise<{ byInstance: Map<string, Task[]>; waiting?: TaskShape[] }>;
  /** The container instances (with tasks) for these EC2 instance ids; missing ids are absent. */
  findInstances(ec2InstanceIds: readonly string[]): Promise<Instance[]>;
  /**
   * UpdateContainerInstancesState; idempotent. Says which instances are now in `status` and which
   * ECS refused (a 200 answer may still list `failures`): callers act only on what changed.
   */
  setStatus(containerInstanceArns: readonly string[], status: Extract<InstanceStatus, 'ACTIVE' | 'DRAINING'>): Promise<StatusChange>;
  /** Put (value) or delete (undefined) a custom attribute on container instances; the ARNs changed. */
  setAttribute(containerInstanceArns: readonly string[], name: string, value: string | undefined): Promise<readonly string[]>;
  /** StopTask for each id; tasks already stopped or gone are skipped. */
  stopTasks(taskIds: readonly string[], reason: string): Promise<void>;
}

/** What a status change did, per container instance. */
export interface StatusChange {
  /** Container instances now in the requested status. */
  readonly changed: readonly string[];
  /** Container instances ECS left as they were, with its reason (`MISSING`: not registered). */
  readonly refused: ReadonlyArray<{ readonly arn: string; readonly reason: string }>;
}

/** One Auto Scaling group as Auto Scaling reports it. */
export interface GroupState {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly desired: number;
  /** The instance type new instances get (launch template / first override), when known. */
  readonly instanceType?: string;
  /** Availability zones of the group. */
  readonly availabilityZones: readonly string[];
  /**
   * Members and their lifecycle state (`Pending`, `InService`, `Terminating:Wait`, …); `launchedAt`:
   * start of the member's launch activity (epoch ms), when the recent activities name it.
   */
  readonly members: ReadonlyArray<{ readonly instanceId: string; readonly lifecycleState: string; readonly instanceType?: string; readonly availabilityZone?: string; readonly launchedAt?: number }>;
  /** Start time (epoch ms) of the most recent failed launch activity within `FAILED_LAUNCH_LOOKBACK_SECONDS`, if any. */
  readonly launchFailedAt?: number;
  /** The launch template (and version) new instances come from, when the group uses one. */
  readonly launchTemplate?: LaunchTemplateRef;
  /** Mixed-instances policy overrides: the types the group may launch and their weights. */
  readonly overrides?: ReadonlyArray<{ readonly instanceType: string; readonly weight?: number }>;
  /** New instances may be Spot (mixed-instances policy with Spot above the On-Demand base, or a Spot launch template). */
  readonly spot?: boolean;
  /**
   * Why the group's recent scaling activities could not be read (they date failed launches and
   * launching members); absent when they were read. The group is still usable for scale-out.
   */
  readonly activitiesUnavailable?: string;
  /** The group's suspended Auto Scaling processes (`SuspendedProcesses`), when any: read by the setup check of `npm run plan`. */
  readonly suspendedProcesses?: readonly string[];
  /** Scale-in protection, when any: members protected, and whether new instances are (`npm run plan`'s setup check). */
  readonly scaleInProtection?: { readonly instances: number; readonly newInstances: boolean };
}

/** A launch template and version as Auto Scaling names it. */
export interface LaunchTemplateRef {
  readonly id?: string;
  readonly name?: string;
  /** A number, `$Latest` or `$Default` (absent: `$Default`). */
  readonly version?: string;
}

export interface LaunchTemplateInfo {
  readonly instanceType?: string;
  /** `InstanceMarketOptions.MarketType` is `spot`. */
  readonly spot?: boolean;
}

export interface InstanceTypeInfo {
  readonly vcpus: number;
  readonly memoryMiB: number;
}

/** EC2, read-only: what a group's new instances will be (results cached per container). */
export interface InstanceCatalog {
  /** The instance type and market a launch template version sets. */
  launchTemplate(ref: LaunchTemplateRef): Promise<LaunchTemplateInfo>;
  /** vCPUs and memory of instance types; unknown types are absent. */
  instanceTypes(names: readonly string[]): Promise<Map<string, InstanceTypeInfo>>;
}

export type TerminateResult = 'ok' | 'gone' | 'at-min';

/** The lifecycle action a drain completes. */
export interface HookRef {
  readonly group: string;
  readonly hookName: string;
  readonly instanceId: string;
  /** Optional: Auto Scaling accepts the instance id alone. */
  readonly token?: string;
}

/** An instance's Auto Scaling group and lifecycle state (`InService`, `Terminating:Wait`, …). */
export interface MemberState {
  readonly group: string;
  readonly lifecycleState: string;
}

/** Auto Scaling, scoped to the configured groups. */
export interface AutoScaling {
  describeGroups(names: readonly string[]): Promise<GroupState[]>;
  /**
   * The Auto Scaling group and lifecycle state of each of these instances now, by instance id
   * (DescribeAutoScalingInstances): the narrow read before an act that depends on an instance's
   * state. Instances in no Auto Scaling group are absent.
   */
  lifecycleStates(instanceIds: readonly string[]): Promise<Map<string, MemberState>>;
  setDesiredCapacity(group: string, desired: number): Promise<void>;
  /**
   * TerminateInstanceInAutoScalingGroup; `'gone'` when the instance is no longer in a group,
   * `'at-min'` when Auto Scaling refuses a decrement below the group's minimum (nothing changed).
   */
  terminateInstance(instanceId: string, decrementDesired: boolean): Promise<TerminateResult>;
  /** RecordLifecycleActionHeartbeat; `'gone'` when no lifecycle action is pending. */
  heartbeat(hook: HookRef): Promise<'ok' | 'gone'>;
  /** CompleteLifecycleAction CONTINUE; `'gone'` for "No active Lifecycle Action found". */
  completeLifecycleAction(hook: HookRef): Promise<'ok' | 'gone'>;
}

/** The SQS message body of a delayed drain check (JSON). */
export interface DrainCheck {
  readonly kind: 'drain-check';
  readonly instanceId: string;
  /** Why the instance drains: the lifecycle hook, a Spot warning, a rebalance recommendation. */
  readonly cause: 'lifecycle' | 'warm-pool' | 'interruption' | 'rebalance';
  readonly hook?: HookRef;
  /** When the drain started (epoch ms). */
  readonly startedAt: number;
  /** When the drain gives up (epoch ms). */
  readonly deadline: number;
  /** When the lifecycle action times out unless heartbeated (epoch ms). */
  readonly hookExpiresAt?: number;
  /** Hook heartbeat timeout, to extend `hookExpiresAt` after a heartbeat. */
  readonly heartbeatSeconds?: number;
  /**
   * The drain chain this check belongs to; the instance carries the current one (ECS attribute
   * `headroom.drain-chain`), so a duplicate lifecycle event's older chain is dropped at its next check.
   */
  readonly chain?: string;
  /**
   * The step token of the invocation that enqueued this check; the instance carries the latest one
   * (ECS attribute `headroom.drain-step`), so a duplicate delivery's copy is dropped at its next step
   * (core/drain-chain.ts).
   */
  readonly step?: string;
  /** Non-daemon tasks left at the previous step: counted as lost if the drain is ended by someone else. */
  readonly remaining?: number;
}

export interface DrainQueue {
  /** Send a drain check that becomes visible after `delaySeconds` (0–900). */
  enqueue(check: DrainCheck, delaySeconds: number): Promise<void>;
}

export interface Metrics {
  /** Publish all datums at once (dimension ClusterName): one Embedded Metric Format line on AWS. */
  publish(datums: readonly MetricDatum[], at: number): Promise<void>;
  /** Samples of one metric between `from` and `to` (epoch ms), any order. */
  history(name: MetricName, from: number, to: number): Promise<HeadroomSample[]>;
}

export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Everything a handler needs; built once per Lambda container (or per simulated policy). */
export interface Ports {
  readonly ecs: ContainerService;
  readonly autoScaling: AutoScaling;
  /** EC2 instance types and launch templates (sizing groups that have no registered member). */
  readonly catalog: InstanceCatalog;
  readonly queue: DrainQueue;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Epoch ms. The simulator passes its clock. */
  readonly now: () => number;
}
