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
 * An instance already DRAINING for scale-in is surplus: it is terminated with decrement, so its
 * capacity is not relaunched. Standalone tasks of interrupted instances are stopped gracefully at
 * once (STANDALONE_TASK_POLICY=stop). From SQS, failures are reported per record
 * (`batchItemFailures`); events of another account are dropped.
 *
 * Rebalance recommendations follow `REBALANCE_POLICY`: `ignore` only publishes
 * `RebalanceRecommendations`; `replace` launches the replacement at once without draining
 * (the decision treats the instance as gone, and the instance is marked `headroom.rebalance` so a
 * repeated recommendation launches nothing more, and its interruption warning later terminates it
 * with a decrement: the replacement is already there); `drain` (the default) treats them
 * like interruption warnings. A warning for an instance no longer registered costs one lookup and nothing else.
 */
import { INTERRUPTED_ATTRIBUTE, REBALANCE_ATTRIBUTE, isScaleInDrain, liveWorkload, type Instance } from '../core/cluster';
import { decide, type Decision } from '../core/decide';
import { categoryOf, isRetryable } from '../core/errors';
import { foreignAccount, isSqsEnvelope, parseEventBridge, type ParsedEvent } from '../core/events';
import type { MetricDatum } from '../core/metrics';
import { memberWeights } from '../core/zones';
import { applyDecision, decideSettings, planOf, readCluster } from './app/act';
import type { HandlerContext } from './app/context';
import { isLiveLifecycleState } from './app/model';
import type { DrainCheck } from './app/ports';
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
  /** The SQS messageId that carried it. */
  readonly record?: string;
}

function collect(event: unknown, account: string | undefined): { notices: Notice[]; dropped: Array<{ reason: string; messageId?: string }>; sqs: boolean } {
  const notices: Notice[] = [];
  const dropped: Array<{ reason: string; messageId?: string }> = [];
  const take = (parsed: ParsedEvent, record?: string): void => {
    const at = record !== undefined ? { messageId: record } : {};
    const foreign = foreignAccount(parsed, account);
    if (foreign !== undefined) dropped.push({ reason: foreign, ...at });
    else if (parsed.kind === 'spot-interruption' || parsed.kind === 'rebalance') notices.push({ kind: parsed.kind, instanceId: parsed.instanceId, ...(parsed.time !== undefined ? { time: parsed.time } : {}), ...(record !== undefined ? { record } : {}) });
    else dropped.push({ reason: parsed.kind === 'ignored' || parsed.kind === 'malformed' ? parsed.reason : `${parsed.kind} is not an interruption event`, ...at });
  };
  const sqs = isSqsEnvelope(event);
  if (sqs) {
    for (const r of event.Records) {
      let body: unknown;
      try {
        body = JSON.parse(r.body);
      } catch {
        dropped.push({ reason: 'body is not JSON', messageId: r.messageId });
        continue;
      }
      take(parseEventBridge(body), r.messageId);
    }
  } else if (Array.isArray(event)) {
    for (const e of event) take(parseEventBridge(e));
  } else {
    take(parseEventBridge(event));
  }
  return { notices, dropped, sqs };
}

/**
 * Per-instance failure bookkeeping, so one failing record does not fail a whole batch: a transient
 * error marks the instances it concerns (their records come back after the queue's visibility
 * timeout, within the Spot notice); a permanent one is logged once, naming the messages, and
 * dropped: redelivering it cannot help, and the instance is gone within two minutes anyway.
 */
class Attempts {
  readonly failed = new Set<string>();
  transient: unknown;
  constructor(
    private readonly log: HandlerContext['ports']['log'],
    private readonly recordsOf: (ids: readonly string[]) => string[],
  ) {}

  async run<T>(ids: readonly string[], what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      const messageIds = this.recordsOf(ids);
      if (isRetryable(error)) {
        for (const id of ids) this.failed.add(id);
        this.transient ??= error;
        this.log.error(`${what} failed; will be retried`, { instances: ids, messageIds, error: String(error) });
      } else {
        this.log.error(`${what} failed permanently; dropped`, { instances: ids, messageIds, category: categoryOf(error), error: String(error) });
      }
      return undefined;
    }
  }
}

export async function handleInterruption(event: unknown, ctx: HandlerContext): Promise<InterruptionResult> {
  const { notices, dropped, sqs } = collect(event, ctx.config.account);
  for (const d of dropped) ctx.ports.log.info('event dropped', d);
  const recordsOf = (ids: readonly string[]): string[] => [...new Set(notices.filter((n) => ids.includes(n.instanceId) && n.record !== undefined).map((n) => n.record as string))];
  const attempts = new Attempts(ctx.ports.log, recordsOf);
  const result = await interrupt(notices, ctx, attempts);
  if (sqs) return { ...result, batchItemFailures: recordsOf([...attempts.failed]).map((id) => ({ itemIdentifier: id })) };
  // Invoked directly (EventBridge): throw so the platform retries; the work is idempotent.
  if (attempts.transient !== undefined) throw attempts.transient;
  return result;
}

