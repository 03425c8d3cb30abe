/**
 * Terminate lifecycle actions of the configured groups: EventBridge `EC2 Instance-terminate
 * Lifecycle Action`, or Auto Scaling notification bodies from SQS (flat, or wrapped by SNS), so
 * either notification target works. The instance is set DRAINING and the first drain check is
 * enqueued (delayed by DRAIN_CHECK_SECONDS); when nothing is left to drain — no non-daemon task,
 * or no container instance at all — the hook is completed at once.
 *
 * Warm-pool destinations (`Destination: WarmPool`: stopped, not terminated) drain the same way.
 * Dropped with one log line (naming the SQS messageId): `autoscaling:TEST_NOTIFICATION`, other
 * groups, other hooks (HOOK_NAME), other accounts, launch transitions, unknown and malformed
 * payloads. Field values are compared as sent, never trimmed.
 */
import { randomUUID } from 'node:crypto';
import type { Instance } from '../core/cluster';
import { LAUNCHING, TERMINATING, foreignAccount, isSqsEnvelope, parseEventBridge, parseNotificationBody, type ParsedEvent } from '../core/events';
import { categoryOf, isRetryable } from '../core/errors';
import type { MetricDatum } from '../core/metrics';
import type { HandlerContext } from './app/context';
import { DRAIN_CHAIN_ATTRIBUTE, runDrainStep, type DrainOutcome } from './app/drain-step';
import type { DrainCheck } from './app/ports';
import { awsPortsWith, noCatalog } from './aws/ports';
import { sqsQueue } from './aws/sqs';
import { lambdaEntry } from './runtime';
import { WARM_POOL_ATTRIBUTE } from './app/warm-pool';

type LifecycleAction = Extract<ParsedEvent, { kind: 'lifecycle' }>;

export interface LifecycleResult {
  readonly outcomes: readonly DrainOutcome[];
  readonly dropped: readonly string[];
  readonly batchItemFailures?: ReadonlyArray<{ itemIdentifier: string }>;
}

function accept(parsed: ParsedEvent, ctx: HandlerContext): LifecycleAction | string {
  switch (parsed.kind) {
    case 'lifecycle': {
      const foreign = foreignAccount(parsed, ctx.config.account);
      if (foreign !== undefined) return foreign;
      if (!ctx.config.asgNames.includes(parsed.group)) return `lifecycle action of group ${parsed.group}, not a configured group`;
      // Other terminate hooks on these groups belong to someone else: completing them would end
      // their work early (the EventBridge rule filters by name too, an SQS body does not).
      if (parsed.hookName !== ctx.config.hookName) return `lifecycle action of hook ${parsed.hookName}, not the configured hook ${ctx.config.hookName}`;
      if (parsed.transition === LAUNCHING) return `launch lifecycle action of ${parsed.instanceId} is not drained`;
      if (parsed.transition !== TERMINATING) return `unknown lifecycle transition ${parsed.transition}`;
      return parsed;
    }
    case 'test-notification':
      return `autoscaling:TEST_NOTIFICATION${parsed.group !== undefined ? ` of ${parsed.group}` : ''}`;
    case 'ignored':
    case 'malformed':
      return parsed.reason;
    default:
      return `${parsed.kind} is not a lifecycle event`;
  }
}

/** The first drain check of a lifecycle action (also what later checks carry forward). */
export function firstCheck(action: LifecycleAction, ctx: HandlerContext): DrainCheck {
  const now = ctx.ports.now();
  const startedAt = Math.min(now, action.time ?? now);
  const heartbeatSeconds = ctx.config.hookHeartbeatSeconds;
  return {
    kind: 'drain-check',
    instanceId: action.instanceId,
    cause: action.destination?.toLowerCase() === 'warmpool' ? 'warm-pool' : 'lifecycle',
    hook: { group: action.group, hookName: action.hookName, instanceId: action.instanceId, ...(action.token !== undefined ? { token: action.token } : {}) },
    startedAt,
    deadline: startedAt + ctx.config.drainTimeoutSeconds * 1000,
    hookExpiresAt: startedAt + heartbeatSeconds * 1000,
    heartbeatSeconds,
  };
}

