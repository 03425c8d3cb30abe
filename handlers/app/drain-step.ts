/**
 * One step of the drain machine, executed: the lifecycle handler runs the first step, the drain
 * handler every later one (one drain path, whatever made the instance leave).
 *
 * The core's `nextDrainStep` decides; this module only performs the actions in order and keeps
 * the next drain check's state (hook expiry after a heartbeat). One rule lives here because it
 * needs the port's answer: when ECS has no container instance for the EC2 instance (never
 * registered, or already deregistered) but a lifecycle action may be pending, the hook is completed
 * at once: there is nothing to drain, and waiting would only hold the termination.
 */
import * as z from 'zod/mini';
import type { Instance } from '../../core/cluster';
import { nextDrainStep, type DrainStep } from '../../core/drain';
import { HeadroomError } from '../../core/errors';
import { REDELIVERY_SECONDS } from '../../core/redelivery';
import { DRAIN_CHAIN_ATTRIBUTE, DRAIN_STEP_ATTRIBUTE, staleReason } from '../../core/drain-chain';
import type { MetricDatum } from '../../core/metrics';
import type { HandlerContext } from './context';
import type { DrainCheck } from './ports';

const instanceIdPattern = z.regex(/^i-[0-9a-zA-Z]+$/);

const hookSchema = z.object({
  group: z.string().check(z.minLength(1)),
  hookName: z.string().check(z.minLength(1)),
  instanceId: z.string().check(instanceIdPattern),
  token: z.optional(z.string().check(z.minLength(1))),
});

// `z.number()` accepts finite numbers only (zod 4).
const drainCheckSchema = z.object({
  kind: z.literal('drain-check'),
  instanceId: z.string().check(instanceIdPattern),
  cause: z.enum(['lifecycle', 'warm-pool', 'interruption', 'rebalance']),
  hook: z.optional(hookSchema),
  startedAt: z.number(),
  deadline: z.number(),
  hookExpiresAt: z.optional(z.number()),
  heartbeatSeconds: z.optional(z.number().check(z.int(), z.minimum(30), z.maximum(7200))),
  chain: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  step: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  remaining: z.optional(z.number().check(z.int(), z.minimum(0))),
});

/** Parse a drain-check message body; a string describing the problem when it is not one. */
export function parseDrainCheck(body: string): DrainCheck | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'message body is not JSON';
  }
  const parsed = drainCheckSchema.safeParse(value);
  if (!parsed.success) return parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  const d = parsed.data;
  const hook = d.hook === undefined ? undefined : { group: d.hook.group, hookName: d.hook.hookName, instanceId: d.hook.instanceId, ...(d.hook.token !== undefined ? { token: d.hook.token } : {}) };
  return {
    kind: 'drain-check',
    instanceId: d.instanceId,
    cause: d.cause,
    ...(hook !== undefined ? { hook } : {}),
    startedAt: d.startedAt,
    deadline: d.deadline,
    ...(d.hookExpiresAt !== undefined ? { hookExpiresAt: d.hookExpiresAt } : {}),
    ...(d.heartbeatSeconds !== undefined ? { heartbeatSeconds: d.heartbeatSeconds } : {}),
    ...(d.chain !== undefined ? { chain: d.chain } : {}),
    ...(d.step !== undefined ? { step: d.step } : {}),
    ...(d.remaining !== undefined ? { remaining: d.remaining } : {}),
  };
}


/**
 * Why Headroom must not act on `check` (undefined: it may). The drain queue only takes messages
 * from Headroom's own roles (queue policy); this is the second line: a check completes only the
 * configured hook of a configured group, for the instance it names.
 */
export function foreignCheck(check: DrainCheck, config: HandlerContext['config']): string | undefined {
  const hook = check.hook;
  if (hook === undefined) return undefined;
  if (!config.asgNames.includes(hook.group)) return `drain check for group ${hook.group}, not a configured group`;
  if (hook.hookName !== config.hookName) return `drain check for hook ${hook.hookName}, not the configured hook ${config.hookName}`;
  if (hook.instanceId !== check.instanceId) return `drain check of ${check.instanceId} carrying the hook of ${hook.instanceId}`;
  return undefined;
}

