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
import type { Instance } from '../core/cluster';
import { LAUNCHING, TERMINATING, foreignAccount, isSqsEnvelope, parseEventBridge, parseNotificationBody, type ParsedEvent } from '../core/events';
import type { MetricDatum } from '../core/metrics';
import type { HandlerContext } from './app/context';
import { BatchFailures } from './app/batch';
import { newStepToken, recordSteps, startChain, steppedOn, type Stepped } from './app/drain-chain';
import { runDrainStep, type DrainOutcome } from './app/drain-step';
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

/** One action per instance and lifecycle action: duplicates of one notification in a batch are merged before acting. */
function merged(work: ReadonlyArray<{ record?: string; action: LifecycleAction }>, log: HandlerContext['ports']['log'], dropped: string[]): Array<{ record?: string; action: LifecycleAction }> {
  const seen = new Map<string, { record?: string; action: LifecycleAction }>();
  for (const w of work) {
    const key = `${w.action.group}\u0000${w.action.instanceId}\u0000${w.action.hookName}\u0000${w.action.token ?? ''}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, w);
    else {
      dropped.push(`duplicate lifecycle action of ${w.action.instanceId}`);
      log.info('duplicate lifecycle action merged', { instanceId: w.action.instanceId, ...(w.record !== undefined ? { messageId: w.record } : {}), ...(first.record !== undefined ? { keptMessageId: first.record } : {}) });
    }
  }
  return [...seen.values()];
}

export async function handleLifecycle(event: unknown, ctx: HandlerContext): Promise<LifecycleResult> {
  const { log, ecs, metrics } = ctx.ports;
  const dropped: string[] = [];
  const received: Array<{ record?: string; action: LifecycleAction }> = [];
  const take = (parsed: ParsedEvent, record?: string): void => {
    const a = accept(parsed, ctx);
    if (typeof a === 'string') {
      dropped.push(a);
      log.info('event dropped', { reason: a, ...(record !== undefined ? { messageId: record } : {}) });
    } else received.push({ ...(record !== undefined ? { record } : {}), action: a });
  };
  const sqs = isSqsEnvelope(event);
  if (sqs) for (const r of event.Records) take(parseNotificationBody(r.body), r.messageId);
  else if (typeof event === 'object' && event !== null && 'source' in event) take(parseEventBridge(event));
  else take(parseNotificationBody(event));
  const work = merged(received, log, dropped);
  if (work.length === 0) return { outcomes: [], dropped, ...(sqs ? { batchItemFailures: [] } : {}) };

  // Never success on failure: from SQS the record fails (redelivered, then dead-lettered and
  // alarmed); from EventBridge the invocation throws (Lambda retries it, then the on-failure
  // destination gets it).
  const failures = new BatchFailures(log);
  const answer = async (stepped: readonly Stepped[], datums: readonly MetricDatum[]): Promise<LifecycleResult> => {
    try {
      await metrics.publish([...datums, ...failures.metrics()], ctx.ports.now());
    } catch (error) {
      log.error('publishing drain metrics failed', { error: String(error) });
    }
    if (!sqs && (failures.transient !== undefined || failures.permanentError !== undefined)) throw failures.permanentError ?? failures.transient;
    return { outcomes: stepped.map((s) => s.outcome), dropped, ...(sqs ? { batchItemFailures: failures.response() } : {}) };
  };
  const instances = await failures.attempt(
    work.map((w) => w.record),
    'reading container instances',
    () => ecs.findInstances(work.map((w) => w.action.instanceId)),
  );
  if (instances === undefined) return answer([], []);
  const found = new Map(instances.map((i) => [i.id, i]));
  const token = newStepToken(ctx.ports.now());
  const stepped: Stepped[] = [];
  const datums: MetricDatum[] = [];
  for (const w of work) {
    const instance = found.get(w.action.instanceId);
    const outcome = await failures.attempt([w.record], 'lifecycle action', async () => {
      // Towards the warm pool: the instance comes back later and the tick reactivates it (warm-pool.ts).
      if (!ctx.config.dryRun && w.action.destination?.toLowerCase() === 'warmpool' && instance?.arn !== undefined && instance.status !== 'INACTIVE') {
        await ecs.setAttribute([instance.arn], WARM_POOL_ATTRIBUTE, new Date(ctx.ports.now()).toISOString());
      }
      return runDrainStep(ctx, await startChain(ctx, firstCheck(w.action, ctx), instance), instance, token);
    }, { instanceId: w.action.instanceId });
    if (outcome === undefined) continue;
    stepped.push(steppedOn(w.record, instance, outcome));
    datums.push(...outcome.metrics);
  }
  await recordSteps(ctx, stepped, token, failures);
  return answer(stepped, datums);
}

export const handler = lambdaEntry(handleLifecycle, process.env, { name: 'lifecycle', requireDrainQueue: true, ports: awsPortsWith({ queue: sqsQueue, catalog: () => noCatalog }) });