/**
 * Put a new chain token on the instance and in its first check: a duplicate lifecycle event starts
 * a newer chain and the older one is dropped at its next check (drain handler), so one chain of
 * checks drives each drain. Without the attribute (instance not registered, attribute limit, dry
 * run) the check carries no token and is never judged stale.
 */
async function startChain(ctx: HandlerContext, check: DrainCheck, instance: Instance | undefined): Promise<DrainCheck> {
  if (ctx.config.dryRun || instance?.arn === undefined || instance.status === 'INACTIVE') return check;
  // Towards the warm pool: the instance comes back later and the tick reactivates it (warm-pool.ts).
  if (check.cause === 'warm-pool') await ctx.ports.ecs.setAttribute([instance.arn], WARM_POOL_ATTRIBUTE, new Date(ctx.ports.now()).toISOString());
  const chain = randomUUID();
  const set = await ctx.ports.ecs.setAttribute([instance.arn], DRAIN_CHAIN_ATTRIBUTE, chain);
  return set.includes(instance.arn) ? { ...check, chain } : check;
}

export async function handleLifecycle(event: unknown, ctx: HandlerContext): Promise<LifecycleResult> {
  const { log, ecs, metrics } = ctx.ports;
  const dropped: string[] = [];
  const work: Array<{ record?: string; action: LifecycleAction }> = [];
  const take = (parsed: ParsedEvent, record?: string): void => {
    const a = accept(parsed, ctx);
    if (typeof a === 'string') {
      dropped.push(a);
      log.info('event dropped', { reason: a, ...(record !== undefined ? { messageId: record } : {}) });
    } else work.push({ ...(record !== undefined ? { record } : {}), action: a });
  };
  const sqs = isSqsEnvelope(event);
  if (sqs) for (const r of event.Records) take(parseNotificationBody(r.body), r.messageId);
  else if (typeof event === 'object' && event !== null && 'source' in event) take(parseEventBridge(event));
  else take(parseNotificationBody(event));
  if (work.length === 0) return { outcomes: [], dropped, ...(sqs ? { batchItemFailures: [] } : {}) };

  const failures: string[] = [];
  const outcomes: DrainOutcome[] = [];
  const datums: MetricDatum[] = [];
  let found;
  try {
    found = new Map((await ecs.findInstances(work.map((w) => w.action.instanceId))).map((i) => [i.id, i]));
  } catch (error) {
    if (!sqs || !isRetryable(error)) throw error;
    log.error('reading container instances failed; batch will be retried', { error: String(error) });
    return { outcomes, dropped, batchItemFailures: work.map((w) => ({ itemIdentifier: w.record as string })) };
  }
  for (const w of work) {
    try {
      const instance = found.get(w.action.instanceId);
      const outcome = await runDrainStep(ctx, await startChain(ctx, firstCheck(w.action, ctx), instance), instance);
      outcomes.push(outcome);
      datums.push(...outcome.metrics);
    } catch (error) {
      // Never success: from SQS the record fails (redelivered, then dead-lettered and alarmed); from
      // EventBridge the invocation throws (Lambda retries it, then the on-failure destination gets it).
      if (!sqs || w.record === undefined) throw error;
      log.error('lifecycle action failed; the record will be redelivered (then dead-lettered)', { messageId: w.record, instanceId: w.action.instanceId, category: categoryOf(error), error: String(error) });
      failures.push(w.record);
    }
  }
  try {
    await metrics.publish(datums, ctx.ports.now());
  } catch (error) {
    log.error('publishing drain metrics failed', { error: String(error) });
  }
  return { outcomes, dropped, ...(sqs ? { batchItemFailures: failures.map((id) => ({ itemIdentifier: id })) } : {}) };
}

export const handler = lambdaEntry(handleLifecycle, process.env, { name: 'lifecycle', requireDrainQueue: true, ports: awsPortsWith({ queue: sqsQueue, catalog: () => noCatalog }) });
