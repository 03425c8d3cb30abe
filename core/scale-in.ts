/**
 * Scale-in (consolidation): which instances are provably surplus.
 *
 * Runs only after headroom has stayed above the excess threshold for the stabilisation window.
 * Candidates are schedulable instances of the configured groups: those of the lowest-priority
 * groups first (fallback capacity is given back first), then fewest non-daemon tasks, then lowest
 * utilisation. An instance running standalone (RunTask) tasks may be chosen: DRAINING
 * moves its service tasks and lets the standalone ones finish in place (ECS does not stop them,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html);
 * it is terminated only once empty and reactivated first on a shortage, so batch fleets consolidate
 * instead of keeping their peak for days. Removing a candidate is simulated: its service tasks are packed first-fit decreasing onto
 * the remaining instances (fullest first, to consolidate), and the removal is kept only if every
 * task fits and headroom afterwards is still ≥ the shortage threshold, so a scale-in can never
 * trigger a scale-out. Repeats up to the budget (`maxScaleInPercent` of schedulable instances, at
 * least one) and never takes a group below its min.
 *
 * Cost: each trial packs the candidate's k tasks in O(k·b) and updates headroom incrementally
 * (only touched bins are recounted); at most `budget·4 + 20` candidates are tried per tick, so a
 * tick is O((budget + 20)·k·b) in the worst case; a first-fit scan resumes where the last task of
 * the same shape went, so in the common case the moves of a whole tick cost O(budget·k + b).
 */
import type { CapacityGroup, Instance, TaskShape } from './cluster';
import { isScaleInDrain, isSchedulable, REBALANCE_ATTRIBUTE, tasksKnown, workloadOf } from './cluster';
import { heldAfterReturn } from './consolidation';
import { binOf, utilisation, type Bin } from './placement';
import { reserveCheck, settleDisplaced, trialState, tryRemoval, type TrialState } from './scale-in-trial';
import { hourlyPrice } from './price';
import { memberWeights, zoneRuns } from './zones';

export interface ScaleIn {
  readonly kind: 'scale-in';
  readonly instance: string;
  readonly group: string;
  readonly reasons: readonly string[];
}

export interface HeadroomSample {
  /** Epoch ms. */
  readonly at: number;
  readonly value: number;
}

export interface ScaleInInput {
  readonly now: number;
  readonly instances: readonly Instance[];
  readonly groups: readonly CapacityGroup[];
  readonly shape: TaskShape;
  /** Headroom now (schedulable reference tasks). */
  readonly headroom: number;
  /** Recent headroom samples (any order), e.g. the `SchedulableTasks` metric. */
  readonly history: readonly HeadroomSample[];
  readonly shortageThreshold: number;
  readonly excessThreshold: number;
  readonly stabilizationSeconds: number;
  /** The last scale-out (epoch ms, `lastLaunch`): the window counts from it when it is later. */
  readonly lastScaleOut?: number;
  readonly maxScaleInPercent: number;
  /**
   * Service tasks that are about to move onto the schedulable instances (from DRAINING or leaving
   * instances): placed first, so their future reservations are not counted as free space.
   */
  readonly displaced?: readonly TaskShape[];
  /**
   * Bins of the schedulable instances, in `instances` order (decide builds them once per tick and
   * hands them over last: scale-in mutates them).
   */
  readonly bins?: Bin[];
  /** Spot groups and `SPOT_RESERVE_INSTANCES`: a removal must leave the storm reserve intact. */
  readonly spotGroups?: ReadonlySet<string>;
  readonly spotReserve?: number;
  /** `SPOT_RESERVE_PERCENT`: the reserve's cost cap (`reserve.ts`); 100 when absent. */
  readonly spotReservePercent?: number;
  /** Daemon reservations on every new instance: what room bought for the reserve would hold. */
  readonly daemons?: readonly TaskShape[];
  /**
   * Capacity units (instance weights) already draining for scale-in per group, when `instances`
   * holds only the schedulable ones (they still count against the group's min).
   */
  readonly drainingForScaleIn?: ReadonlyMap<string, number>;
  /**
   * Only these instances are candidates, and the excess window is not required: fallback capacity
   * given back once a cheaper group can take its work (`revert.ts`). Every other check holds.
   */
  readonly only?: ReadonlySet<string>;
  /** `SCALE_IN_WAIT_SECONDS`: an instance returned to service less than this ago is no candidate (`consolidation.ts`). */
  readonly reactivatedHoldSeconds?: number;
  /**
   * Pricier instances first (after those at risk), while right-sizing is under way (some instance is
   * oversized, `right-size.ts`): the oversized instance goes once its tasks fit, not the cheaper,
   * emptier replacement launched for it.
   */
  readonly pricierFirst?: boolean;
}

