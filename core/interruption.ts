/**
 * The arithmetic of Spot interruption warnings and rebalance recommendations: which instances of
 * one batch of notices are drained, replaced, marked and terminated, how many seats (capacity
 * units) each group gives up for the decision, and what the scale-out must add back. Pure: the
 * interruption handler (handlers/interruption.ts) parses the events, reads the instances and the
 * cluster, calls these, and acts.
 *
 * Seats: an instance terminated without a decrement is replaced by Auto Scaling (its seat stays in
 * desired capacity and the decision counts it as capacity on its way); one terminated with a
 * decrement (replaced earlier on its rebalance recommendation, or surplus drained for scale-in)
 * gives its seat up, so the decision must not count it as requested capacity; one replaced now on
 * a recommendation stays a member that nothing terminates yet, so its seat is taken out of desired
 * for the decision and added back to the scale-out (Auto Scaling launches no replacement for it).
 * A seat is the member's weight in a mixed-instances group (desired capacity counts weight units).
 */
import type { CapacityGroup, Instance } from './cluster';
import { INTERRUPTED_ATTRIBUTE, REBALANCE_ATTRIBUTE, isScaleInDrain, liveWorkload } from './cluster';
import type { RebalancePolicy } from './config';
import type { Decision } from './decide';
import type { ScaleOut } from './scale-out';
import { memberWeights } from './zones';

export interface InterruptionNotice {
  readonly kind: 'spot-interruption' | 'rebalance';
  readonly instanceId: string;
  /** When EC2 sent it (epoch ms), when the event says. */
  readonly time?: number;
}

export interface NoticeTargets {
  /** Instances of this cluster with an interruption warning. */
  readonly warnings: readonly string[];
  /** Instances of this cluster with a rebalance recommendation. */
  readonly rebalances: readonly string[];
  /** Set DRAINING now: every warning, and recommendations under `REBALANCE_POLICY=drain`. */
  readonly drain: readonly string[];
  /** Replacement launched now (`REBALANCE_POLICY=replace` or `move`, not replaced or drained before). */
  readonly replace: readonly string[];
  /** Marked interrupted: drained instances Auto Scaling will replace (terminated without decrement). */
  readonly mark: readonly string[];
  /** Standalone tasks of warned instances, stopped gracefully under `STANDALONE_TASK_POLICY=stop`. */
  readonly standaloneTasks: ReadonlyArray<{ readonly instance: string; readonly task: string }>;
}

/** Whether an instance leaves with a decrement: replaced on its recommendation, or drained for scale-in. */
function leavesWithDecrement(i: Instance): boolean {
  return i.attributes[REBALANCE_ATTRIBUTE] !== undefined || isScaleInDrain(i);
}

/**
 * What one batch of notices asks for, given the instances of this cluster they name (`ours`,
 * tasks read). Notices for other instances are left out; repeated ones count once.
 */
export function noticeTargets(notices: readonly InterruptionNotice[], ours: ReadonlyMap<string, Instance>, policy: RebalancePolicy): NoticeTargets {
  const ids = (kind: InterruptionNotice['kind']): string[] => [...new Set(notices.filter((n) => n.kind === kind && ours.has(n.instanceId)).map((n) => n.instanceId))];
  const warnings = ids('spot-interruption');
  const rebalances = ids('rebalance');
  const drain = [...new Set([...warnings, ...(policy === 'drain' ? rebalances : [])])];
  // An instance already replaced (marked) costs nothing on a repeated recommendation. `move` replaces
  // as `replace` does, and the handler then drains the instance for scale-in (its service tasks move
  // now, its standalone tasks run on until they end or the interruption warning stops them).
  const replacing = policy === 'replace' || policy === 'move';
  const replace = replacing ? rebalances.filter((id) => !drain.includes(id) && ours.get(id)?.attributes[REBALANCE_ATTRIBUTE] === undefined && !isScaleInDrain(ours.get(id) as Instance)) : [];
  const mark = drain.filter((id) => {
    const i = ours.get(id) as Instance;
    return !leavesWithDecrement(i) && i.attributes[INTERRUPTED_ATTRIBUTE] === undefined;
  });
  const standaloneTasks = warnings.flatMap((id) =>
    liveWorkload(ours.get(id) as Instance)
      .filter((t) => t.role === 'standalone')
      .map((t) => ({ instance: id, task: t.id })),
  );
  return { warnings, rebalances, drain, replace, mark, standaloneTasks };
}

