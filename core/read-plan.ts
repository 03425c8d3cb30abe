/**
 * What a tick must read before it decides, and the basis the decision stands on: the reference
 * shape, whether the cluster is idle, and the spare thresholds. One function serves both callers:
 * `decide` takes its basis from `tickBasis`, and the handler asks `readPlan` which instances' tasks
 * the decision still lacks (handlers/app/act.ts), so the two can never disagree about the shape or
 * the thresholds.
 *
 * Why a plan at all: reading every instance's tasks costs ListTasks and DescribeTasks calls on
 * every tick, and a steady cluster's decision needs none of them. Tasks matter to the decision in
 * six places, and the plan asks for exactly those:
 * - instances that are not schedulable or are leaving: their service tasks are demand, and a
 *   scale-in drain is terminated only once known to be empty;
 * - scale-in: considered only when headroom has held above the excess threshold for the window,
 *   which needs no task to tell; then every instance's tasks (candidates must be known);
 * - the idle rule (`isIdleCluster`): a cluster with no work keeps no spare, so both thresholds
 *   are 0. Whether it has no work only its tasks tell (a standalone task is work no service
 *   counts), so while no service wants a task, nothing waits and every task read so far leaves it
 *   possibly idle, every task is read: a min-0 cluster whose empty instance holds exactly
 *   `EXCESS_THRESHOLD` reference tasks would otherwise never read its tasks and never reach zero.
 *   Such clusters hold only standalone work or none; their unchanged instances cost no call (the
 *   adapter lists an instance's tasks again only when its version changed);
 * - the `auto` reference shape when no service wants a task: it is the median of the live tasks,
 *   so all of them;
 * - the storm reserve (`SPOT_RESERVE_INSTANCES` = k): the k Spot instances fullest by their service
 *   tasks. An unread instance can be no fuller than its reserved resources say, so the plan reads
 *   the fullest by reservation first (k + 2 of them: daemon and standalone tasks make reservation an
 *   over-estimate), then any unread one whose reservation reaches the k-th fullest read; and every
 *   one with a rebalance recommendation (insured first);
 * - fallback capacity (`revert.ts`): instances of a group above its min that a cheaper group can
 *   replace now are given back without waiting for the excess window, so their tasks are read.
 * - rebalance moves (`rebalance-move.ts`, `REBALANCE_POLICY=move`): an instance with a rebalance
 *   recommendation waits ACTIVE until its service tasks fit elsewhere, which only they tell.
 * A plan can widen once tasks are read (tasks that make the cluster busy, or Spot instances fuller
 * than those read): the handler asks again until nothing is lacking. O(instances + services +
 * history) per call.
 *
 * Not read for (a known limit): the bin of an unread instance does not know its `awsvpc` tasks
 * (free network interfaces) nor its `distinctInstance` task groups, so packing may count room there
 * that ECS will refuse. Reading every task for that would cost every steady tick its savings; a
 * refused placement leaves the task unplaced, which the next tick sees as demand.
 */
import type { Instance, Resources } from './cluster';
import { isIdleCluster, isSchedulable, tasksKnown } from './cluster';
import type { DecideInput } from './decide';
import { headroom, referenceShape, referenceShapeReadsTasks } from './headroom';
import { byLoad, displacedLoad, exposure, reserveCandidates } from './reserve';
import { awaitingMove } from './rebalance-move';
import { cheaperGroups } from './revert';
import { scaleInWindow } from './scale-in';
import { isLeaving } from './incoming';
import { spareThresholds, workInReferenceTasks, type Thresholds } from './spare';
import { reservedShare } from './task-size';

/** What the whole decision stands on, given what has been read. */
export interface TickBasis {
  readonly shape: Resources;
  /** No work at all (`isIdleCluster`): no spare is kept, both thresholds count as 0. */
  readonly idle: boolean;
  readonly thresholds: Thresholds;
  /** The instances, those in `leaving` marked terminating. */
  readonly visible: readonly Instance[];
}

/** The basis of a decision: the shape (capped to the groups' instances) and the thresholds. */
export function tickBasis(input: DecideInput): TickBasis {
  const { settings } = input;
  const idle = settings.shortageThreshold > 0 && isIdleCluster(input.services, input.instances, input.waiting);
  const shape = referenceShape(settings.taskShape, input.services, input.instances, input.groups);
  const visible = input.leaving === undefined ? input.instances : input.instances.map((i) => (input.leaving?.has(i.id) === true ? { ...i, terminating: true } : i));
  const thresholds = idle ? { shortage: 0, excess: 0 } : spareThresholds(settings, workInReferenceTasks(shape, visible, input.services, input.waiting));
  return { shape, idle, thresholds, visible };
}

export interface ReadPlan extends TickBasis {
  /** Reference tasks that fit on the schedulable instances now. */
  readonly headroom: number;
  /**
   * Headroom under the configured shortage threshold: the tick lists the tasks waiting with no
   * instance. The configured threshold, not the spare-capped one: waiting tasks are work, and once
   * counted they can raise the spare back to it.
   */
  readonly short: boolean;
  /** Scale-in may be considered: excess held for the window under the lowest threshold still possible. */
  readonly scaleIn: boolean;
  /** Instances whose tasks the decision needs and that were not read yet (empty: read enough). */
  readonly tasks: ReadonlySet<string>;
  /** Why each kind of read is wanted (the tick logs them as `taskReads`). */
  readonly reasons: readonly string[];
}

