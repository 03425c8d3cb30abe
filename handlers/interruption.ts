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
 * `RebalanceRecommendations`; `move` (the default) launches the replacement and drains the instance for scale-in
 * once its service tasks fit elsewhere (now, or by a tick once the replacement registered: launch
 * before drain); standalone tasks are stopped only by a warning, so a false alarm restarts no job; `replace` launches the replacement at once without draining
 * (the decision treats the instance as gone, and the instance is marked `headroom.rebalance` so a
 * repeated recommendation launches nothing more, and its interruption warning later terminates it
 * with a decrement: the replacement is already there); `drain` treats them like interruption
 * warnings. A warning for an instance no longer registered costs one lookup and nothing else.
 */
import { INTERRUPTED_ATTRIBUTE, REBALANCE_ATTRIBUTE, type Instance } from '../core/cluster';
import { decide, type Decision } from '../core/decide';
import { DRAIN_CHAIN_ATTRIBUTE } from '../core/drain-chain';
import { foreignAccount, isSqsEnvelope, parseEventBridge, type ParsedEvent } from '../core/events';
import { drainCheckWindow, noticeTargets, seatPlan, withReplacedSeats, SPOT_NOTICE_SECONDS, type InterruptionNotice, type Membership, type NoticeTargets, type SeatPlan } from '../core/interruption';
import type { MetricDatum } from '../core/metrics';
import { applyDecision, decideSettings, planOf, readCluster, type ClusterView } from './app/act';
import { moveRecommended } from './app/rebalance-move';
import { BatchFailures } from './app/batch';
import type { HandlerContext } from './app/context';
import { reportDegraded } from './app/degraded';
import { newChainId, writeMarks } from './app/drain-chain';
import { stopTasksLogged } from './app/drain-step';
import type { DrainCheck } from './app/ports';
import { awsPorts } from './aws/ports';
import { lambdaEntry } from './runtime';

export { SPOT_NOTICE_SECONDS };

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

interface Notice extends InterruptionNotice {
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
 * Per-instance failures over the batch collector (handlers/app/batch.ts): an error marks the records
 * of the instances it concerns, so one failing instance does not fail the others' records. A
 * transient error comes back after the queue's visibility timeout, within the Spot notice; a
 * permanent one (AccessDenied terminating one instance) fails its record alone until it reaches
 * the dead-letter queue, with an error log and `PermanentFailures` (alarmed).
 */
class Attempts {
  readonly failures: BatchFailures;
  constructor(
    log: HandlerContext['ports']['log'],
    private readonly recordsOf: (ids: readonly string[]) => string[],
  ) {
    this.failures = new BatchFailures(log);
  }

