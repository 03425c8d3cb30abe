/**
 * The drain-check consumer (SQS). One step of the core drain machine per message: heartbeat the
 * hook before it expires, re-enqueue with a delay, stop leftover standalone tasks at the timeout
 * (STANDALONE_TASK_POLICY), complete the lifecycle action with CONTINUE when no non-daemon task is
 * left that is not STOPPED. "No active Lifecycle Action found" counts as done.
 *
 * Partial batch failures: any error while acting fails only its record — a transient one is
 * redelivered, a permanent one (AccessDenied, an unexpected validation error) is redelivered until
 * the queue's `maxReceiveCount` moves it to the dead-letter queue, which alarms: a drain that cannot
 * proceed is never reported as done. Only "already gone" answers (returned by the adapters as data)
 * end a drain quietly. A malformed message is logged (with its messageId) and dropped. Two checks of the same instance in one batch are merged (a
 * duplicate delivery would otherwise keep a second chain of checks alive). Publishes `DrainSeconds`
 * and `TasksStoppedByTermination` for drains that end.
 */
import { categoryOf, isRetryable } from '../core/errors';
import type { MetricDatum } from '../core/metrics';
import type { HandlerContext, SqsEnvelope } from './app/context';
import { foreignCheck, parseDrainCheck, runDrainStep, staleCheck, type DrainOutcome } from './app/drain-step';
import type { DrainCheck } from './app/ports';
import { awsPortsWith, noCatalog } from './aws/ports';
import { sqsQueue } from './aws/sqs';
import { lambdaEntry } from './runtime';

export interface DrainResult {
  readonly batchItemFailures: Array<{ itemIdentifier: string }>;
  readonly outcomes: readonly DrainOutcome[];
  readonly dropped: readonly string[];
}

export async function handleDrain(event: SqsEnvelope, ctx: HandlerContext): Promise<DrainResult> {
  const { log, ecs, metrics } = ctx.ports;
  const dropped: string[] = [];
  const drop = (messageId: string, message: string, reason: string): void => {
    dropped.push(messageId);
    log.info(message, { messageId, reason });
  };
  const candidates: Array<{ record: string; check: DrainCheck }> = [];
  for (const r of event?.Records ?? []) {
    const check = typeof r.body === 'string' ? parseDrainCheck(r.body) : 'message body is not a string';
    if (typeof check === 'string') {
      dropped.push(r.messageId);
      log.warn('malformed drain check dropped', { messageId: r.messageId, reason: check });
      continue;
    }
    const foreign = foreignCheck(check, ctx.config);
    if (foreign !== undefined) drop(r.messageId, 'drain check dropped', foreign);
    else candidates.push({ record: r.messageId, check });
  }
  if (candidates.length === 0) return { batchItemFailures: [], outcomes: [], dropped };

  let found;
  try {
    found = new Map((await ecs.findInstances(candidates.map((w) => w.check.instanceId))).map((i) => [i.id, i]));
  } catch (error) {
    if (!isRetryable(error)) throw error;
    log.error('reading container instances failed; batch will be retried', { error: String(error) });
    return { batchItemFailures: candidates.map((w) => ({ itemIdentifier: w.record })), outcomes: [], dropped };
  }

  // One step per instance: stale chains and hook-less checks of ACTIVE instances are dropped; of
  // the rest, the earliest-started check is kept and duplicates are merged into it.
  const byInstance = new Map<string, { record: string; check: DrainCheck }>();
  for (const c of candidates) {
    const stale = staleCheck(c.check, found.get(c.check.instanceId));
    if (stale !== undefined) {
      drop(c.record, 'drain check dropped', stale);
      continue;
    }
    const seen = byInstance.get(c.check.instanceId);
    if (seen === undefined) {
      byInstance.set(c.check.instanceId, c);
      continue;
    }
    const [keep, merged] = c.check.startedAt < seen.check.startedAt ? [c, seen] : [seen, c];
    byInstance.set(c.check.instanceId, keep);
    drop(merged.record, 'duplicate drain check merged', `same instance as message ${keep.record}`);
  }

  const failures: Array<{ itemIdentifier: string }> = [];
  const outcomes: DrainOutcome[] = [];
  const datums: MetricDatum[] = [];
  for (const w of byInstance.values()) {
    try {
      const outcome = await runDrainStep(ctx, w.check, found.get(w.check.instanceId));
      outcomes.push(outcome);
      datums.push(...outcome.metrics);
    } catch (error) {
      log.error('drain check failed; the record will be redelivered (then dead-lettered)', { messageId: w.record, instanceId: w.check.instanceId, category: categoryOf(error), error: String(error) });
      failures.push({ itemIdentifier: w.record });
    }
  }
  try {
    await metrics.publish(datums, ctx.ports.now());
  } catch (error) {
    log.error('publishing drain metrics failed', { error: String(error) });
  }
  return { batchItemFailures: failures, outcomes, dropped };
}

export const handler = lambdaEntry(handleDrain, process.env, { name: 'drain', requireDrainQueue: true, ports: awsPortsWith({ queue: sqsQueue, catalog: () => noCatalog }) });
