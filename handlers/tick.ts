/**
 * The tick: every minute (EventBridge schedule) and at once on `ECS Service Action`
 * `SERVICE_TASK_PLACEMENT_FAILURE` for this cluster. Reads the whole cluster, runs the core
 * decision, acts (grow groups; reactivate, drain or terminate scale-in instances) and publishes the
 * per-tick metrics together (one Embedded Metric Format line). Reserved concurrency 1 in the stack: ticks never overlap.
 *
 * Accepted: a scheduled event, a placement failure of this cluster, or an explicit direct
 * invocation `{ "action": "tick" }` (`serverless invoke`). Anything else — `null`, `[]`, `{}`, an
 * SQS envelope, another account's event — is logged once and dropped: the tick acts on nobody's
 * say-so but its schedule and ECS.
 */
import { decide, type Decision } from '../core/decide';
import { foreignAccount, parseEventBridge } from '../core/events';
import { tickMetrics } from '../core/metrics';
import { describeUnschedulable } from '../core/unschedulable';
import { applyDecision, decideSettings, planOf, readForTick, type ClusterView, type ReadContext } from './act';
import type { HandlerContext } from './context';
import { awsPortsWith, ec2Catalog } from './aws/ports';
import { noQueue } from './aws/sqs';
import { reactivateWarmPoolReturns } from './warm-pool';
import { lambdaEntry } from './runtime';

export type TickResult =
  | { readonly status: 'dropped'; readonly reason: string }
  | { readonly status: 'planned' | 'acted'; readonly trigger: string; readonly decision: Decision };

/** Why this invocation ticks, or why it is dropped. */
export function tickTrigger(event: unknown, clusterName: string, account?: string): { tick: true; trigger: string } | { tick: false; reason: string } {
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
): Promise<{ now: number; view: ClusterView; decision: Decision }> {
  const now = ctx.ports.now();
  const read = await readForTick(ctx, now);
  const view = await prepare(read.view);
  const { history } = read;
  const decision = decide({ now, instances: view.instances, groups: view.groups, services: view.services, waiting: view.waiting, history, settings: decideSettings(ctx.config) });
  return { now, view, decision };
}

export async function handleTick(event: unknown, ctx: HandlerContext): Promise<TickResult> {
  const { config } = ctx;
  const { log, metrics } = ctx.ports;
  const trigger = tickTrigger(event, config.clusterName, config.account);
  if (!trigger.tick) {
    log.info('event dropped', { reason: trigger.reason });
    return { status: 'dropped', reason: trigger.reason };
  }
  const { now, view, decision } = await decideTick(ctx, (v) => reactivateWarmPoolReturns(ctx, v));
  log.info(config.dryRun ? 'dry run: tick plan, nothing changed' : 'tick plan', { trigger: trigger.trigger, ...planOf(decision) });
  if (decision.unschedulable.length > 0) log.warn('unschedulable tasks: no capacity group can ever hold them (not counted as shortage)', { count: decision.unschedulable.length, reasons: describeUnschedulable(decision.unschedulable) });
  if (!config.dryRun) await applyDecision(ctx, decision, view.instances, { scaleIn: true });
  await metrics.publish(tickMetrics(decision), now);
  return { status: config.dryRun ? 'planned' : 'acted', trigger: trigger.trigger, decision };
}

export const handler = lambdaEntry(handleTick, process.env, { name: 'tick', ports: awsPortsWith({ queue: () => noQueue, catalog: ec2Catalog }) });