/**
 * The read plan for a tick, from what has been read so far (`input.instances` with the tasks read,
 * `input.waiting` as listed, `[]` when not). Pure; see the file comment for the rules.
 */
export function readPlan(input: DecideInput): ReadPlan {
  const basis = tickBasis(input);
  const { settings } = input;
  const unread = input.instances.filter((i) => !tasksKnown(i));
  const current = headroom(basis.shape, basis.visible).total;
  const reasons: string[] = [];
  const wanted = new Set<string>();
  const want = (ids: Iterable<string>, why: string): void => {
    const before = wanted.size;
    for (const id of ids) wanted.add(id);
    if (wanted.size > before) reasons.push(why);
  };
  want(unread.filter((i) => !isSchedulable(i) || isLeaving(i, input.leaving)).map((i) => i.id), 'instances leaving or not schedulable: their tasks are demand or keep a drain open');

  // Idle or not, only the tasks tell (standalone tasks are work no service counts): while every
  // task read so far leaves the cluster possibly idle, all are read, and the thresholds are then known.
  const mayBeIdle = settings.shortageThreshold > 0 && isIdleCluster(input.services, input.instances.filter(tasksKnown), input.waiting);
  if (mayBeIdle && !basis.idle) want(unread.map((i) => i.id), 'no service wants a task and nothing waits: the cluster may be idle (no spare kept), which only its tasks tell');
  const scaleIn = settings.scaleInEnabled && scaleInWindow({ now: input.now, headroom: current, history: input.history, excessThreshold: basis.thresholds.excess, stabilizationSeconds: settings.scaleInStabilizationSeconds }).held;
  if (scaleIn) want(unread.map((i) => i.id), `scale-in considered: headroom ${current} held above ${basis.thresholds.excess} for the window`);
  if (referenceShapeReadsTasks(settings.taskShape, input.services)) want(unread.map((i) => i.id), 'no service wants a task: the reference shape is the median of the live tasks');
  want(reserveReads(input), 'the storm reserve: Spot instances that may be among the fullest');
  if (settings.scaleInEnabled) want(fallbackReads(input, unread), 'fallback capacity a cheaper group can take back: its instances may be drained without waiting for excess');
  if (settings.rebalancePolicy === 'move') want(awaitingMove(unread, input.leaving).map((i) => i.id), 'instances awaiting their rebalance move: their service tasks need room, and they drain once those fit elsewhere');

  return { ...basis, headroom: current, short: current < settings.shortageThreshold, scaleIn, tasks: wanted, reasons };
}

/**
 * Unread Spot instances that may be among the k fullest by service tasks (`reserveVictims`, with
 * the same candidates `planScaleOut` ranks): while fewer than k are known, the k − known + 2
 * fullest by reservation; then every unread one whose reservation reaches the k-th known load.
 */
function reserveReads(input: DecideInput): string[] {
  const k = input.settings.spotReserveInstances;
  const spot = new Set(input.groups.filter((g) => g.spot === true).map((g) => g.name));
  if (k <= 0 || spot.size === 0) return [];
  const candidates = reserveCandidates(input.instances, spot, (i) => isLeaving(i, input.leaving) || !isSchedulable(i));
  const known: Array<{ key: string; load: number }> = [];
  const unread: Array<{ key: string; load: number }> = [];
  for (const i of candidates) {
    if (tasksKnown(i)) {
      const d = displacedLoad(i);
      if (d !== undefined) known.push({ key: i.id, load: d.load });
    } else {
      const bound = reservedShare(i.registered, i.remaining);
      if (bound > 0) unread.push({ key: i.id, load: bound });
    }
  }
  unread.sort(byLoad);
  // Instances with a rebalance recommendation are insured first whatever their load (`reserve.ts`).
  const atRisk = candidates.filter((i) => !tasksKnown(i) && exposure(i) === 0).map((i) => i.id);
  if (known.length < k) return [...atRisk, ...unread.slice(0, k - known.length + 2).map((u) => u.key)];
  const kth = (known.sort(byLoad)[k - 1] as { key: string; load: number }).load;
  return [...atRisk, ...unread.filter((u) => u.load >= kth).map((u) => u.key)];
}

/**
 * Unread schedulable instances of groups above their min that a cheaper group could replace now
 * (`revert.ts`): giving them back needs their tasks, and does not wait for the excess window.
 */
function fallbackReads(input: DecideInput, unread: readonly Instance[]): string[] {
  const cheaper = cheaperGroups(input.groups, input.now, input.settings.groupBackoffSeconds);
  const above = new Set(input.groups.filter((g) => g.desired > g.min && (cheaper.get(g.name)?.length ?? 0) > 0).map((g) => g.name));
  if (above.size === 0) return [];
  return unread.filter((i) => i.group !== undefined && above.has(i.group) && isSchedulable(i) && !isLeaving(i, input.leaving)).map((i) => i.id);
}