/** An instance's place in a configured group, as Auto Scaling lists it. */
export interface Membership {
  readonly group: string;
  /** In a live lifecycle state (`Pending*`, `InService`): Auto Scaling can still terminate it. */
  readonly live: boolean;
}

export interface SeatPlan {
  /** Drained members in a live lifecycle state: terminated now. */
  readonly terminate: readonly string[];
  /** Those of `terminate` that give their seat up (terminated with a decrement). */
  readonly decrement: ReadonlySet<string>;
  /** Drained instances in no configured group: each gets a drain check of its own. */
  readonly drainChecks: readonly string[];
  /** The groups as the decision must see them: desired without the seats given up or replaced now. */
  readonly groups: readonly CapacityGroup[];
}

/** Seats (capacity units) of `ids` in `group`. */
function seatsIn(ids: Iterable<string>, group: string, membership: ReadonlyMap<string, Membership>, weight: (group: string, id: string) => number): number {
  let n = 0;
  for (const id of ids) if (membership.get(id)?.group === group) n += weight(group, id);
  return n;
}

/** Who is terminated how, and the groups the decision sees (see the file comment). */
export function seatPlan(targets: Pick<NoticeTargets, 'drain' | 'replace'>, ours: ReadonlyMap<string, Instance>, membership: ReadonlyMap<string, Membership>, groups: readonly CapacityGroup[]): SeatPlan {
  const terminate = targets.drain.filter((id) => membership.get(id)?.live === true);
  const decrement = new Set(terminate.filter((id) => leavesWithDecrement(ours.get(id) as Instance)));
  const weight = memberWeights(groups);
  const seen = groups.map((g) => {
    const n = seatsIn(decrement, g.name, membership, weight) + seatsIn(targets.replace, g.name, membership, weight);
    return n === 0 ? g : { ...g, desired: Math.max(0, g.desired - n) };
  });
  return { terminate, decrement, drainChecks: targets.drain.filter((id) => !membership.has(id)), groups: seen };
}

/**
 * The decision with the seats of the instances replaced now added back to each scale-out (they
 * were taken out of desired for the decision), never above the group's max.
 */
export function withReplacedSeats(decision: Decision, replace: readonly string[], membership: ReadonlyMap<string, Membership>, groups: readonly CapacityGroup[]): Decision {
  return { ...decision, scaleOut: seatsAddedBack(decision.scaleOut, replace, membership, groups) };
}

/** Scale-out actions with the seats of `replace` (taken out of desired for the decision) added back, never above max. */
export function seatsAddedBack(actions: readonly ScaleOut[], replace: readonly string[], membership: ReadonlyMap<string, Membership>, groups: readonly CapacityGroup[]): ScaleOut[] {
  const weight = memberWeights(groups);
  const byName = new Map(groups.map((g) => [g.name, g]));
  return actions.map((a) => ({ ...a, desired: Math.min(byName.get(a.group)?.max ?? Number.POSITIVE_INFINITY, a.desired + seatsIn(replace, a.group, membership, weight)) }));
}

/** The two-minute Spot warning. */
export const SPOT_NOTICE_SECONDS = 120;

/**
 * The window of the drain check of an instance in no configured group: from the notice (never
 * later than now) to the end of the two-minute warning, or `DRAIN_TIMEOUT_SECONDS` after a
 * rebalance recommendation (which gives no deadline).
 */
export function drainCheckWindow(notice: InterruptionNotice | undefined, now: number, drainTimeoutSeconds: number): { readonly cause: 'interruption' | 'rebalance'; readonly startedAt: number; readonly deadline: number } {
  const startedAt = Math.min(now, notice?.time ?? now);
  const warning = notice?.kind === 'spot-interruption';
  return { cause: notice?.kind === 'rebalance' ? 'rebalance' : 'interruption', startedAt, deadline: startedAt + (warning ? SPOT_NOTICE_SECONDS : drainTimeoutSeconds) * 1000 };
}
