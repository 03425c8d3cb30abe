/**
 * One scale-in plan's trial removals (`scale-in.ts`): the bins of the schedulable instances, the
 * tasks the plan has moved onto them, and the removals it has kept. A trial packs the candidate's
 * service tasks onto the remaining bins, recounts headroom on the touched bins only, checks the
 * Spot storm reserve, and is kept or rolled back whole.
 */
import type { CapacityGroup, Instance, Resources, TaskShape } from './cluster';
import { copiesThatFit } from './headroom';
import { largestCapacity, packFirstFitDecreasing, shapeSignature } from './packing';
import { cloneBin, fits, place, unplace, utilisation, type Bin } from './placement';
import { affordable, reserveBudget, reserveShortfall, reserveVictims, withinBudget, type ReserveVictim } from './reserve';
import { dominantShare } from './task-size';

/**
 * The Spot storm reserve a removal must leave intact: the `k` fullest Spot instances still there,
 * as far as scale-out would buy room for them. A removal is refused only for a shortfall that
 * `affordable` (`reserve.ts`) would buy back within `SPOT_RESERVE_PERCENT` of the fleet left: a
 * shortfall scale-out would not buy is no reason to keep an instance either, so the cost cap holds
 * on both sides (before, scale-in kept any instance the reserve wanted, and on `zone-pinned-per-zone`
 * the reserve cost 29 % of the fleet under a 20 % cap).
 */
export interface ReserveCheck {
  readonly k: number;
  /** Spot instances fullest first (by their own tasks at the start of the tick). */
  readonly ranked: readonly ReserveVictim[];
  readonly room: Resources;
  readonly percent: number;
  /** The groups room would be bought in, and the daemons on every new instance (`affordable`). */
  readonly groups: readonly CapacityGroup[];
  readonly daemons: readonly TaskShape[];
  /** Schedulable instances before any removal. */
  readonly fleet: number;
}

export function reserveCheck(schedulable: readonly Instance[], spotGroups: ReadonlySet<string> | undefined, k: number, percent: number | undefined, groups: readonly CapacityGroup[], daemons: readonly TaskShape[]): ReserveCheck {
  const ranked = k > 0 ? reserveVictims(schedulable, spotGroups ?? new Set(), Number.POSITIVE_INFINITY, () => false) : [];
  return { k, ranked, room: reserveBudget(schedulable, percent ?? 100), percent: percent ?? 100, groups, daemons, fleet: schedulable.length };
}

export interface TrialState {
  readonly bins: Bin[];
  readonly binIndex: ReadonlyMap<string, number>;
  /**
   * Tasks this plan has put on a bin (settled displaced tasks, moves of kept removals): if that bin
   * is removed in turn, they must move again with its own tasks.
   */
  readonly landed: Map<number, TaskShape[]>;
  readonly removed: Set<number>;
  /**
   * First-fit resumes where the previous task of the same shape went: bins only lose space while
   * removals are kept, so the bins before that point cannot fit the same shape.
   */
  readonly resumeAt: Map<string, number>;
  /** Reference-task copies each bin fits now. */
  readonly copies: number[];
  /** Moved tasks go to the fullest instances first: consolidation keeps empty ones removable. */
  readonly targetOrder: readonly number[];
  /** Moved tasks are sized against the largest instance they may land on, as packing sizes them. */
  readonly unit: Resources;
  /** Headroom with every kept removal gone. */
  total: number;
}

/**
 * Places the displaced tasks (moving off draining or leaving instances) on `bins` first, so their
 * future reservations are not free space: the tasks landed per bin, or the number that do not fit.
 */
export function settleDisplaced(bins: Bin[], displaced: readonly TaskShape[] | undefined): Map<number, TaskShape[]> | number {
  const landed = new Map<number, TaskShape[]>();
  if (displaced === undefined || displaced.length === 0) return landed;
  const settled = packFirstFitDecreasing(displaced, bins);
  if (settled.unplaced.length > 0) return settled.unplaced.length;
  const binIndex = new Map(bins.map((b, k) => [b.key, k]));
  for (const [t, key] of settled.placements) addTo(landed, binIndex.get(key) as number, displaced[t] as TaskShape);
  return landed;
}

/** The state before any removal, once the displaced tasks are settled on `bins`. */
export function trialState(bins: Bin[], shape: TaskShape, landed: Map<number, TaskShape[]>): TrialState {
  const copies = bins.map((b) => copiesThatFit(shape, b));
  return {
    bins,
    binIndex: new Map(bins.map((b, k) => [b.key, k])),
    landed,
    removed: new Set(),
    resumeAt: new Map(),
    copies,
    targetOrder: bins.map((_, k) => k).sort((a, b) => utilisation(bins[b] as Bin) - utilisation(bins[a] as Bin) || a - b),
    unit: largestCapacity(bins),
    total: copies.reduce((a, b) => a + b, 0),
  };
}

