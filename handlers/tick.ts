/**
 * The tick: every minute (EventBridge schedule), at once on `ECS Service Action`
 * `SERVICE_TASK_PLACEMENT_FAILURE` for this cluster, and at once on `ECS Task State Change` with
 * `lastStatus` PROVISIONING for this cluster (a task waiting for capacity: that tick reads the
 * waiting tasks, and so do the following ones while any is left; see `readForTick`). Reads the whole cluster, runs the core
 * decision, acts (grow groups; reactivate, drain or terminate scale-in instances) and publishes the
 * per-tick metrics together (one Embedded Metric Format line). Reserved concurrency 1 in the stack: ticks never overlap.
 *
 * Accepted: a scheduled event, a placement failure or a PROVISIONING task of this cluster, or an explicit direct
 * invocation `{ "action": "tick" }` (`serverless invoke`). Anything else — `null`, `[]`, `{}`, an
 * SQS envelope, another account's event — is logged once and dropped: the tick acts on nobody's
 * say-so but its schedule and ECS.
 */
import { decide, type Decision } from '../core/decide';
import { foreignAccount, parseEventBridge } from '../core/events';
import { tickMetrics } from '../core/metrics';
import { describeUnschedulable } from '../core/unschedulable';
import { applyDecision, decideSettings, planOf, readForTick, waitingMemo, type ClusterView, type ReadContext } from './app/act';
import type { HandlerContext } from './app/context';
import { reportDegraded } from './app/degraded';
import { reviveDrains } from './app/drain-revival';
import { awsPortsWith, ec2Catalog } from './aws/ports';
import { sqsQueue } from './aws/sqs';
import { reactivateWarmPoolReturns } from './app/warm-pool';
import { lambdaEntry } from './runtime';

export type TickResult =
  | { readonly status: 'dropped'; readonly reason: string }
  | { readonly status: 'planned' | 'acted'; readonly trigger: string; readonly decision: Decision };

/**
 * A PROVISIONING event within this many seconds of the last read of the waiting tasks does not
 * tick again: it marks the waiting tasks due, and the next tick (at the latest the schedule's)
 * reads them. Every task ECS starts passes through PROVISIONING, so a burst of RunTask calls sends
 * a burst of events; one listing serves them all.
 */
export const PROVISIONING_EVENT_DEBOUNCE_SECONDS = 10;

/** Why this invocation ticks (and whether it must read the waiting tasks), or why it is dropped. */
export function tickTrigger(event: unknown, clusterName: string, account?: string): { tick: true; trigger: string; waiting?: boolean } | { tick: false; reason: string } {
  if (typeof event === 'object' && event !== null && !Array.isArray(event) && Object.keys(event).length === 1 && (event as { action?: unknown }).action === 'tick') {
    return { tick: true, trigger: 'direct invocation' };
  }
  const hasEnvelope = typeof event === 'object' && event !== null && ('source' in event || 'detail-type' in event);
  if (!hasEnvelope) return { tick: false, reason: 'not a schedule, a placement failure or { "action": "tick" }' };
  const parsed = parseEventBridge(event);
  const foreign = foreignAccount(parsed, account);
  if (foreign !== undefined) return { tick: false, reason: foreign };
  switch (parsed.kind) {
    case 'schedule':
      return { tick: true, trigger: 'schedule' };
    case 'placement-failure':
      return parsed.clusterName === clusterName
        ? { tick: true, trigger: `placement failure (${parsed.reason ?? 'no reason given'})` }
        : { tick: false, reason: `placement failure of another cluster (${parsed.clusterName})` };
    case 'task-provisioning':
      return parsed.clusterName === clusterName
        ? { tick: true, trigger: 'task waiting for capacity (PROVISIONING)', waiting: true }
        : { tick: false, reason: `task state change of another cluster (${parsed.clusterName})` };
    case 'ignored':
    case 'malformed':
      return { tick: false, reason: parsed.reason };
    default:
      return { tick: false, reason: `${parsed.kind} events are not for the tick` };
  }
}