async function interrupt(notices: readonly Notice[], ctx: HandlerContext, attempts: Attempts): Promise<InterruptionResult> {
  const { config } = ctx;
  const { ecs, autoScaling, queue, metrics, log } = ctx.ports;
  const empty: InterruptionResult = { warnings: [], rebalances: [], drained: [], terminated: [], foreign: [] };
  if (notices.length === 0) return empty;

  const now = ctx.ports.now();
  const ids = [...new Set(notices.map((n) => n.instanceId))];
  const found = await attempts.run(ids, 'reading the interrupted instances', () => ecs.findInstances(ids));
  if (found === undefined) return empty;
  const ours = new Map(found.map((i) => [i.id, i]));
  const foreign = ids.filter((id) => !ours.has(id));
  if (foreign.length > 0) log.info('interruption notices for instances not in this cluster dropped', { instances: foreign, messageIds: notices.filter((n) => foreign.includes(n.instanceId) && n.record !== undefined).map((n) => n.record) });

  const warnings = [...new Set(notices.filter((n) => n.kind === 'spot-interruption' && ours.has(n.instanceId)).map((n) => n.instanceId))];
  const rebalances = [...new Set(notices.filter((n) => n.kind === 'rebalance' && ours.has(n.instanceId)).map((n) => n.instanceId))];
  const toDrain = [...new Set([...warnings, ...(config.rebalancePolicy === 'drain' ? rebalances : [])])];
  // REBALANCE_POLICY=replace: launch the replacement now, drain on the warning. An instance already
  // replaced (marked) costs nothing on a repeated recommendation.
  const toReplace = config.rebalancePolicy === 'replace' ? rebalances.filter((id) => !toDrain.includes(id) && ours.get(id)?.attributes[REBALANCE_ATTRIBUTE] === undefined) : [];
  const datums: MetricDatum[] = [];
  if (warnings.length > 0) datums.push({ name: 'InterruptionWarnings', value: warnings.length, unit: 'Count' });
  if (rebalances.length > 0) datums.push({ name: 'RebalanceRecommendations', value: rebalances.length, unit: 'Count' });
  const publish = async (extra: readonly MetricDatum[] = []): Promise<void> => {
    try {
      await metrics.publish([...datums, ...extra], now);
    } catch (error) {
      log.error('publishing interruption metrics failed', { error: String(error) });
    }
  };
  if (toDrain.length === 0 && toReplace.length === 0) {
    if (rebalances.length > 0) log.info(`rebalance recommendations counted, not drained (REBALANCE_POLICY=${config.rebalancePolicy})`, { instances: rebalances });
    await publish();
    return { ...empty, warnings, rebalances, replaced: [], foreign };
  }

  // 1. DRAINING first, before any other read: ECS starts moving tasks now. Beside it, the instances
  // that will be terminated without a decrement are marked interrupted, so a tick that reads them
  // before the termination counts their seats as the replacements Auto Scaling will launch. The
  // mark is an optimisation: failing to set it is logged, not retried.
  const arns = toDrain.map((id) => ours.get(id)?.arn).filter((a): a is string => a !== undefined);
  const replacedBy = (id: string): boolean => {
    const i = ours.get(id);
    return i === undefined || i.attributes[REBALANCE_ATTRIBUTE] !== undefined || isScaleInDrain(i);
  };
  const toMark = toDrain.filter((id) => !replacedBy(id) && ours.get(id)?.attributes[INTERRUPTED_ATTRIBUTE] === undefined).map((id) => ours.get(id)?.arn).filter((a): a is string => a !== undefined);
  const mark = async (): Promise<void> => {
    if (toMark.length === 0) return;
    try {
      await ecs.setAttribute(toMark, INTERRUPTED_ATTRIBUTE, new Date(now).toISOString());
    } catch (error) {
      log.warn('marking interrupted instances failed; a tick may launch for their tasks before they terminate', { error: String(error) });
    }
  };
  if (!config.dryRun) await Promise.all([attempts.run(toDrain, 'setting interrupted instances DRAINING', () => ecs.setStatus(arns, 'DRAINING')), mark()]);

  // Standalone (RunTask) tasks are not moved by DRAINING: with STANDALONE_TASK_POLICY=stop they get
  // a graceful stop (SIGTERM, then SIGKILL after the container's stopTimeout) now, within the
  // two-minute notice, rather than at DRAIN_TIMEOUT_SECONDS when the instance is long gone.
  const standaloneTasks = warnings.flatMap((id) => liveWorkload(ours.get(id) as Instance).filter((t) => t.role === 'standalone').map((t) => ({ id, task: t.id })));
  if (!config.dryRun && config.standaloneTaskPolicy === 'stop' && standaloneTasks.length > 0) {
    const owners = [...new Set(standaloneTasks.map((t) => t.id))];
    await attempts.run(owners, 'stopping standalone tasks of interrupted instances', () => ecs.stopTasks(standaloneTasks.map((t) => t.task), 'Headroom: Spot interruption warning'));
  }

  // 2. One decision for the whole batch (one cluster read, without re-reading the warned instances'
  // tasks), as if the instances were already gone.
  const work = [...toDrain, ...toReplace];
  const leaving = new Set(work);
  const settings = decideSettings(config, { scaleInEnabled: false });
  const read = await attempts.run(work, 'reading the cluster', () => readCluster(ctx, { now, history: [], leaving, settings }, { known: found }));
  const view = read?.view;
  if (view === undefined) {
    await publish();
    return { ...empty, warnings, rebalances, drained: toDrain, foreign };
  }
  const membership = new Map<string, { group: string; state: string }>();
  for (const g of view.groupStates) for (const m of g.members) membership.set(m.instanceId, { group: g.name, state: m.lifecycleState });
  const inGroup = toDrain.filter((id) => membership.has(id));
  const toTerminate = inGroup.filter((id) => isLiveLifecycleState(membership.get(id)?.state ?? ''));
  // Leaving with a decrement: replaced on its rebalance recommendation (its replacement is already
  // running), or already drained for scale-in (surplus: relaunching it would undo the scale-in).
  // The decision must not count either as requested capacity.
  const replaced = new Set(toTerminate.filter((id) => ours.get(id)?.attributes[REBALANCE_ATTRIBUTE] !== undefined));
  const surplus = new Set(toTerminate.filter((id) => !replaced.has(id) && isScaleInDrain(ours.get(id) as Instance)));
  const decrement = new Set([...replaced, ...surplus]);
  // An instance replaced now stays a member (nothing terminates it yet): Auto Scaling launches no
  // replacement for it, so it is taken out of desired for the decision and its seat added back to
  // the action.
  // Seats in capacity units: each member counts its own weight toward desired capacity.
  const weight = memberWeights(view.groups);
  const seats = (ids: Iterable<string>, group: string): number => [...ids].filter((id) => membership.get(id)?.group === group).reduce((n, id) => n + weight(group, id), 0);
  const groups = view.groups.map((g) => {
    const n = seats(decrement, g.name) + seats(toReplace, g.name);
    return n === 0 ? g : { ...g, desired: Math.max(0, g.desired - n) };
  });
  const decided = decide({ now, instances: view.instances, groups, services: view.services, waiting: view.waiting, history: [], leaving, settings });
  const byName = new Map(view.groups.map((g) => [g.name, g]));
  const decision: Decision = {
    ...decided,
    scaleOut: decided.scaleOut.map((a) => {
      const g = byName.get(a.group);
      return { ...a, desired: Math.min(g?.max ?? Number.POSITIVE_INFINITY, a.desired + seats(toReplace, a.group)) };
    }),
  };
  const standalone = toDrain.filter((id) => !membership.has(id));
  log.info(config.dryRun ? 'dry run: interruption plan, nothing changed' : 'interruption plan', {
    draining: toDrain,
    replacing: toReplace,
    terminateWithoutDecrement: toTerminate.filter((id) => !decrement.has(id)),
    terminateWithDecrement: [...decrement],
    drainChecks: standalone,
    ...planOf(decision),
  });

  const terminated: string[] = [];
  if (!config.dryRun) {
    for (const id of toTerminate) {
      await attempts.run([id], `terminating ${id}`, async () => {
        let result = await autoScaling.terminateInstance(id, decrement.has(id));
        // At the group minimum Auto Scaling refuses the decrement: the instance still has to go.
        if (result === 'at-min') result = await autoScaling.terminateInstance(id, false);
        if (result === 'ok') terminated.push(id);
      });
    }
    for (const id of standalone) {
      const notice = notices.find((n) => n.instanceId === id);
      const startedAt = Math.min(now, notice?.time ?? now);
      const deadline = notice?.kind === 'spot-interruption' ? startedAt + SPOT_NOTICE_SECONDS * 1000 : startedAt + config.drainTimeoutSeconds * 1000;
      const check: DrainCheck = { kind: 'drain-check', instanceId: id, cause: notice?.kind === 'rebalance' ? 'rebalance' : 'interruption', startedAt, deadline };
      await attempts.run([id], `enqueueing the drain check of ${id}`, () => queue.enqueue(check, config.drainCheckSeconds));
    }
    await attempts.run(work, 'scaling out for the interrupted instances', async () => {
      await applyDecision(ctx, decision, view.instances, { scaleIn: false });
      // Marked after the scale-out: a failure in between launches a second replacement at worst
      // (surplus that scale-in removes), never none.
      const replacedArns = toReplace.map((id) => ours.get(id)?.arn).filter((a): a is string => a !== undefined);
      if (replacedArns.length > 0) await ecs.setAttribute(replacedArns, REBALANCE_ATTRIBUTE, new Date(now).toISOString());
    });
  }
  await publish([{ name: 'ScaleOutInstances', value: decision.scaleOut.reduce((n, a) => n + a.count, 0), unit: 'Count' }]);
  return { warnings, rebalances, drained: toDrain, replaced: toReplace, terminated, foreign, decision };
}

export const handler = lambdaEntry(handleInterruption, process.env, { name: 'interruption', requireDrainQueue: true, ports: awsPorts });
