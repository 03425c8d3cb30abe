/**
 * Terminate lifecycle actions of the configured groups: EventBridge `EC2 Instance-terminate
 * Lifecycle Action`, or Auto Scaling notification bodies from SQS (flat, or wrapped by SNS), so
 * either notification target works. The instance is set DRAINING and the first drain check is
 * enqueued (delayed by DRAIN_CHECK_SECONDS); when nothing is left to drain — no non-daemon task,
 * or no container instance at all — the hook is completed at once.
 *
 * Warm-pool destinations (`Destination: WarmPool`: stopped, not terminated) drain the same way.
 * Dropped with one log line: `autoscaling:TEST_NOTIFICATION`, other groups, launch transitions,
 * unknown and malformed payloads.
 */
import { LAUNCHING, TERMINATING, isSqsEnvelope, parseEventBridge, parseNotificationBody, type ParsedEvent } from '../core/events';
import { isRetryable } from '../core/errors';
import type { MetricDatum } from '../core/metrics';
import type { HandlerContext } from './context';
import { runDrainStep, type DrainOutcome } from './drain-step';
import type { DrainCheck } from './ports';
import { awsPortsWith, noCatalog } from './aws/ports';
import { sqsQueue } from './aws/sqs';
import { lambdaEntry } from './runtime';

type LifecycleAction = Extract<ParsedEvent, { kind: 'lifecycle' }>;

export interface LifecycleResult {
  readonly outcomes: readonly DrainOutcome[];
  readonly dropped: readonly string[];
  readonly batchItemFailures?: ReadonlyArray<{ itemIdentifier: string }>;
}

function accept(parsed: ParsedEvent, ctx: HandlerContext): LifecycleAction | string {
  switch (parsed.kind) {
    case 'lifecycle':
      if (!ctx.config.asgNames.includes(parsed.group)) return `lifecycle action of group ${parsed.group}, not a configured group`;
      if (parsed.transition === LAUNCHING) return `launch lifecycle action of ${parsed.instanceId} is not drained`;
      if (parsed.transition !== TERMINATING) return `unknown lifecycle transition ${parsed.transition}`;
      return parsed;
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
      const outcome = await runDrainStep(ctx, firstCheck(w.action, ctx), found.get(w.action.instanceId));
      outcomes.push(outcome);
      datums.push(...outcome.metrics);
    } catch (error) {
      if (sqs && w.record !== undefined && isRetryable(error)) {
        log.error('lifecycle action failed; will be retried', { instanceId: w.action.instanceId, error: String(error) });
        failures.push(w.record);
      } else if (!isRetryable(error)) {
        log.error('lifecycle action dropped', { instanceId: w.action.instanceId, error: String(error) });
      } else {
        throw error;
      }
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
