/**
 * Ports: what the handlers need from the outside world, in our own terms. `handlers/aws/`
 * implements them with the AWS SDK; `sim/` implements them in memory, so the same handler code
 * runs in Lambda and in the simulator. Each port lists only the operations handlers use.
 *
 * Error contract for every implementation: throw `HeadroomError('transient', …)` (or let an SDK
 * throttling/5xx error through) when a retry could succeed; return `'gone'` / `undefined` /
 * an empty result when the thing acted on no longer exists: that is not an error.
 */
import type { Instance, InstanceStatus, Service, TaskShape } from '../core/cluster';
import type { MetricDatum, MetricName } from '../core/metrics';
import type { HeadroomSample } from '../core/scale-in';

/** ECS, scoped to one cluster. */
export interface ContainerService {
  /**
   * Every container instance (with its tasks) and every service of the cluster, in one snapshot;
   * `waiting`: tasks not STOPPED that have no container instance yet (PROVISIONING), as shapes.
   */
  snapshot(): Promise<{ instances: Instance[]; services: Service[]; waiting?: TaskShape[] }>;
  /** The container instances (with tasks) for these EC2 instance ids; missing ids are absent. */
  findInstances(ec2InstanceIds: readonly string[]): Promise<Instance[]>;
  /** UpdateContainerInstancesState; idempotent; instances already in `status` or gone are skipped. */
  setStatus(containerInstanceArns: readonly string[], status: Extract<InstanceStatus, 'ACTIVE' | 'DRAINING'>): Promise<void>;
  /** Put (value) or delete (undefined) a custom attribute on container instances. */
  setAttribute(containerInstanceArns: readonly string[], name: string, value: string | undefined): Promise<void>;
  /** StopTask for each id; tasks already stopped or gone are skipped. */
  stopTasks(taskIds: readonly string[], reason: string): Promise<void>;
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
  /** Members and their lifecycle state (`Pending`, `InService`, `Terminating:Wait`, …). */
  readonly members: ReadonlyArray<{ readonly instanceId: string; readonly lifecycleState: string; readonly instanceType?: string }>;
  /** Start time (epoch ms) of the most recent failed launch activity, if any in the recent past. */
  readonly launchFailedAt?: number;
}

/** The lifecycle action a drain completes. */
export interface HookRef {
  readonly group: string;
  readonly hookName: string;
  readonly instanceId: string;
  /** Optional: Auto Scaling accepts the instance id alone. */
  readonly token?: string;
}

/** Auto Scaling, scoped to the configured groups. */
export interface AutoScaling {
  describeGroups(names: readonly string[]): Promise<GroupState[]>;
  setDesiredCapacity(group: string, desired: number): Promise<void>;
  /** TerminateInstanceInAutoScalingGroup; `'gone'` when the instance is no longer in a group. */
  terminateInstance(instanceId: string, decrementDesired: boolean): Promise<'ok' | 'gone'>;
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
  readonly queue: DrainQueue;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Epoch ms. The simulator passes its clock. */
  readonly now: () => number;
}