/**
 * Read the cluster once (`readForTick`) and decide, without acting: the tick acts on the result;
 * `npm run plan` prints it (the same decision from the same reads, through read-only ports).
 */
export async function decideTick(
  ctx: ReadContext & { readonly ports: { readonly now: () => number } },
  /** The tick's own step between reading and deciding (warm-pool returns set ACTIVE); the plan has none. */
  prepare: (view: ClusterView) => Promise<ClusterView> = async (v) => v,
  options: { readonly waiting?: boolean } = {},
): Promise<{ now: number; view: ClusterView; decision: Decision; reads: readonly string[] }> {
  const now = ctx.ports.now();
  const read = await readForTick(ctx, now, options);
  const view = await prepare(read.view);
  const { history } = read;
  // A failed optional read switches scale-in off for this tick (handlers/app/degraded.ts).
  const settings = decideSettings(ctx.config, read.scaleIn ? {} : { scaleInEnabled: false });
  const decision = decide({ now, instances: view.instances, groups: view.groups, services: view.services, waiting: view.waiting, history, settings });
  return { now, view, decision, reads: read.reads };
}

export async function handleTick(event: unknown, ctx: HandlerContext): Promise<TickResult> {
  const { config } = ctx;
  const { log, metrics } = ctx.ports;
  const trigger = tickTrigger(event, config.clusterName, config.account);
  if (!trigger.tick) {
    log.info('event dropped', { reason: trigger.reason });
    return { status: 'dropped', reason: trigger.reason };
  }
  if (trigger.waiting === true) {
    const memo = waitingMemo(ctx.ports);
    const since = memo.readAt !== undefined ? (ctx.ports.now() - memo.readAt) / 1000 : Infinity;
    if (since < PROVISIONING_EVENT_DEBOUNCE_SECONDS) {
      memo.due = true;
      const reason = `waiting tasks read ${Math.round(since)} s ago: the next tick reads them again`;
      log.info('event dropped', { reason });
      return { status: 'dropped', reason };
    }
    // Claimed before the first await: a burst of events finds this read under way.
    memo.readAt = ctx.ports.now();
  }
  const { now, view, decision, reads } = await decideTick(ctx, (v) => reactivateWarmPoolReturns(ctx, v), trigger.waiting === true ? { waiting: true } : {});
  log.info(config.dryRun ? 'dry run: tick plan, nothing changed' : 'tick plan', { trigger: trigger.trigger, ...(reads.length > 0 ? { taskReads: reads } : {}), ...planOf(decision) });
  if (decision.unschedulable.length > 0) log.warn('unschedulable tasks: no capacity group can ever hold them (not counted as shortage)', { count: decision.unschedulable.length, reasons: describeUnschedulable(decision.unschedulable) });
  const failed = config.dryRun ? [] : await applyDecision(ctx, decision, view.instances, { scaleIn: true });
  // Drains whose chain of checks died in an outage get a new one (handlers/app/drain-revival.ts).
  const revived = await reviveDrains(ctx, view);
  // A PROVISIONING-event tick does not add a headroom sample: the scale-in stabilisation window
  // takes the minimum per minute of `SchedulableTasks`, and these ticks run exactly when jobs arrive
  // (headroom at its lowest), as often as jobs arrive; the window must test headroom over time at
  // the schedule's even rate, not the job rate.
  const permanent = failed.filter((f) => f.category === 'permanent').length;
  const datums = [...tickMetrics(decision), ...reportDegraded(log, view.degraded), ...revived, ...(permanent > 0 ? [{ name: 'PermanentFailures' as const, value: permanent, unit: 'Count' as const }] : [])];
  await metrics.publish(trigger.waiting === true ? datums.filter((d) => d.name !== 'SchedulableTasks') : datums, now);
  return { status: config.dryRun ? 'planned' : 'acted', trigger: trigger.trigger, decision };
}

export const handler = lambdaEntry(handleTick, process.env, { name: 'tick', ports: awsPortsWith({ queue: sqsQueue, catalog: ec2Catalog }) });