function addTo(landed: Map<number, TaskShape[]>, k: number, task: TaskShape): void {
  const list = landed.get(k);
  if (list === undefined) landed.set(k, [task]);
  else list.push(task);
}

type Move = { task: TaskShape; bin: number };

/** First-fit of `moving` (in order) onto the bins not removed; `ok` false at the first that does not fit. */
function moveTasks(s: TrialState, moving: readonly TaskShape[]): { ok: boolean; moves: Move[] } {
  const moves: Move[] = [];
  for (const task of moving) {
    const sig = shapeSignature(task);
    let at = s.resumeAt.get(sig) ?? 0;
    while (at < s.targetOrder.length && (s.removed.has(s.targetOrder[at] as number) || !fits(task, s.bins[s.targetOrder[at] as number] as Bin).ok)) at++;
    if (at >= s.targetOrder.length) return { ok: false, moves };
    const target = s.targetOrder[at] as number;
    s.resumeAt.set(sig, at);
    place(task, s.bins[target] as Bin);
    moves.push({ task, bin: target });
  }
  return { ok: true, moves };
}

/**
 * Reserve tasks left uninsured once the removed bins are gone, that scale-out would buy room for.
 * The removal's own tasks are judged where ECS would put them, not where the trial packs them:
 * ECS spreads a service's tasks over the emptiest instances (its default spread placement), which
 * splits the free room the trial's fullest-first packing keeps whole, so the reserve that held in
 * the trial was short on the next tick and the drain was reactivated (a fleet of five cycled
 * through all its instances, 144 drains reversed in two days). Placing them emptiest-first here
 * is the pessimistic case.
 */
function uninsured(s: TrialState, reserve: ReserveCheck, moves: ReadonlyArray<{ task: TaskShape; bin: number }>): number {
  const gone = new Set([...s.removed].map((k) => (s.bins[k] as Bin).key));
  const bins = s.bins.map(cloneBin);
  for (const m of moves) unplace(m.task, bins[m.bin] as Bin);
  const emptiestFirst = bins.filter((b) => !gone.has(b.key)).sort((a, b) => utilisation(a) - utilisation(b));
  for (const m of moves) {
    const target = emptiestFirst.find((b) => fits(m.task, b).ok);
    if (target !== undefined) place(m.task, target);
    // A task that fits only where the trial put it goes back there.
    else place(m.task, bins[m.bin] as Bin);
  }
  const short = reserveShortfall(withinBudget(reserve.ranked.filter((v) => !gone.has(v.key)).slice(0, reserve.k), reserve.room), bins, gone);
  return affordable(short, reserve.percent, reserve.fleet - s.removed.size, reserve.groups, reserve.daemons).length;
}

/**
 * Tries removing the instance `id` whose service tasks are `service`: kept (and the state updated)
 * when every task fits elsewhere, headroom stays ≥ `shortageThreshold` and the reserve stays
 * insured; otherwise rolled back. Returns the tasks moved and headroom after, or undefined.
 */
export function tryRemoval(s: TrialState, id: string, service: readonly TaskShape[], shape: TaskShape, shortageThreshold: number, reserve: ReserveCheck): { moved: number; after: number } | undefined {
  const self = s.binIndex.get(id) as number;
  s.removed.add(self);
  const moving: TaskShape[] = [...service, ...(s.landed.get(self) ?? [])];
  moving.sort((a, b) => dominantShare(b, s.unit) - dominantShare(a, s.unit));
  const { ok, moves } = moveTasks(s, moving);
  let after = s.total - (s.copies[self] as number);
  const touched = new Map<number, number>();
  if (ok) {
    for (const m of moves) if (!touched.has(m.bin)) touched.set(m.bin, copiesThatFit(shape, s.bins[m.bin] as Bin));
    for (const [k, n] of touched) after += n - (s.copies[k] as number);
  }
  const lost = ok && after >= shortageThreshold && reserve.ranked.length > 0 ? uninsured(s, reserve, moves) : 0;
  if (!ok || after < shortageThreshold || lost > 0) {
    for (const m of moves.reverse()) unplace(m.task, s.bins[m.bin] as Bin);
    s.removed.delete(self);
    s.resumeAt.clear(); // space came back: earlier bins may fit again
    return undefined;
  }
  for (const [k, n] of touched) s.copies[k] = n;
  for (const m of moves) addTo(s.landed, m.bin, m.task);
  s.landed.delete(self);
  s.total = after;
  return { moved: moving.length, after };
}
