/**
 * The drain state machine: one pure step from (instance status, its tasks, hook deadline, drain
 * deadline, now) to the next actions. The same machine serves every way an instance leaves
 * (scale-in, rebalancing, instance refresh, Spot interruption, warm pool).
 *
 *   start ──set DRAINING──▶ wait ──(no non-daemon task left that is not STOPPED)──▶ complete
 *                           │  ▲  re-check after `checkSeconds`; heartbeat before the hook expires
 *                           └──┘
 *   wait ──(drain deadline passed)──▶ stopping: stop leftover standalone tasks (by policy), re-check
 *   stopping ──(they are STOPPED, or their stop timeout and one check have passed)──▶ timeout: complete
 *   still ACTIVE past the deadline (a late event) ──▶ start, with a new deadline: never a timeout
 *   before any task was moved
 *   instance or hook already gone ──▶ done, nothing to do
 *
 * Invariant (property-tested): before the drain deadline the machine never completes the hook
 * while a non-daemon task is not STOPPED.
 */
import type { InstanceStatus, Task } from './cluster';
import { isGone } from './cluster';
import type { StandaloneTaskPolicy } from './config';

export type DrainAction =
  | { readonly kind: 'set-draining' }
  | { readonly kind: 'heartbeat' }
  | { readonly kind: 'stop-tasks'; readonly taskIds: readonly string[] }
  | { readonly kind: 'complete' }
  | { readonly kind: 'recheck'; readonly afterSeconds: number };

export type DrainPhase = 'start' | 'wait' | 'stopping' | 'timeout' | 'complete' | 'gone';

/**
 * A stopped task's containers get SIGTERM, then SIGKILL after the stop timeout: 30 s unless the
 * container's `stopTimeout` or the agent's ECS_CONTAINER_STOP_TIMEOUT says otherwise (API reference,
 * StopTask: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html).
 */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

