/**
 * The drain-check consumer (SQS). One step of the core drain machine per message: heartbeat the
 * hook before it expires, re-enqueue with a delay, stop leftover standalone tasks at the timeout
 * (STANDALONE_TASK_POLICY), complete the lifecycle action with CONTINUE when no non-daemon task is
 * left that is not STOPPED. "No active Lifecycle Action found" counts as done.
 *
 * Partial batch failures (handlers/app/batch.ts): any error while acting fails only its record — a
 * transient one is redelivered, a permanent one (AccessDenied, an unexpected validation error) is
 * redelivered until the queue's `maxReceiveCount` moves it to the dead-letter queue, which alarms
 * (and `PermanentFailures` alarms at once): a drain that cannot proceed is never reported as done.
 * Only "already gone" answers (returned by the adapters as data) end a drain quietly. A malformed
 * message is logged (with its messageId) and dropped. One chain of checks per instance
 * (core/drain-chain.ts): stale checks are dropped, two checks of the same instance in one batch are
 * merged, and the step token written after the batch makes a duplicate delivered to another
 * invocation stale at its next step. Publishes `DrainSeconds` and `TasksStoppedByTermination` for
 * drains that end.
 */
import type { MetricDatum } from '../core/metrics';
import { heartbeatDue } from '../core/drain';
import { BatchFailures, type BatchItemFailure } from './app/batch';
import type { HandlerContext, SqsEnvelope } from './app/context';
import { newStepToken, recordSteps, steppedOn, type Stepped } from './app/drain-chain';
import { foreignCheck, hookExpiry, parseDrainCheck, runDrainStep, staleCheck, type DrainOutcome } from './app/drain-step';
import type { DrainCheck } from './app/ports';
import { awsPortsWith, noCatalog } from './aws/ports';
import { sqsQueue } from './aws/sqs';
import { lambdaEntry } from './runtime';

export interface DrainResult {
  readonly batchItemFailures: BatchItemFailure[];
  readonly outcomes: readonly DrainOutcome[];
  readonly dropped: readonly string[];
}

type Candidate = { record: string; check: DrainCheck };

/** The records of `event` that are drain checks Headroom may act on; the rest dropped with a log line. */
function candidatesOf(event: SqsEnvelope, ctx: HandlerContext, dropped: string[]): Candidate[] {
  const candidates: Candidate[] = [];
  for (const r of event?.Records ?? []) {
    const check = typeof r.body === 'string' ? parseDrainCheck(r.body) : 'message body is not a string';
    if (typeof check === 'string') {
      dropped.push(r.messageId);
      ctx.ports.log.warn('malformed drain check dropped', { messageId: r.messageId, reason: check });
      continue;
    }
    const foreign = foreignCheck(check, ctx.config);
    if (foreign !== undefined) {
      dropped.push(r.messageId);
      ctx.ports.log.info('drain check dropped', { messageId: r.messageId, reason: foreign });
    } else candidates.push({ record: r.messageId, check });
  }
  return candidates;
}

/**
 * ECS unreadable (an outage of ECS alone): the checks fail and come back, but their lifecycle
 * actions need not expire meanwhile. Hooks due for a heartbeat (the same rule as a normal step,
 * core/drain.ts) are heartbeated without reading ECS, so a drain outlives an ECS outage by the
 * redelivery window plus a whole heartbeat timeout; the tick revives the chain afterwards if it
 * was dead-lettered. Best effort: a failure here changes nothing about the records.
 */
async function keepHooksAlive(ctx: HandlerContext, checks: readonly DrainCheck[]): Promise<void> {
  const now = ctx.ports.now();
  const due = new Map<string, NonNullable<DrainCheck['hook']>>();
  for (const c of checks) {
    if (c.hook === undefined || ctx.config.dryRun) continue;
    const expiresAt = hookExpiry(c, c.heartbeatSeconds ?? ctx.config.hookHeartbeatSeconds);
    if (heartbeatDue(expiresAt, now, ctx.config.drainCheckSeconds, ctx.config.drainCheckSeconds)) due.set(c.instanceId, c.hook);
  }
  for (const [instanceId, hook] of due) {
    try {
      const answer = await ctx.ports.autoScaling.heartbeat(hook);
      ctx.ports.log.warn('ECS unreadable: lifecycle action heartbeated without a drain step', { instanceId, answer });
    } catch (error) {
      ctx.ports.log.warn('ECS unreadable and the heartbeat failed too', { instanceId, error: String(error) });
    }
  }
}

export async function handleDrain(event: SqsEnvelope, ctx: HandlerContext): Promise<DrainResult> {
  const { log, ecs, metrics } = ctx.ports;
  const dropped: string[] = [];
  const drop = (messageId: string, message: string, reason: string): void => {
    dropped.push(messageId);
    log.info(message, { messageId, reason });
  };
  const candidates = candidatesOf(event, ctx, dropped);
  if (candidates.length === 0) return { batchItemFailures: [], outcomes: [], dropped };

  const failures = new BatchFailures(log);
  const instances = await failures.attempt(
    candidates.map((c) => c.record),
    'reading container instances',
    () => ecs.findInstances(candidates.map((w) => w.check.instanceId)),
  );
  if (instances === undefined) {
    await keepHooksAlive(ctx, candidates.map((c) => c.check));
    return { batchItemFailures: failures.response(), outcomes: [], dropped };
  }
  const found = new Map(instances.map((i) => [i.id, i]));

  // One step per instance: stale chains and hook-less checks of ACTIVE instances are dropped; of
  // the rest, the earliest-started check is kept and duplicates are merged into it.
  const byInstance = new Map<string, Candidate>();
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

  const token = newStepToken(ctx.ports.now());
  const stepped: Stepped[] = [];
  const datums: MetricDatum[] = [];
  for (const w of byInstance.values()) {
    const instance = found.get(w.check.instanceId);
    const outcome = await failures.attempt([w.record], 'drain check', () => runDrainStep(ctx, w.check, instance, token), { instanceId: w.check.instanceId });
    if (outcome === undefined) continue;
    stepped.push(steppedOn(w.record, instance, outcome));
    datums.push(...outcome.metrics);
  }
  await recordSteps(ctx, stepped, token, failures);
  try {
    await metrics.publish([...datums, ...failures.metrics()], ctx.ports.now());
  } catch (error) {
    log.error('publishing drain metrics failed', { error: String(error) });
  }
  return { batchItemFailures: failures.response(), outcomes: stepped.map((s) => s.outcome), dropped };
}

export const handler = lambdaEntry(handleDrain, process.env, { name: 'drain', requireDrainQueue: true, ports: awsPortsWith({ queue: sqsQueue, catalog: () => noCatalog }) });
