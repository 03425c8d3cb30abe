/**
 * The drain-check consumer (SQS). One step of the core drain machine per message: heartbeat the
 * hook before it expires, re-enqueue with a delay, stop leftover standalone tasks at the timeout
 * (STANDALONE_TASK_POLICY), complete the lifecycle action with CONTINUE when no non-daemon task is
 * left that is not STOPPED. "No active Lifecycle Action found" counts as done.
 *
 * Partial batch failures: a transient error fails only its record (SQS redelivers it); a malformed
 * message is logged and dropped. Two checks of the same instance in one batch are merged (a
 * duplicate delivery would otherwise keep a second chain of checks alive). Publishes `DrainSeconds`
 * and `TasksStoppedByTermination` for drains that end.
 */
import { isRetryable } from '../core/errors';
import type { MetricDatum } from '../core/metrics';
import type { HandlerContext, SqsEnvelope } from './context';
import { parseDrainCheck, runDrainStep, type DrainOutcome } from './drain-step';
import type { DrainCheck } from './ports';
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
  const byInstance = new Map<string, { record: string; check: DrainCheck }>();
  for (const r of event?.Records ?? []) {
    const check = typeof r.body === 'string' ? parseDrainCheck(r.body) : 'message body is not a string';
    if (typeof check === 'string') {
      dropped.push(r.messageId);
      log.warn('malformed drain check dropped', { messageId: r.messageId, reason: check });
      continue;
    }
    const seen = byInstance.get(check.instanceId);
    if (seen !== undefined) {
      dropped.push(r.messageId);
      log.info('duplicate drain check merged', { instanceId: check.instanceId, messageId: r.messageId, kept: seen.record });
      if (check.startedAt < seen.check.startedAt) byInstance.set(check.instanceId, { record: r.messageId, check });
      continue;
    }
    byInstance.set(check.instanceId, { record: r.messageId, check });
  }
  const work = [...byInstance.values()];
  if (work.length === 0) return { batchItemFailures: [], outcomes: [], dropped };

  let found;
  try {
    found = new Map((await ecs.findInstances(work.map((w) => w.check.instanceId))).map((i) => [i.id, i]));
  } catch (error) {
    if (!isRetryable(error)) throw error;
    log.error('reading container instances failed; batch will be retried', { error: String(error) });
    return { batchItemFailures: work.map((w) => ({ itemIdentifier: w.record })), outcomes: [], dropped };
  }

  const failures: Array<{ itemIdentifier: string }> = [];
  const outcomes: DrainOutcome[] = [];
  const datums: MetricDatum[] = [];
  for (const w of work) {
    try {
      const outcome = await runDrainStep(ctx, w.check, found.get(w.check.instanceId));
      outcomes.push(outcome);
      datums.push(...outcome.metrics);
    } catch (error) {
      if (isRetryable(error)) {
        log.error('drain check failed; will be retried', { instanceId: w.check.instanceId, error: String(error) });
        failures.push({ itemIdentifier: w.record });
      } else {
        log.error('drain check dropped', { instanceId: w.check.instanceId, error: String(error) });
        dropped.push(w.record);
      }
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
