/**
 * Spot interruption warnings and rebalance recommendations.
 *
 * For the instances of this cluster named by the events of one invocation (one EventBridge event,
 * an array of them, or an SQS batch of them — a storm becomes one decision):
 * 1. set them DRAINING at once (ECS starts replacement tasks elsewhere right away);
 * 2. members of a configured group are terminated with `ShouldDecrementDesiredCapacity=false`:
 *    Auto Scaling launches their replacements now instead of after the two minutes, and the
 *    termination runs through the lifecycle hook, so the drain itself follows the one drain path
 *    (lifecycle handler → drain checks). Instances in no configured group get a drain check of
 *    their own (deadline: the two-minute warning) so the drain is still measured;
 * 3. one scale-out decision as if those instances were already gone (`decide` with `leaving`).
 *    The core counts desired − live members as capacity on its way, so the replacements started in
 *    step 2 are counted once and only the shortfall beyond them is added.
 *
 * Rebalance recommendations follow `REBALANCE_POLICY`: `count` (default) only publishes
 * `RebalanceRecommendations`; `drain` treats them like interruption warnings.
 */
import { decide, type Decision } from '../core/decide';
import { isSqsEnvelope, parseEventBridge, type ParsedEvent } from '../core/events';
import type { MetricDatum } from '../core/metrics';
import { applyDecision, decideSettings, planOf, readCluster } from './act';
import type { HandlerContext } from './context';
import { isLiveLifecycleState } from './model';
import type { DrainCheck } from './ports';
import { awsPorts } from './aws/ports';
import { lambdaEntry } from './runtime';

/** The two-minute Spot warning. */
export const SPOT_NOTICE_SECONDS = 120;

export interface InterruptionResult {
  readonly warnings: readonly string[];
  readonly rebalances: readonly string[];
  /** Instances of this cluster set DRAINING (or, in dry run, that would be). */
  readonly drained: readonly string[];
  readonly terminated: readonly string[];
  readonly foreign: readonly string[];
  readonly decision?: Decision;
  readonly batchItemFailures?: ReadonlyArray<{ itemIdentifier: string }>;
}

interface Notice {
  readonly kind: 'spot-interruption' | 'rebalance';
  readonly instanceId: string;
  readonly time?: number;
}

function collect(event: unknown): { notices: Notice[]; dropped: string[]; records: string[] } {
  const notices: Notice[] = [];
  const dropped: string[] = [];
  const records: string[] = [];
  const take = (parsed: ParsedEvent): void => {
    if (parsed.kind === 'spot-interruption' || parsed.kind === 'rebalance') notices.push({ kind: parsed.kind, instanceId: parsed.instanceId, ...(parsed.time !== undefined ? { time: parsed.time } : {}) });
    else dropped.push(parsed.kind === 'ignored' || parsed.kind === 'malformed' ? parsed.reason : `${parsed.kind} is not an interruption event`);
  };
  if (isSqsEnvelope(event)) {
    for (const r of event.Records) {
      records.push(r.messageId);
      let body: unknown;
      try {
        body = JSON.parse(r.body);
      } catch {
        dropped.push(`message ${r.messageId}: body is not JSON`);
        continue;
      }
      take(parseEventBridge(body));
    }
  } else if (Array.isArray(event)) {
    for (const e of event) take(parseEventBridge(e));
  } else {
    take(parseEventBridge(event));
  }
  return { notices, dropped, records };
}

export async function handleInterruption(event: unknown, ctx: HandlerContext): Promise<InterruptionResult> {
  const { records, ...rest } = collect(event);
  try {
    return await interrupt(rest.notices, rest.dropped, ctx);
  } catch (error) {
    // From SQS: report every record as failed so the batch is retried (the work is idempotent).
    if (records.length > 0) {
      ctx.ports.log.error('interruption batch failed; will be retried', { error: String(error) });
      return { warnings: [], rebalances: [], drained: [], terminated: [], foreign: [], batchItemFailures: records.map((id) => ({ itemIdentifier: id })) };
    }
    throw error;
  }
}

