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
 * Rebalance recommendations follow `REBALANCE_POLICY`: `ignore` only publishes
 * `RebalanceRecommendations`; `replace` (default) launches the replacement at once without draining
 * (the decision treats the instance as gone, and the instance is marked `headroom.rebalance` so a
 * repeated recommendation launches nothing more, and its interruption warning later terminates it
 * with a decrement: the replacement is already there); `drain` treats them like interruption
 * warnings. A warning for an instance no longer registered costs one lookup and nothing else.
 */
import { REBALANCE_ATTRIBUTE } from '../core/cluster';
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
  /** Instances whose replacement launched on a rebalance recommendation (REBALANCE_POLICY=replace). */
  readonly replaced?: readonly string[];
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
  // REBALANCE_POLICY=replace: launch the replacement now, drain on the warning. An instance already
  // replaced (marked) costs nothing on a repeated recommendation.
  const toReplace = config.rebalancePolicy === 'replace' ? rebalances.filter((id) => !toDrain.includes(id) && ours.get(id)?.attributes[REBALANCE_ATTRIBUTE] === undefined) : [];
  const datums: MetricDatum[] = [];
  if (warnings.length > 0) datums.push({ name: 'InterruptionWarnings', value: warnings.length, unit: 'Count' });
  if (rebalances.length > 0) datums.push({ name: 'RebalanceRecommendations', value: rebalances.length, unit: 'Count' });
  if (toDrain.length === 0 && toReplace.length === 0) {
    if (rebalances.length > 0) log.info(`rebalance recommendations counted, not drained (REBALANCE_POLICY=${config.rebalancePolicy})`, { instances: rebalances });
    await metrics.publish(datums, now);
    return { ...empty, warnings, rebalances, replaced: [], foreign };
  }

  // 1. DRAINING first, before any other read: ECS starts moving tasks now.
  const arns = toDrain.map((id) => ours.get(id)?.arn).filter((a): a is string => a !== undefined);
  if (!config.dryRun) await ecs.setStatus(arns, 'DRAINING');

  // 2. One decision for the whole batch (one cluster read, without re-reading the warned instances'
  // tasks), as if the instances were already gone.
  const view = await readCluster(ctx, { leaving: new Set([...toDrain, ...toReplace]), known: found });
  const membership = new Map<string, { group: string; state: string }>();
  for (const g of view.groupStates) for (const m of g.members) membership.set(m.instanceId, { group: g.name, state: m.lifecycleState });
  const inGroup = toDrain.filter((id) => membership.has(id));
  const toTerminate = inGroup.filter((id) => isLiveLifecycleState(membership.get(id)?.state ?? ''));
  // Replaced on its rebalance recommendation: its replacement is already running, so it leaves with
  // a decrement, and the decision must not count it as requested capacity.
  const replaced = new Set(toTerminate.filter((id) => ours.get(id)?.attributes[REBALANCE_ATTRIBUTE] !== undefined));
  // An instance replaced now stays a member (nothing terminates it yet): Auto Scaling launches no
  // replacement for it, so it is taken out of desired for the decision and its seat added back to
  // the action.
  const leaving = new Set([...toDrain, ...toReplace]);
  const seats = (ids: Iterable<string>, group: string): number => [...ids].filter((id) => membership.get(id)?.group === group).length;
  const groups = view.groups.map((g) => {
    const n = seats(replaced, g.name) + seats(toReplace, g.name);
    return n === 0 ? g : { ...g, desired: Math.max(0, g.desired - n * (g.weight ?? 1)) };
  });
  const decided = decide({ now, instances: view.instances, groups, services: view.services, waiting: view.waiting, history: [], leaving, settings: decideSettings(config, { scaleInEnabled: false }) });
  const byName = new Map(view.groups.map((g) => [g.name, g]));
  const decision: Decision = {
    ...decided,
    scaleOut: decided.scaleOut.map((a) => {
      const g = byName.get(a.group);
      return { ...a, desired: Math.min(g?.max ?? Number.POSITIVE_INFINITY, a.desired + seats(toReplace, a.group) * (g?.weight ?? 1)) };
    }),
  };
  const standalone = toDrain.filter((id) => !membership.has(id));
  log.info(config.dryRun ? 'dry run: interruption plan, nothing changed' : 'interruption plan', { draining: toDrain, replacing: toReplace, terminateWithoutDecrement: toTerminate.filter((id) => !replaced.has(id)), terminateWithDecrement: [...replaced], drainChecks: standalone, ...planOf(decision) });

  const terminated: string[] = [];
  if (!config.dryRun) {
    for (const id of toTerminate) if ((await autoScaling.terminateInstance(id, replaced.has(id))) === 'ok') terminated.push(id);
    for (const id of standalone) {
      const notice = notices.find((n) => n.instanceId === id);
      const startedAt = Math.min(now, notice?.time ?? now);
      const deadline = notice?.kind === 'spot-interruption' ? startedAt + SPOT_NOTICE_SECONDS * 1000 : startedAt + config.drainTimeoutSeconds * 1000;
      const check: DrainCheck = { kind: 'drain-check', instanceId: id, cause: notice?.kind === 'rebalance' ? 'rebalance' : 'interruption', startedAt, deadline };
      await queue.enqueue(check, config.drainCheckSeconds);
    }
    await applyDecision(ctx, decision, view.instances, { scaleIn: false });
    // Marked after the scale-out: a failure in between launches a second replacement at worst
    // (surplus that scale-in removes), never none.
    const replacedArns = toReplace.map((id) => ours.get(id)?.arn).filter((a): a is string => a !== undefined);
    if (replacedArns.length > 0) await ecs.setAttribute(replacedArns, REBALANCE_ATTRIBUTE, new Date(now).toISOString());
  }
  await metrics.publish([...datums, { name: 'ScaleOutInstances', value: decision.scaleOut.reduce((n, a) => n + a.count, 0), unit: 'Count' }], now);
  return { warnings, rebalances, drained: toDrain, replaced: toReplace, terminated, foreign, decision };
}

export const handler = lambdaEntry(handleInterruption, process.env, { name: 'interruption', requireDrainQueue: true, ports: awsPorts });