export interface ScaleInPlan {
  readonly actions: readonly ScaleIn[];
  /** Headroom after every chosen instance is gone. */
  readonly headroomAfter: number;
  readonly reasons: readonly string[];
}

/**
 * Start of the current uninterrupted run of samples above `threshold` (the newest sample first),
 * or undefined when the newest sample is not above it.
 */
export function excessHeldSince(history: readonly HeadroomSample[], threshold: number): number | undefined {
  const sorted = [...history].sort((a, b) => b.at - a.at);
  let since: number | undefined;
  for (const s of sorted) {
    if (s.value <= threshold) break;
    since = s.at;
  }
  return since;
}

/** Per-tick removal budget: `percent` of `schedulable`, at least one. */
export function scaleInBudget(schedulable: number, percent: number): number {
  return Math.max(1, Math.floor((schedulable * percent) / 100));
}

/**
 * Whether scale-in is considered at all: headroom now above the excess threshold, and held above it
 * for the stabilisation window since the last scale-out (`lastScaleOut`: the newest launch of a
 * configured group). A surge that launched capacity is a demand increase: its instances are not
 * surplus until the window has passed since they were asked for, like the Kubernetes HPA's
 * scale-down stabilisation window (which keeps the highest recommendation of the window,
 * https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#stabilization-window).
 * A demand increase the spare absorbed shows as headroom falling to the excess threshold, which
 * restarts the run. Needs no task: the tick asks this before it reads any.
 */
export function scaleInWindow(input: Pick<ScaleInInput, 'now' | 'headroom' | 'history' | 'excessThreshold' | 'stabilizationSeconds' | 'lastScaleOut'>): { held: boolean; reason: string } {
  if (input.headroom <= input.excessThreshold) return { held: false, reason: `headroom ${input.headroom} ≤ excess threshold ${input.excessThreshold}` };
  const run = excessHeldSince([...input.history, { at: input.now, value: input.headroom }], input.excessThreshold);
  const since = run === undefined ? input.now : Math.max(run, input.lastScaleOut ?? Number.NEGATIVE_INFINITY);
  const heldMs = Math.max(0, input.now - since);
  const after = input.lastScaleOut !== undefined && input.lastScaleOut === since ? ' since the last scale-out' : '';
  if (heldMs < input.stabilizationSeconds * 1000) return { held: false, reason: `excess held ${Math.round(heldMs / 1000)} s${after} of the ${input.stabilizationSeconds} s stabilisation window` };
  return { held: true, reason: `headroom ${input.headroom} > excess threshold ${input.excessThreshold} for ${Math.round(heldMs / 1000)} s${after}` };
}

/** The newest launch among the groups' members (epoch ms), if any member's launch time is known. */
export function lastLaunch(groups: readonly CapacityGroup[]): number | undefined {
  let last: number | undefined;
  for (const g of groups) for (const m of g.members ?? []) if (m.launchedAt !== undefined && (last === undefined || m.launchedAt > last)) last = m.launchedAt;
  return last;
}

/**
 * Capacity units each group may still lose: desired minus min, minus units already draining for
 * scale-in. Units, not instances: each removal lowers desired by the member's weight.
 */
function removableUnits(input: ScaleInInput, weight: (group: string, id: string) => number): Map<string, number> {
  const removable = new Map<string, number>();
  for (const g of input.groups) removable.set(g.name, g.desired - g.min);
  if (input.drainingForScaleIn !== undefined) for (const [g, n] of input.drainingForScaleIn) removable.set(g, (removable.get(g) ?? 0) - n);
  else for (const i of input.instances) if (i.group !== undefined && isScaleInDrain(i) && i.terminating !== true) removable.set(i.group, (removable.get(i.group) ?? 0) - weight(i.group, i.id));
  return removable;
}

interface Candidate {
  readonly instance: Instance;
  readonly load: number;
  readonly standalone: number;
  readonly service: readonly TaskShape[];
  readonly util: number;
}

/**
 * The instances that may go, in the order they are tried. Spot instances already replaced on a
 * rebalance recommendation go first: they are the likeliest to be lost. While right-sizing is under
 * way (`pricierFirst`), the pricier instances (`price.ts`). Then the lowest-priority
 * groups: scale-out takes fallback capacity (On-Demand behind Spot) only when the preferred groups
 * cannot deliver, so it is the first to give back. Then fewest tasks, then lowest utilisation.
 */