async function interrupt(notices: readonly Notice[], dropped: readonly string[], ctx: HandlerContext): Promise<InterruptionResult> {
  const { config } = ctx;
  const { ecs, autoScaling, queue, metrics, log } = ctx.ports;
  for (const reason of dropped) log.info('event dropped', { reason });
  const empty: InterruptionResult = { warnings: [], rebalances: [], drained: [], terminated: [], foreign: [] };
  if (notices.length === 0) return empty;

  const now = ctx.ports.now();
  const ids = [...new Set(notices.map((n) => n.instanceId))];
  const found = await ecs.findInstances(ids);
  const ours = new Map(found.map((i) => [i.id, i]));
  const foreign = ids.filter((id) => !ours.has(id));
  if (foreign.length > 0) log.info('interruption notices for instances not in this cluster dropped', { instances: foreign });

  const warnings = [...new Set(notices.filter((n) => n.kind === 'spot-interruption' && ours.has(n.instanceId)).map((n) => n.instanceId))];
  const rebalances = [...new Set(notices.filter((n) => n.kind === 'rebalance' && ours.has(n.instanceId)).map((n) => n.instanceId))];
  const toDrain = [...new Set([...warnings, ...(config.rebalancePolicy === 'drain' ? rebalances : [])])];
  const datums: MetricDatum[] = [];
  if (warnings.length > 0) datums.push({ name: 'InterruptionWarnings', value: warnings.length, unit: 'Count' });
  if (rebalances.length > 0) datums.push({ name: 'RebalanceRecommendations', value: rebalances.length, unit: 'Count' });
  if (toDrain.length === 0) {
    if (rebalances.length > 0) log.info('rebalance recommendations counted, not drained (REBALANCE_POLICY=count)', { instances: rebalances });
    await metrics.publish(datums, now);
    return { ...empty, warnings, rebalances, foreign };
  }

  // 1. DRAINING first, before any other read: ECS starts moving tasks now.
  const arns = toDrain.map((id) => ours.get(id)?.arn).filter((a): a is string => a !== undefined);
  if (!config.dryRun) await ecs.setStatus(arns, 'DRAINING');

  // 2. One decision for the whole batch, as if the instances were already gone.
  const leaving = new Set(toDrain);
  const view = await readCluster(ctx, { leaving, known: found });
  const decision = decide({ now, instances: view.instances, groups: view.groups, services: view.services, waiting: view.waiting, history: [], leaving, settings: decideSettings(config, { scaleInEnabled: false }) });

  const membership = new Map<string, { group: string; state: string }>();
  for (const g of view.groupStates) for (const m of g.members) membership.set(m.instanceId, { group: g.name, state: m.lifecycleState });
  const inGroup = toDrain.filter((id) => membership.has(id));
  const toTerminate = inGroup.filter((id) => isLiveLifecycleState(membership.get(id)?.state ?? ''));
  const standalone = toDrain.filter((id) => !membership.has(id));
  log.info(config.dryRun ? 'dry run: interruption plan, nothing changed' : 'interruption plan', { draining: toDrain, terminateWithoutDecrement: toTerminate, drainChecks: standalone, ...planOf(decision) });

  const terminated: string[] = [];
  if (!config.dryRun) {
    for (const id of toTerminate) if ((await autoScaling.terminateInstance(id, false)) === 'ok') terminated.push(id);
    for (const id of standalone) {
      const notice = notices.find((n) => n.instanceId === id);
      const startedAt = Math.min(now, notice?.time ?? now);
      const deadline = notice?.kind === 'spot-interruption' ? startedAt + SPOT_NOTICE_SECONDS * 1000 : startedAt + config.drainTimeoutSeconds * 1000;
      const check: DrainCheck = { kind: 'drain-check', instanceId: id, cause: notice?.kind === 'rebalance' ? 'rebalance' : 'interruption', startedAt, deadline };
      await queue.enqueue(check, config.drainCheckSeconds);
    }
    await applyDecision(ctx, decision, view.instances, { scaleIn: false });
  }
  await metrics.publish([...datums, { name: 'ScaleOutInstances', value: decision.scaleOut.reduce((n, a) => n + a.count, 0), unit: 'Count' }], now);
  return { warnings, rebalances, drained: toDrain, terminated, foreign, decision };
}

export const handler = lambdaEntry(handleInterruption, process.env, { name: 'interruption', requireDrainQueue: true, ports: awsPorts });
