/**
 * The cluster model the core decides on, in our own terms (never an SDK type).
 *
 * Adapters (`handlers/aws/`, `sim/`) translate ECS and Auto Scaling state into these shapes; the
 * core only reads them. Every field is plain data so a decision can be replayed from a log line.
 */

/** CPU units (1024 per vCPU) and memory in MiB. */
export interface Resources {
  readonly cpu: number;
  readonly memory: number;
}

/**
 * What one task needs from an instance: a resource vector, static host ports, and placement
 * constraints (ECS `distinctInstance` and `memberOf` cluster-query expressions).
 */
export interface TaskShape extends Resources {
  readonly tcpPorts?: readonly number[];
  readonly udpPorts?: readonly number[];
  /** ECS `distinctInstance`: no two tasks of the same `taskGroup` on one instance. */
  readonly distinctInstance?: boolean;
  /** ECS `memberOf` expressions; all must hold. */
  readonly memberOf?: readonly string[];
  /** ECS task group, e.g. `service:web`; the scope of `distinctInstance`. */
  readonly taskGroup?: string;
  /** `awsvpc` network mode: the task needs a network interface of its own (core/eni.ts). */
  readonly awsvpc?: boolean;
}

/**
 * Who started a task decides what a drain does to it: daemon tasks stop last and never block a
 * drain, service tasks are replaced elsewhere by ECS, standalone (RunTask) tasks are not touched.
 */
export type TaskRole = 'daemon' | 'service' | 'standalone';

/** ECS `lastStatus` values; only `STOPPED` means a task is gone. */
export type TaskStatus =
  | 'PROVISIONING'
  | 'PENDING'
  | 'ACTIVATING'
  | 'RUNNING'
  | 'DEACTIVATING'
  | 'STOPPING'
  | 'DEPROVISIONING'
  | 'STOPPED';

export interface Task extends TaskShape {
  /** Task ARN (or any unique id). */
  readonly id: string;
  readonly role: TaskRole;
  readonly status: TaskStatus;
  /** Service name for service and daemon tasks. */
  readonly service?: string;
  /** SIGTERM → SIGKILL grace when stopped (the longest container `stopTimeout`), when known (`drain.ts`). */
  readonly stopTimeoutSeconds?: number;
}

/** ECS container instance status. Only ACTIVE instances receive new tasks. */
export type InstanceStatus = 'ACTIVE' | 'DRAINING' | 'REGISTERING' | 'DEREGISTERING' | 'INACTIVE' | 'REGISTRATION_FAILED';

/** ECS attribute this tool sets on instances it drains for scale-in (value: ISO time). */
export const SCALE_IN_ATTRIBUTE = 'headroom.scale-in';

/**
 * ECS attribute set on an instance this tool set back to ACTIVE after a scale-in drain (value: ISO
 * time): it is not drained for scale-in again for `SCALE_IN_WAIT_SECONDS` (`consolidation.ts`).
 */
export const REACTIVATED_ATTRIBUTE = 'headroom.reactivated';

/**
 * ECS attribute set on an instance whose replacement was launched on a Spot rebalance
 * recommendation (value: ISO time): its warning terminates it with a decrement, and scale-in takes
 * it first.
 */
export const REBALANCE_ATTRIBUTE = 'headroom.rebalance';

/**
 * ECS attribute set, together with DRAINING, on an instance drained for a Spot interruption
 * warning or rebalance recommendation that will be terminated without a decrement (value: ISO
 * time). Such an instance is leaving and Auto Scaling refills its seat, so a tick that reads it
 * between DRAINING and the termination counts its seat as incoming capacity, not as a live member
 * (otherwise the tick launches for its tasks and Auto Scaling launches the replacement too).
 */
export const INTERRUPTED_ATTRIBUTE = 'headroom.interrupted';

export interface Instance {
  /** EC2 instance id (`i-…`). */
  readonly id: string;
  /** ECS container instance ARN, when registered. */
  readonly arn?: string;
  /** Capacity group (Auto Scaling group) the instance belongs to, when known. */
  readonly group?: string;
  readonly status: InstanceStatus;
  /** ECS `registeredResources` (CPU, MEMORY). */
  readonly registered: Resources;
  /** ECS `remainingResources` (CPU, MEMORY): what running and pending tasks leave free. */
  readonly remaining: Resources;
  /** Host ports in use or reserved (ECS `remainingResources` PORTS / PORTS_UDP). */
  readonly usedTcpPorts: readonly number[];
  readonly usedUdpPorts: readonly number[];
  readonly availabilityZone?: string;
  readonly instanceType?: string;
  /** Custom and ECS attributes (`ecs.os-type`, …), name → value. */
  readonly attributes: Readonly<Record<string, string>>;
  /**
   * Tasks on the instance (any status; STOPPED ones are ignored). Absent when they were not read
   * (the tick reads tasks only for instances that are leaving or draining, and for all instances
   * only when scale-in is considered): such an instance is never a scale-in candidate and never
   * counts as empty.
   */
  readonly tasks?: readonly Task[];
  /** ECS `runningTasksCount` / `pendingTasksCount`, when the adapter reports them. */
  readonly taskCounts?: { readonly running: number; readonly pending: number };
  /**
   * The instance is leaving: Spot interruption warning, ASG `Terminating*` lifecycle state, or no
   * longer a member of its group. Its capacity does not count; its service tasks need a new home.
   */
  readonly terminating?: boolean;
  /** Agent connected; a disconnected agent gets no tasks. Defaults to true. */
  readonly agentConnected?: boolean;
}

