/**
 * One chain of drain checks per instance and lifecycle action, across invocations, and a way to
 * tell a chain that is gone (its checks dead-lettered in an outage) from one that is alive.
 *
 * Two ECS attributes on the container instance hold the state (ECS is the database, nothing of our
 * own):
 * - `headroom.drain-chain` = `<start, epoch s>-<random>`: set when a drain starts (lifecycle
 *   handler) or is revived (tick). Checks of another chain are stale. The start is readable back, so
 *   a revived drain keeps its original deadline.
 * - `headroom.drain-step` = `<time, epoch s>-<random>`: rewritten after every invocation that
 *   re-enqueues checks, with the token those checks carry; `done-<time>` once the drain ended. A
 *   check whose token is not the instance's is stale: when a duplicate delivery of one check runs in
 *   two invocations, both re-enqueue, the last write wins, and the other copy is dropped at its next
 *   step (the chains collapse after one step instead of forking). The time says when the chain last
 *   stepped: the tick revives a chain silent for longer than a live one can be (`chainSilentSeconds`).
 */
import type { InstanceStatus } from './cluster';

export const DRAIN_CHAIN_ATTRIBUTE = 'headroom.drain-chain';
export const DRAIN_STEP_ATTRIBUTE = 'headroom.drain-step';

/**
 * Chain ids and step tokens are both an epoch-seconds mark: `<time, epoch s>-<random hex>`, so the
 * time each records is readable back (a chain's start, a step's last write).
 */
function epochMark(at: number, random: string): string {
  return `${Math.floor(at / 1000)}-${random}`;
}

/** The time (epoch ms) an epoch mark records; undefined for values of another form. */
function markTime(mark: string | undefined): number | undefined {
  const m = /^(\d{9,11})-[0-9a-f]+$/.exec(mark ?? '');
  return m?.[1] !== undefined ? Number(m[1]) * 1000 : undefined;
}

/** A chain id starting at `startedAt` (epoch ms); `random`: a few hex digits from the caller. */
export function chainId(startedAt: number, random: string): string {
  return epochMark(startedAt, random);
}

/** The start (epoch ms) a chain id records; undefined for ids of another form. */
export function chainStart(chain: string | undefined): number | undefined {
  return markTime(chain);
}

/** A step token written at `now` (epoch ms). */
export function stepToken(now: number, random: string): string {
  return epochMark(now, random);
}

/** The marker of a drain that ended at `now`. */
export function doneToken(now: number): string {
  return `done-${Math.floor(now / 1000)}`;
}

/** When a step token was written (epoch ms), `done` for a finished drain, undefined when unreadable. */
export function stepTime(token: string | undefined): number | 'done' | undefined {
  if (token === undefined) return undefined;
  return token.startsWith('done-') ? 'done' : markTime(token);
}

/** What a check carries and what the instance says, for `staleReason`. */
export interface ChainState {
  readonly chain?: string | undefined;
  readonly step?: string | undefined;
}

/**
 * Why a check is not the instance's live chain (undefined: it is). A check or an instance without
 * a value is never judged by it (older checks, instances that could not be marked).
 */
export function staleReason(instanceId: string, check: ChainState, instance: ChainState): string | undefined {
  if (check.chain !== undefined && instance.chain !== undefined && check.chain !== instance.chain) return `stale drain check of ${instanceId} (chain ${check.chain}; the instance follows ${instance.chain})`;
  if (check.step !== undefined && instance.step !== undefined && check.step !== instance.step) {
    return stepTime(instance.step) === 'done' ? `drain check of ${instanceId} after its drain ended (${instance.step})` : `duplicate drain check of ${instanceId} (step ${check.step}; the instance is at ${instance.step})`;
  }
  return undefined;
}

/** An Auto Scaling member as the tick reads it, with its container instance when registered. */
export interface LeavingMember {
  readonly instanceId: string;
  readonly group: string;
  readonly lifecycleState: string;
  readonly instance?: { readonly status: InstanceStatus; readonly arn?: string; readonly attributes: Readonly<Record<string, string>> };
}

export interface Revival {
  readonly instanceId: string;
  readonly group: string;
  readonly arn: string;
  /** The drain's original start when the chain recorded it, else undefined (the revival starts it). */
  readonly startedAt?: number;
  readonly reason: string;
}

/**
 * Drains to revive: members held in `Terminating:Wait` (every configured group carries Headroom's
 * terminate hook, so such a member waits on it, unless Headroom already completed it: `done`)
 * whose container instance is still registered and whose chain has not stepped for
 * `silentSeconds` — longer than a live chain can go between steps — or never stepped at all (the
 * lifecycle event never reached Headroom).
 */
export function drainsToRevive(members: readonly LeavingMember[], now: number, silentSeconds: number): Revival[] {
  const out: Revival[] = [];
  for (const m of members) {
    const i = m.instance;
    if (m.lifecycleState !== 'Terminating:Wait' || i === undefined || i.arn === undefined || i.status === 'INACTIVE') continue;
    const stepped = stepTime(i.attributes[DRAIN_STEP_ATTRIBUTE]);
    if (stepped === 'done') continue;
    if (stepped !== undefined && now - stepped <= silentSeconds * 1000) continue;
    const startedAt = chainStart(i.attributes[DRAIN_CHAIN_ATTRIBUTE]);
    out.push({
      instanceId: m.instanceId,
      group: m.group,
      arn: i.arn,
      ...(startedAt !== undefined ? { startedAt } : {}),
      reason: stepped === undefined ? 'in Terminating:Wait with no drain chain' : `in Terminating:Wait, its drain chain silent for ${Math.round((now - stepped) / 1000)} s`,
    });
  }
  return out;
}
