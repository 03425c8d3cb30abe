/**
 * Consolidation of instances that run long standalone tasks. DRAINING does not stop standalone
 * (RunTask) tasks (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html),
 * so a scale-in drain of an instance whose job has days left holds a whole instance idle for days,
 * and a shortage that reactivates it, followed by the next scale-in, flips it between ACTIVE and
 * DRAINING for as long as the job runs. Two rules, one setting (`SCALE_IN_WAIT_SECONDS` = w):
 * - bound: a scale-in drain still holding standalone tasks w after it started returns to service
 *   (it is capacity the cluster pays for anyway);
 * - hysteresis: an instance returned to service (by this rule or by a shortage) carries
 *   `REACTIVATED_ATTRIBUTE` and is not drained for scale-in again within w, nor afterwards while it
 *   runs standalone tasks: a second drain would wait on jobs again (the same ones, or new ones it
 *   took while ACTIVE; ECS does not tell which without more calls), and while it waits the cluster
 *   pays for an instance that takes no new work. A time-only hold (w) let such an instance flip
 *   every 2w for as long as its jobs ran: 34 returns in three days on a real-time replay of the
 *   openb trace (docs/decisions.md).
 * The standalone hold lasts only while the jobs that ran at its return (or were taken since, with
 * no moment without one) still run: once the instance is read, past w, running no standalone task,
 * its mark is cleared (`returnsOver`), so a job it takes weeks later does not exempt it from
 * scale-in. Before, the mark was never removed and one return held the instance whenever it ran
 * any job, for the rest of its life.
 * So such an instance is drained at most once while its jobs run, and changes state at most twice
 * per w otherwise.
 */
import type { Instance } from './cluster';
import { isScaleInDrain, isSchedulable, REACTIVATED_ATTRIBUTE, REBALANCE_ATTRIBUTE, SCALE_IN_ATTRIBUTE, tasksKnown, workloadOf } from './cluster';

export function markedAt(i: Instance, attribute: string): number | undefined {
  const v = i.attributes[attribute];
  const t = v === undefined ? Number.NaN : Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/** Scale-in drains that have waited w or longer and still hold standalone tasks: they return to service. */
export function overdueDrains(instances: readonly Instance[], now: number, waitSeconds: number): Instance[] {
  return instances.filter((i) => {
    if (!isScaleInDrain(i) || i.terminating === true || !tasksKnown(i) || workloadOf(i).standalone === 0) return false;
    const since = markedAt(i, SCALE_IN_ATTRIBUTE);
    return since !== undefined && now - since >= waitSeconds * 1000;
  });
}

/**
 * Returned to service less than w ago, or returned to service at all and running standalone tasks
 * (tasks read): not a scale-in candidate (see the file comment).
 */
export function heldAfterReturn(i: Instance, now: number, waitSeconds: number): boolean {
  const at = markedAt(i, REACTIVATED_ATTRIBUTE);
  if (at === undefined) return false;
  return now - at < waitSeconds * 1000 || (tasksKnown(i) && workloadOf(i).standalone > 0);
}

/**
 * Returned to service w or longer ago, schedulable, tasks read, and running no standalone task:
 * the hold is over, and the mark is cleared so a later job does not renew it (see the file
 * comment). Kept while a rebalance recommendation older than the return still stands: there the
 * mark says the move already happened (`rebalance-move.ts` `awaitingMove`), and clearing it would
 * drain the instance for the move again.
 */
export function returnsOver(instances: readonly Instance[], now: number, waitSeconds: number): Instance[] {
  return instances.filter((i) => {
    const at = markedAt(i, REACTIVATED_ATTRIBUTE);
    if (i.attributes[REACTIVATED_ATTRIBUTE] === undefined || !isSchedulable(i) || !tasksKnown(i) || workloadOf(i).standalone > 0) return false;
    // An unreadable mark holds nothing (`heldAfterReturn`): clear it too.
    if (at !== undefined && now - at < waitSeconds * 1000) return false;
    const recommended = markedAt(i, REBALANCE_ATTRIBUTE);
    return recommended === undefined || at === undefined || at < recommended;
  });
}