const STOPPING: ReadonlySet<string> = new Set(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING']);

export interface DrainStep {
  readonly phase: DrainPhase;
  readonly actions: readonly DrainAction[];
  /** Non-daemon tasks not yet STOPPED. */
  readonly remaining: number;
  readonly reasons: readonly string[];
  /** A new drain deadline, when the drain only starts now (carried by the next check). */
  readonly deadline?: number;
}

export interface DrainInput {
  /** ECS status of the container instance; undefined when it is no longer registered. */
  readonly status: InstanceStatus | undefined;
  readonly tasks: readonly Task[];
  /** The lifecycle hook: undefined when there is none (a drain without a hook, e.g. scale-in). */
  readonly hook?: {
    /** False when Auto Scaling no longer holds the action (completed, expired, instance gone). */
    readonly pending: boolean;
    /** When the hook times out unless heartbeated (epoch ms). */
    readonly expiresAt: number;
  };
  /** When the drain gives up waiting (epoch ms): start + DRAIN_TIMEOUT_SECONDS. */
  readonly deadline: number;
  /** DRAIN_TIMEOUT_SECONDS: the window a drain that really starts late gets from its start. */
  readonly timeoutSeconds: number;
  readonly now: number;
  readonly checkSeconds: number;
  readonly standalonePolicy: StandaloneTaskPolicy;
}

/** SQS caps message delay at 15 minutes. */
export const MAX_RECHECK_SECONDS = 900;

export function nextDrainStep(input: DrainInput): DrainStep {
  const left = input.tasks.filter((t) => t.role !== 'daemon' && !isGone(t));
  const hookGone = input.hook !== undefined && !input.hook.pending;
  if (input.status === undefined || input.status === 'INACTIVE' || hookGone) {
    return {
      phase: 'gone',
      actions: [],
      remaining: left.length,
      reasons: [hookGone ? 'the lifecycle action is no longer pending: nothing to complete' : 'the container instance is no longer registered: nothing to drain'],
    };
  }
  const complete: DrainAction[] = input.hook !== undefined ? [{ kind: 'complete' }] : [];
  if (left.length === 0) {
    return {
      phase: 'complete',
      actions: [...(input.status === 'ACTIVE' ? [{ kind: 'set-draining' } as const] : []), ...complete],
      remaining: 0,
      reasons: ['no non-daemon task is left that is not STOPPED'],
    };
  }
  // A late start (the lifecycle event arrived after its own deadline, or the instance was never set
  // DRAINING): the timeout is for tasks ECS is moving, and none has been moved yet. DRAINING first,
  // and a whole DRAIN_TIMEOUT_SECONDS from now; the heartbeat keeps the hook meanwhile.
  if (input.status === 'ACTIVE' && input.now >= input.deadline) {
    const deadline = input.now + Math.max(1, input.timeoutSeconds) * 1000;
    const late = nextDrainStep({ ...input, deadline });
    return { ...late, deadline, reasons: ['the drain starts after its deadline: DRAINING first, then a whole drain timeout', ...late.reasons] };
  }
  if (input.now >= input.deadline) return timeoutStep(input, left, complete);
  const untilDeadline = Math.ceil((input.deadline - input.now) / 1000);
  const afterSeconds = Math.max(1, Math.min(input.checkSeconds, untilDeadline, MAX_RECHECK_SECONDS));
  const actions: DrainAction[] = [];
  const reasons: string[] = [`${left.length} non-daemon task(s) not yet STOPPED`];
  if (input.status === 'ACTIVE') actions.push({ kind: 'set-draining' });
  actions.push(...heartbeat(input, afterSeconds, reasons), { kind: 'recheck', afterSeconds });
  return { phase: input.status === 'ACTIVE' ? 'start' : 'wait', actions, remaining: left.length, reasons };
}

/**
 * Whether a hook expiring at `expiresAt` needs a heartbeat now: it would expire before a check
 * `afterSeconds` from now could act on it, with one check of margin. The drain step and the drain
 * function's outage path (which steps nothing, so its next check is one interval away) share it.
 */
export function heartbeatDue(expiresAt: number, now: number, afterSeconds: number, checkSeconds: number): boolean {
  return expiresAt - now <= (afterSeconds + checkSeconds) * 1000;
}

/** Heartbeat when the hook would expire before the next check could act on it (with one check of margin). */
function heartbeat(input: DrainInput, afterSeconds: number, reasons: string[]): DrainAction[] {
  if (input.hook === undefined || !heartbeatDue(input.hook.expiresAt, input.now, afterSeconds, input.checkSeconds)) return [];
  reasons.push('the lifecycle hook expires before the next check: heartbeat');
  return [{ kind: 'heartbeat' }];
}

/**
 * Past the drain deadline. With STANDALONE_TASK_POLICY=stop, leftover standalone tasks are stopped
 * and the hook is completed only once they are STOPPED, or once their stop timeout (the longest
 * among them) and one check have passed since the deadline: completing in the same step as the
 * stop would terminate the instance under tasks still in their SIGTERM grace. Service tasks left
 * over do not wait (ECS is already replacing them elsewhere).
 */
function timeoutStep(input: DrainInput, left: readonly Task[], complete: readonly DrainAction[]): DrainStep {
  const standalone = input.standalonePolicy === 'stop' ? left.filter((t) => t.role === 'standalone') : [];
  const graceSeconds = Math.max(0, ...standalone.map((t) => t.stopTimeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS)) + input.checkSeconds;
  const graceEnd = input.deadline + graceSeconds * 1000;
  if (standalone.length > 0 && input.now < graceEnd) {
    const toStop = standalone.filter((t) => !STOPPING.has(t.status)).map((t) => t.id);
    const afterSeconds = Math.max(1, Math.min(input.checkSeconds, Math.ceil((graceEnd - input.now) / 1000), MAX_RECHECK_SECONDS));
    const reasons = [`drain timeout passed with ${left.length} task(s) left; ${toStop.length > 0 ? `stopping ${toStop.length} standalone task(s)` : `${standalone.length} standalone task(s) stopping`}, completing once STOPPED or after ${graceSeconds} s`];
    const actions: DrainAction[] = [...(toStop.length > 0 ? [{ kind: 'stop-tasks' as const, taskIds: toStop }] : []), ...heartbeat(input, afterSeconds, reasons), { kind: 'recheck', afterSeconds }];
    return { phase: 'stopping', actions, remaining: left.length, reasons };
  }
  return {
    phase: 'timeout',
    actions: [...complete],
    remaining: left.length,
    reasons: [`drain timeout passed with ${left.length} task(s) left${standalone.length > 0 ? ` (${standalone.length} standalone task(s) still not STOPPED after their stop timeout)` : ''}`],
  };
}