/**
 * A capacity group: one Auto Scaling group of identical instances (the analogue of
 * cluster-autoscaler's `NodeGroup`). The core sees only this, never an ASG description.
 */
export interface CapacityGroup {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** ASG desired capacity now. */
  readonly desired: number;
  /** Resources ECS registers for one new instance of this group (before daemon tasks). */
  readonly instance: Resources;
  readonly instanceType?: string;
  /** Attributes a new instance will carry (for `memberOf`), e.g. `ecs.availability-zone` when the group spans one zone. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** When a launch in this group last failed (epoch ms), e.g. insufficient Spot capacity. */
  readonly launchFailedAt?: number;
  /** Members use ENI trunking (`ecs.awsvpc-trunk-id`): new instances' awsvpc slots are not limited by the table. */
  readonly awsvpcTrunking?: boolean;
  /**
   * Members in a live lifecycle state (`Pending*`, `InService`), registered with ECS or not. When
   * known, incoming capacity is counted from them (see `incomingCapacity`); when absent (a caller
   * that does not know the members), desired − registered members is counted instead.
   */
  readonly members?: readonly GroupMember[];
  /** Availability zones the group launches into (Auto Scaling balances new instances across them). */
  readonly availabilityZones?: readonly string[];
  /** New instances are (or may be) Spot instances: the group counts toward `SPOT_RESERVE_INSTANCES`. */
  readonly spot?: boolean;
  /**
   * Weighted capacity one new instance of the planned shape adds to desired capacity (mixed-instances
   * groups with weights count desired capacity in weight units). Defaults to 1.
   */
  readonly weight?: number;
  /** Price per instance-hour, when known (`price.ts` estimates it otherwise). */
  readonly pricePerHour?: number;
  /**
   * Every type a mixed-instances group may launch, with its weight and what ECS registers for it
   * (absent for a group of one type). `instance`/`weight` above are the planned (weakest) one;
   * `instance-types.ts` plans with a larger one when only it holds the work.
   */
  readonly instanceTypes?: readonly InstanceTypeOption[];
}

/** One type a mixed-instances group may launch. */
export interface InstanceTypeOption {
  readonly instanceType: string;
  readonly weight: number;
  readonly resources: Resources;
}

/** One member of a capacity group as Auto Scaling lists it. */
export interface GroupMember {
  /** EC2 instance id. */
  readonly id: string;
  /** `Pending*` (still launching) or `InService`. */
  readonly pending: boolean;
  /** When its launch started (epoch ms), from the group's scaling activities, when known. */
  readonly launchedAt?: number;
  readonly availabilityZone?: string;
  /**
   * Capacity units this member counts for in the group's desired capacity (its instance type's
   * `WeightedCapacity` in a mixed-instances group); 1 when absent.
   */
  readonly weight?: number;
}

/** A service as the scheduler sees it: its task shape and how many tasks still wait for a place. */
export interface Service {
  readonly name: string;
  readonly shape: TaskShape;
  readonly daemon: boolean;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  /** Σ over deployments of desired − running − pending (never negative). */
  readonly unplaced: number;
}

export function isGone(task: Task): boolean {
  return task.status === 'STOPPED';
}

/** Non-daemon tasks that are not STOPPED: what keeps an instance from being empty. */
export function liveWorkload(instance: Instance): Task[] {
  return (instance.tasks ?? []).filter((t) => t.role !== 'daemon' && !isGone(t));
}

/** Whether the instance's task list was read (see `Instance.tasks`). */
export function tasksKnown(instance: Instance): instance is Instance & { readonly tasks: readonly Task[] } {
  return instance.tasks !== undefined;
}

/** One pass over an instance's tasks: live non-daemon count, standalone count, live service tasks. */
export interface Workload {
  readonly live: number;
  readonly standalone: number;
  readonly service: readonly Task[];
}

export function workloadOf(instance: Instance): Workload {
  let live = 0;
  let standalone = 0;
  const service: Task[] = [];
  for (const t of instance.tasks ?? []) {
    if (t.role === 'daemon' || isGone(t)) continue;
    live++;
    if (t.role === 'standalone') standalone++;
    else service.push(t);
  }
  return { live, standalone, service };
}

/**
 * No work at all: no service (daemons aside) wants a task or has one unplaced, nothing waits, and
 * every instance's task list is known and holds no live non-daemon task. Spare capacity then serves
 * nothing, so the decision keeps none (a group with `min` 0 may empty, as capacity providers do).
 */
export function isIdleCluster(services: readonly Service[], instances: readonly Instance[], waiting: readonly TaskShape[] = []): boolean {
  if (waiting.length > 0) return false;
  for (const s of services) if (!s.daemon && (s.desired > 0 || s.unplaced > 0)) return false;
  for (const i of instances) if (!tasksKnown(i) || workloadOf(i).live > 0) return false;
  return true;
}

/** An instance that accepts new tasks now. */
export function isSchedulable(instance: Instance): boolean {
  return instance.status === 'ACTIVE' && instance.terminating !== true && instance.agentConnected !== false;
}

/** Drained by this tool for scale-in (and so the only kind it may set back to ACTIVE). */
export function isScaleInDrain(instance: Instance): boolean {
  return instance.status === 'DRAINING' && instance.attributes[SCALE_IN_ATTRIBUTE] !== undefined;
}
