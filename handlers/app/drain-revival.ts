/**
 * The tick revives drains whose chain of checks is gone. A chain dies when its last check keeps
 * failing through every redelivery the drain queue allows (an outage longer than
 * core/redelivery.ts REDELIVERY_SECONDS) and lands in the dead-letter queue; nothing else would
 * send the next check, and the lifecycle action would later expire with tasks still running. Any
 * member in `Terminating:Wait` whose chain has not stepped for longer than a live chain can
 * (core/drain-chain.ts `drainsToRevive`) gets a new chain and a check sent now: it heartbeats the
 * hook at once (its expiry is unknown) and keeps the drain's original deadline when the old chain
 * recorded its start. A live chain revived by mistake is harmless: its checks become stale.
 *
 * The check carries only the marks ECS accepted (`writeMarks`, as the lifecycle handler's first
 * check). Without its step mark the instance still looks silent to the next tick, which would send
 * another check every minute; so a revival whose step mark ECS refused (the instance holds its 10
 * custom attributes) is logged once and remembered by this container, keyed by the step mark the
 * instance held, and not repeated while the instance holds the same one. A cold start forgets it:
 * at most one more revival per container.
 */
import { DRAIN_STEP_ATTRIBUTE, drainsToRevive, type LeavingMember, type Revival } from '../../core/drain-chain';
import type { MetricDatum } from '../../core/metrics';
import { chainSilentSeconds } from '../../core/redelivery';
import type { ClusterView } from './act';
import type { HandlerContext } from './context';
import { newChainId, newStepToken, writeMarks, type DrainMarks } from './drain-chain';
import type { DrainCheck } from './ports';

/** Per container (keyed by its ports): instance id → the step mark it held when ECS refused a revival's. */
const unmarkedRevivals = new WeakMap<object, Map<string, string | undefined>>();

function unmarked(ports: object): Map<string, string | undefined> {
  let m = unmarkedRevivals.get(ports);
  if (m === undefined) {
    m = new Map();
    unmarkedRevivals.set(ports, m);
  }
  return m;
}

/** Revive the drains the view shows without a live chain; `DrainsRevived` when any was revived. */
export async function reviveDrains(ctx: HandlerContext, view: Pick<ClusterView, 'membership' | 'instances'>): Promise<MetricDatum[]> {
  const { config } = ctx;
  const { log } = ctx.ports;
  const now = ctx.ports.now();
  const byId = new Map(view.instances.map((i) => [i.id, i]));
  const members: LeavingMember[] = [...view.membership].map(([instanceId, m]) => {
    const i = byId.get(instanceId);
    return { instanceId, group: m.group, lifecycleState: m.lifecycleState, ...(i !== undefined ? { instance: i } : {}) };
  });
  const stepOf = (id: string): string | undefined => byId.get(id)?.attributes[DRAIN_STEP_ATTRIBUTE];
  const refused = unmarked(ctx.ports);
  const due = drainsToRevive(members, now, chainSilentSeconds(config.drainCheckSeconds));
  for (const id of refused.keys()) if (!due.some((r) => r.instanceId === id)) refused.delete(id);
  const revivals = due.filter((r) => !refused.has(r.instanceId) || refused.get(r.instanceId) !== stepOf(r.instanceId));
  if (revivals.length === 0) return [];
  if (config.dryRun) {
    log.info('dry run: would revive drains whose chain of checks is gone', { instances: revivals.map((r) => r.instanceId) });
    return [];
  }
  let revived = 0;
  for (const r of revivals) {
    try {
      const marks = await revive(ctx, r, now);
      revived++;
      if (marks.step !== undefined) log.warn('drain revived: its chain of checks was gone', { instanceId: r.instanceId, group: r.group, reason: r.reason });
      else {
        refused.set(r.instanceId, stepOf(r.instanceId));
        log.error('drain revived without its step mark (ECS refused it; at most 10 custom attributes per container instance): not revived again while its marks stay as they are', {
          instanceId: r.instanceId,
          group: r.group,
          reason: r.reason,
          chainMarked: marks.chain !== undefined,
        });
      }
    } catch (error) {
      log.error('reviving a drain failed; the next tick tries again', { instanceId: r.instanceId, error: String(error) });
    }
  }
  return revived > 0 ? [{ name: 'DrainsRevived', value: revived, unit: 'Count' }] : [];
}

/**
 * Send one revived drain's first check, carrying the marks ECS accepted (returned). Marks first
 * (the check must find them): the old chain's checks, if any still come back, are stale from now
 * on. Should the send fail, the step mark goes again so the next tick retries, and the error is thrown.
 */
async function revive(ctx: HandlerContext, r: Revival, now: number): Promise<DrainMarks> {
  const { config } = ctx;
  const startedAt = r.startedAt ?? now;
  const marks = await writeMarks(ctx, r.arn, { chain: newChainId(startedAt), step: newStepToken(now) });
  const check: DrainCheck = {
    kind: 'drain-check',
    instanceId: r.instanceId,
    cause: 'lifecycle',
    hook: { group: r.group, hookName: config.hookName, instanceId: r.instanceId },
    startedAt,
    deadline: startedAt + config.drainTimeoutSeconds * 1000,
    // Unknown: the first step heartbeats at once.
    hookExpiresAt: now,
    heartbeatSeconds: config.hookHeartbeatSeconds,
    ...marks,
  };
  try {
    await ctx.ports.queue.enqueue(check, 0);
  } catch (error) {
    if (marks.step !== undefined) await ctx.ports.ecs.setAttribute([r.arn], DRAIN_STEP_ATTRIBUTE, undefined).catch(() => undefined);
    throw error;
  }
  return marks;
}