  run<T>(ids: readonly string[], what: string, fn: () => Promise<T>): Promise<T | undefined> {
    return this.failures.attempt(this.recordsOf(ids), what, fn, { instances: ids });
  }
}

export async function handleInterruption(event: unknown, ctx: HandlerContext): Promise<InterruptionResult> {
  const { notices, dropped, sqs } = collect(event, ctx.config.account);
  for (const d of dropped) ctx.ports.log.info('event dropped', d);
  const recordsOf = (ids: readonly string[]): string[] => [...new Set(notices.filter((n) => ids.includes(n.instanceId) && n.record !== undefined).map((n) => n.record as string))];
  const attempts = new Attempts(ctx.ports.log, recordsOf);
  const result = await interrupt(notices, ctx, attempts);
  if (sqs) return { ...result, batchItemFailures: attempts.failures.response() };
  // Invoked directly (EventBridge): throw so the platform retries; the work is idempotent.
  const failed = attempts.failures.permanentError ?? attempts.failures.transient;
  if (failed !== undefined) throw failed;
  return result;
}

function logPlan(ctx: HandlerContext, { drain, replace }: Pick<NoticeTargets, 'drain' | 'replace'>, seats: SeatPlan, decision: Decision): void {
  ctx.ports.log.info(ctx.config.dryRun ? 'dry run: interruption plan, nothing changed' : 'interruption plan', {
    draining: drain,
    replacing: replace,
    terminateWithoutDecrement: seats.terminate.filter((id) => !seats.decrement.has(id)),
    terminateWithDecrement: [...seats.decrement],
    drainChecks: seats.drainChecks,
    ...planOf(decision),
  });
}

async function interrupt(notices: readonly Notice[], ctx: HandlerContext, attempts: Attempts): Promise<InterruptionResult> {
  const { config } = ctx;
  const { ecs, metrics, log } = ctx.ports;
  const empty: InterruptionResult = { warnings: [], rebalances: [], drained: [], terminated: [], foreign: [] };
  if (notices.length === 0) return empty;

  const now = ctx.ports.now();
  const ids = [...new Set(notices.map((n) => n.instanceId))];
  const found = await attempts.run(ids, 'reading the interrupted instances', () => ecs.findInstances(ids));
  if (found === undefined) return empty;
  const ours = new Map(found.map((i) => [i.id, i]));
  const foreign = ids.filter((id) => !ours.has(id));
  if (foreign.length > 0) log.info('interruption notices for instances not in this cluster dropped', { instances: foreign, messageIds: notices.filter((n) => foreign.includes(n.instanceId) && n.record !== undefined).map((n) => n.record) });

  const targets = noticeTargets(notices, ours, config.rebalancePolicy);
  const { warnings, rebalances, drain, replace } = targets;
  const datums: MetricDatum[] = [];
  if (warnings.length > 0) datums.push({ name: 'InterruptionWarnings', value: warnings.length, unit: 'Count' });
  if (rebalances.length > 0) datums.push({ name: 'RebalanceRecommendations', value: rebalances.length, unit: 'Count' });
  const publish = async (extra: readonly MetricDatum[] = []): Promise<void> => {
    try {
      await metrics.publish([...datums, ...extra, ...attempts.failures.metrics()], now);
    } catch (error) {
      log.error('publishing interruption metrics failed', { error: String(error) });
    }
  };
  if (drain.length === 0 && replace.length === 0) {
    if (rebalances.length > 0) log.info(`rebalance recommendations counted, not drained (REBALANCE_POLICY=${config.rebalancePolicy})`, { instances: rebalances });
    await publish();
    return { ...empty, warnings, rebalances, replaced: [], foreign };
  }

  if (!config.dryRun) await drainAtOnce(ctx, attempts, targets, ours, now);

  // 2. One decision for the whole batch (one cluster read, without re-reading the warned instances'
  // tasks), as if the instances were already gone.
  const work = [...drain, ...replace];
  const leaving = new Set(work);
  const settings = decideSettings(config, { scaleInEnabled: false });
  const read = await attempts.run(work, 'reading the cluster', () => readCluster(ctx, { now, history: [], leaving, settings }, { known: found }));
  if (read === undefined) {
    await publish();
    return { ...empty, warnings, rebalances, drained: drain, foreign };
  }
  const { view } = read;
  datums.push(...reportDegraded(log, view.degraded));
  const { membership } = view;
  const seats = seatPlan(targets, ours, membership, view.groups);
  const decided = decide({ now, instances: view.instances, groups: seats.groups, services: view.services, waiting: view.waiting, history: [], leaving, settings });
  const decision = withReplacedSeats(decided, replace, membership, view.groups);
  logPlan(ctx, targets, seats, decision);

  const terminated = config.dryRun ? [] : await actOnSeats(ctx, attempts, { notices, seats, decision, view, work, replace, ours, now });
  await publish([{ name: 'ScaleOutInstances', value: decision.scaleOut.reduce((n, a) => n + a.count, 0), unit: 'Count' }]);
  return { warnings, rebalances, drained: drain, replaced: replace, terminated, foreign, decision };
}

/**
 * Step 1, before any other read: DRAINING (ECS starts moving tasks now). Beside it, the instances
 * that will be terminated without a decrement are marked interrupted, so a tick that reads them
 * before the termination counts their seats as the replacements Auto Scaling will launch. The mark
 * is an optimisation: failing to set it is logged, not retried.
 *
 * Standalone (RunTask) tasks are not moved by DRAINING: with STANDALONE_TASK_POLICY=stop they get a
 * graceful stop (SIGTERM, then SIGKILL after the container's stopTimeout) now, within the
 * two-minute notice, rather than at DRAIN_TIMEOUT_SECONDS when the instance is long gone.
 */
async function drainAtOnce(ctx: HandlerContext, attempts: Attempts, targets: NoticeTargets, ours: ReadonlyMap<string, Instance>, now: number): Promise<void> {
  const { ecs, log } = ctx.ports;
  const arnsOf = (ids: readonly string[]): string[] => ids.map((id) => ours.get(id)?.arn).filter((a): a is string => a !== undefined);
  const mark = async (): Promise<void> => {
    const marked = arnsOf(targets.mark);
    if (marked.length === 0) return;
    try {
      await ecs.setAttribute(marked, INTERRUPTED_ATTRIBUTE, new Date(now).toISOString());
    } catch (error) {
      log.warn('marking interrupted instances failed; a tick may launch for their tasks before they terminate', { error: String(error) });
    }
  };
  await Promise.all([attempts.run(targets.drain, 'setting interrupted instances DRAINING', () => ecs.setStatus(arnsOf(targets.drain), 'DRAINING')), mark()]);
  const stop = targets.standaloneTasks;
  if (ctx.config.standaloneTaskPolicy === 'stop' && stop.length > 0) {
    const owners = [...new Set(stop.map((t) => t.instance))];
    await attempts.run(owners, 'stopping standalone tasks of interrupted instances', () => stopTasksLogged(ctx, stop.map((t) => t.task), 'Headroom: Spot interruption warning', { instances: owners }));
  }
}

/**
 * Step 3: terminate the members (with a decrement when they give their seat up), give each drained
 * instance in no configured group a drain check of its own, scale out, and mark the instances
 * replaced now. Returns the instances terminated.
 */
async function actOnSeats(
  ctx: HandlerContext,
  attempts: Attempts,
  a: { readonly notices: readonly Notice[]; readonly seats: SeatPlan; readonly decision: Decision; readonly view: ClusterView; readonly work: readonly string[]; readonly replace: readonly string[]; readonly ours: ReadonlyMap<string, Instance>; readonly now: number },
): Promise<string[]> {
  const { ecs, autoScaling, queue } = ctx.ports;
  const terminated: string[] = [];
  for (const id of a.seats.terminate) {
    await attempts.run([id], `terminating ${id}`, async () => {
      let result = await autoScaling.terminateInstance(id, a.seats.decrement.has(id));
      // At the group minimum Auto Scaling refuses the decrement: the instance still has to go.
      if (result === 'at-min') result = await autoScaling.terminateInstance(id, false);
      if (result === 'ok') terminated.push(id);
    });
  }
  for (const id of a.seats.drainChecks) {
    // A retried batch (some other step failed) must not start a second chain of checks: the chain
    // id goes on the instance once its first check is sent, and an instance carrying one is skipped.
    const instance = a.ours.get(id);
    if (instance?.attributes[DRAIN_CHAIN_ATTRIBUTE] !== undefined) {
      ctx.ports.log.info('drain check already sent; not sending a second one', { instanceId: id, chain: instance.attributes[DRAIN_CHAIN_ATTRIBUTE] });
      continue;
    }
    const window = drainCheckWindow(a.notices.find((n) => n.instanceId === id), a.now, ctx.config.drainTimeoutSeconds);
    const chain = newChainId(window.startedAt);
    const check: DrainCheck = { kind: 'drain-check', instanceId: id, ...window, chain };
    await attempts.run([id], `enqueueing the drain check of ${id}`, async () => {
      await queue.enqueue(check, ctx.config.drainCheckSeconds);
      if (instance?.arn === undefined) return;
      // The check carries the chain either way: an instance without it never judges the check stale.
      let failed: string | undefined;
      try {
        if ((await writeMarks(ctx, instance.arn, { chain })).chain === undefined) failed = 'ECS refused the attribute (at most 10 custom attributes per container instance)';
      } catch (error) {
        failed = String(error);
      }
      if (failed !== undefined) ctx.ports.log.warn('marking the drain chain failed; a retried batch may send a second check', { instanceId: id, error: failed });
    });
  }
  await attempts.run(a.work, 'scaling out for the interrupted instances', async () => {
    await applyDecision(ctx, a.decision, a.view.instances, { scaleIn: false });
    // Marked after the scale-out: a failure in between launches a second replacement at worst
    // (surplus that scale-in removes), never none.
    const replacedArns = a.replace.map((id) => a.ours.get(id)?.arn).filter((arn): arn is string => arn !== undefined);
    if (replacedArns.length > 0) await ecs.setAttribute(replacedArns, REBALANCE_ATTRIBUTE, new Date(a.now).toISOString());
    // REBALANCE_POLICY=move: drained for scale-in once their service tasks fit elsewhere.
    if (ctx.config.rebalancePolicy === 'move' && replacedArns.length > 0) {
      const recommended = a.replace.map((id) => a.ours.get(id)).filter((i): i is Instance => i !== undefined);
      await moveRecommended(ctx, a.view, recommended, new Set(a.work.filter((id) => !a.replace.includes(id))), a.now);
    }
  });
  return terminated;
}


export const handler = lambdaEntry(handleInterruption, process.env, { name: 'interruption', requireDrainQueue: true, ports: awsPorts });