function rankCandidates(input: ScaleInInput, schedulable: readonly Instance[], s: TrialState): Candidate[] {
  const groups = new Set(input.groups.map((g) => g.name));
  // Priority of each group: the index of its run in `zoneRuns` (one-zone groups of one pool share
  // a run, so none of them is fallback capacity for the others); higher = tried later on scale-out.
  const priority = new Map<string, number>();
  for (const [k, run] of zoneRuns(input.groups).entries()) for (const g of run) priority.set(g.name, k);
  const byName = new Map(input.groups.map((g) => [g.name, g]));
  return schedulable
    // An instance whose tasks were not read is never a candidate (it would look empty).
    .filter((i) => i.group !== undefined && groups.has(i.group) && tasksKnown(i) && (input.only === undefined || input.only.has(i.id)) && !heldAfterReturn(i, input.now, input.reactivatedHoldSeconds ?? 0))
    .map((i) => {
      const w = workloadOf(i);
      return { instance: i, atRisk: i.attributes[REBALANCE_ATTRIBUTE] !== undefined ? 0 : 1, price: input.pricierFirst === true ? hourlyPrice(byName.get(i.group as string) as CapacityGroup) : 0, fallback: priority.get(i.group as string) ?? 0, load: w.live, standalone: w.standalone, service: w.service, util: utilisation(s.bins[s.binIndex.get(i.id) as number] as Bin) };
    })
    .sort((a, b) => a.atRisk - b.atRisk || b.price - a.price || b.fallback - a.fallback || a.load - b.load || a.util - b.util || a.instance.id.localeCompare(b.instance.id));
}

function scaleInAction(input: ScaleInInput, reasons: readonly string[], c: Candidate, group: string, moved: number, after: number): ScaleIn {
  return {
    kind: 'scale-in',
    instance: c.instance.id,
    group,
    reasons: [
      ...reasons,
      `${c.instance.id}: ${c.load} non-daemon task(s), ${Math.round(c.util * 100)} % reserved; its ${moved} service task(s) fit elsewhere and headroom stays ${after} ≥ ${input.shortageThreshold}`,
      ...(c.standalone > 0 ? [`${c.standalone} standalone task(s) finish in place: DRAINING does not stop them, and the instance is terminated only once empty`] : []),
    ],
  };
}

export function planScaleIn(input: ScaleInInput): ScaleInPlan {
  const reasons: string[] = [];
  const none = (why: string): ScaleInPlan => ({ actions: [], headroomAfter: input.headroom, reasons: [...reasons, why] });
  const window = input.only !== undefined ? { held: true, reason: `giving back fallback capacity: ${[...input.only].join(', ')}` } : scaleInWindow(input);
  if (!window.held) return none(window.reason);
  reasons.push(window.reason);

  const schedulable = input.instances.filter(isSchedulable);
  const budget = scaleInBudget(schedulable.length, input.maxScaleInPercent);
  const weight = memberWeights(input.groups);
  const removable = removableUnits(input, weight);
  const bins = input.bins ?? schedulable.map(binOf);
  const landed = settleDisplaced(bins, input.displaced);
  if (typeof landed === 'number') return none(`${landed} task(s) moving off draining or leaving instances do not fit yet`);
  const state = trialState(bins, input.shape, landed);
  const candidates = rankCandidates(input, schedulable, state);
  const reserve = reserveCheck(schedulable, input.spotGroups, input.spotReserve ?? 0, input.spotReservePercent, input.groups, input.daemons ?? []);

  const actions: ScaleIn[] = [];
  const maxAttempts = budget * 4 + 20;
  let attempts = 0;
  for (const c of candidates) {
    if (actions.length >= budget || attempts >= maxAttempts) break;
    const group = c.instance.group as string;
    const units = weight(group, c.instance.id);
    if ((removable.get(group) ?? 0) < units) continue;
    attempts++;
    const kept = tryRemoval(state, c.instance.id, c.service, input.shape, input.shortageThreshold, reserve);
    if (kept === undefined) continue;
    removable.set(group, (removable.get(group) ?? 0) - units);
    actions.push(scaleInAction(input, reasons, c, group, kept.moved, kept.after));
  }
  if (actions.length === 0) reasons.push(`no instance can go: ${candidates.length} candidate(s), ${attempts} tried (tasks would not fit, headroom would drop under ${input.shortageThreshold}, or groups at min)`);
  return { actions, headroomAfter: state.total, reasons };
}