/**
 * Why `check` is not the instance's current drain (undefined: it is): a chain or step other than the
 * one the instance carries (core/drain-chain.ts: a newer chain started, a duplicate delivery's copy
 * already stepped, the drain ended), or a check without a lifecycle action for an instance that is
 * not draining (such checks follow a drain, never start one).
 */
export function staleCheck(check: DrainCheck, instance: Instance | undefined): string | undefined {
  const attributes = instance?.attributes ?? {};
  const stale = staleReason(check.instanceId, check, { chain: attributes[DRAIN_CHAIN_ATTRIBUTE], step: attributes[DRAIN_STEP_ATTRIBUTE] });
  if (stale !== undefined) return stale;
  if (check.hook === undefined && instance?.status === 'ACTIVE') return `drain check without a lifecycle action for ${check.instanceId}, which is ACTIVE: checks follow a drain, never start one`;
  return undefined;
}

/** StopTask for `taskIds`, each named in a log line with the reason (what Headroom stops is never silent). */
export async function stopTasksLogged(ctx: HandlerContext, taskIds: readonly string[], reason: string, context: Record<string, unknown>): Promise<void> {
  for (const task of taskIds) ctx.ports.log.info('stopping task', { ...context, task, reason });
  await ctx.ports.ecs.stopTasks(taskIds, reason);
}

export interface DrainOutcome {
  readonly instanceId: string;
  readonly phase: DrainStep['phase'];
  /** What was done (or, in dry run, would have been done). */
  readonly did: readonly string[];
  readonly remaining: number;
  readonly metrics: readonly MetricDatum[];
}

/**
 * When the check's lifecycle action must be treated as expiring (epoch ms): its recorded expiry, or
 * one heartbeat timeout after the drain started, less the queue's redelivery window (a failed check
 * may come back that much later).
 */
export function hookExpiry(check: DrainCheck, heartbeatSeconds: number): number {
  return (check.hookExpiresAt ?? check.startedAt + heartbeatSeconds * 1000) - REDELIVERY_SECONDS * 1000;
}

/** The core's decision for `check` on the instance as ECS reports it now. */
function decideStep(ctx: HandlerContext, check: DrainCheck, instance: Instance | undefined, now: number, heartbeatSeconds: number): DrainStep {
  const { config } = ctx;
  return nextDrainStep({
    status: instance?.status,
    tasks: instance?.tasks ?? [],
    ...(check.hook !== undefined ? { hook: { pending: true, expiresAt: hookExpiry(check, heartbeatSeconds) } } : {}),
    deadline: check.deadline,
    timeoutSeconds: config.drainTimeoutSeconds,
    now,
    checkSeconds: config.drainCheckSeconds,
    standalonePolicy: config.standaloneTaskPolicy,
  });
}

/** What performing a step's actions has found so far. */
interface Performed {
  readonly did: string[];
  hookExpiresAt: number | undefined;
  hookGone: boolean;
}

/** Performs one action of `step`, recording it in `done`. */
async function perform(ctx: HandlerContext, check: DrainCheck, instance: Instance | undefined, step: DrainStep, action: DrainStep['actions'][number], done: Performed, at: { now: number; heartbeatSeconds: number; token: string | undefined }): Promise<void> {
  const { ecs, autoScaling, queue } = ctx.ports;
  switch (action.kind) {
    case 'set-draining':
      if (instance?.arn !== undefined) {
        // A 200 answer can still refuse the instance (`failures`); never go on to complete the
        // hook while it stays ACTIVE: ECS would keep placing tasks on an instance about to go.
        const { refused } = await ecs.setStatus([instance.arn], 'DRAINING');
        const refusal = refused.find((r) => r.arn === instance.arn && r.reason !== 'MISSING');
        if (refusal !== undefined) throw new HeadroomError('transient', `ECS did not set ${check.instanceId} DRAINING (${refusal.reason}); the lifecycle action stays pending`);
        done.did.push('set-draining');
      }
      break;
    case 'heartbeat':
      if (check.hook === undefined) break;
      if ((await autoScaling.heartbeat(check.hook)) === 'gone') {
        done.hookGone = true;
        done.did.push('heartbeat:gone');
      } else {
        done.hookExpiresAt = at.now + at.heartbeatSeconds * 1000;
        done.did.push('heartbeat');
      }
      break;
    case 'stop-tasks':
      await stopTasksLogged(ctx, action.taskIds, `Headroom: drain of ${check.instanceId} timed out`, { instanceId: check.instanceId });
      done.did.push(`stop-tasks:${action.taskIds.length}`);
      break;
    case 'complete':
      if (check.hook === undefined) break;
      done.did.push((await autoScaling.completeLifecycleAction(check.hook)) === 'gone' ? 'complete:gone' : 'complete');
      break;
    case 'recheck': {
      const hookExpiresAt = done.hookExpiresAt;
      const next: DrainCheck = {
        ...check,
        ...(step.deadline !== undefined ? { deadline: step.deadline } : {}),
        ...(hookExpiresAt !== undefined ? { hookExpiresAt } : {}),
        heartbeatSeconds: at.heartbeatSeconds,
        ...(at.token !== undefined ? { step: at.token } : {}),
        remaining: step.remaining,
      };
      await queue.enqueue(next, action.afterSeconds);
      done.did.push(`recheck:${action.afterSeconds}`);
      break;
    }
  }
}

/**
 * Run one drain step for `check` on the instance as ECS reports it now (undefined: not registered);
 * a re-enqueued check carries `token` (the invocation's step token, core/drain-chain.ts).
 */
export async function runDrainStep(ctx: HandlerContext, check: DrainCheck, instance: Instance | undefined, token?: string): Promise<DrainOutcome> {
  const { log } = ctx.ports;
  const now = ctx.ports.now();
  const heartbeatSeconds = check.heartbeatSeconds ?? ctx.config.hookHeartbeatSeconds;
  const step = decideStep(ctx, check, instance, now, heartbeatSeconds);
  const notRegistered = instance === undefined || instance.status === 'INACTIVE';
  const actions = step.phase === 'gone' && notRegistered && check.hook !== undefined ? [{ kind: 'complete' as const }] : step.actions;
  const context = { instanceId: check.instanceId, cause: check.cause, phase: step.phase, remaining: step.remaining, reasons: step.reasons };

  if (ctx.config.dryRun) {
    log.info('dry run: drain step planned, nothing changed', { ...context, actions: actions.map((a) => a.kind) });
    return { instanceId: check.instanceId, phase: step.phase, did: actions.map((a) => `would ${a.kind}`), remaining: step.remaining, metrics: [] };
  }

  const done: Performed = { did: [], hookExpiresAt: check.hookExpiresAt, hookGone: false };
  for (const action of actions) {
    if (done.hookGone) break;
    await perform(ctx, check, instance, step, action, done, { now, heartbeatSeconds, token });
  }

  const { did, hookGone } = done;
  const metrics = drainMetrics(ctx, check, step, { now, hookGone, notRegistered });
  log.info('drain step', { ...context, did });
  return { instanceId: check.instanceId, phase: hookGone ? 'gone' : step.phase, did, remaining: step.remaining, metrics };
}

/**
 * What a step publishes: `DrainSeconds` when the drain ends, and `TasksStoppedByTermination` for the
 * tasks that die with the instance — left at the timeout, left when the hook vanished under us, or
 * left when someone else ended the drain (an operator completed or abandoned the lifecycle action,
 * the instance terminated): the instance is gone while the previous step still counted tasks.
 */
function drainMetrics(ctx: HandlerContext, check: DrainCheck, step: DrainStep, seen: { now: number; hookGone: boolean; notRegistered: boolean }): MetricDatum[] {
  const metrics: MetricDatum[] = [];
  const finished = step.phase === 'complete' || step.phase === 'timeout';
  if (finished) metrics.push({ name: 'DrainSeconds', value: Math.max(0, Math.round((seen.now - check.startedAt) / 1000)), unit: 'Seconds' });
  const endedElsewhere = seen.notRegistered && check.hook !== undefined && (check.remaining ?? 0) > 0;
  if (endedElsewhere) ctx.ports.log.warn('drain ended by someone else before its tasks stopped: tasks lost', { instanceId: check.instanceId, lost: check.remaining });
  const lost = step.phase === 'timeout' || ((seen.hookGone || step.phase === 'gone') && !seen.notRegistered) ? step.remaining : endedElsewhere ? (check.remaining ?? 0) : 0;
  if (finished || lost > 0) metrics.push({ name: 'TasksStoppedByTermination', value: lost, unit: 'Count' });
  return metrics;
}
