/**
 * Bin packing: first-fit decreasing (FFD) of tasks into the free space of existing bins, then into
 * new instances of one capacity group.
 *
 * Order: tasks sorted by their larger normalised dimension, max(cpu/C, memory/M) where (C, M) is
 * a new instance's free capacity after daemons, largest first (ties group identical shapes, then
 * keep input order, so the result is deterministic). Each task goes to the first bin that `fits` it: existing bins in the
 * given order, then new bins in the order they were opened; a new bin is opened only when no bin
 * fits.
 *
 * Bounds: for one dimension FFD uses at most 11/9·OPT + 6/9 bins (Dósa 2007, tight); for
 * d-dimensional vector packing first-fit style algorithms are within d + 7/10 of optimal (Garey,
 * Graham, Johnson & Yao 1976), so for (CPU, memory) FFD is at most 2.7·OPT + O(1) in the worst
 * case and close to the lower bound on real traces (see `bench/`).
 * The lower bound reported beside the count is ⌈max((Σcpu − free cpu)/C, (Σmem − free mem)/M)⌉
 * over the tasks that were placed: no packing can use fewer new instances.
 *
 * Cost: O(n log n) for the sort plus O(n·b) bin scans in the worst case. Tasks of the same shape
 * resume scanning where the previous one was placed (bins only lose space during a pack, so the
 * bins before it cannot fit the same shape): placing k identical tasks costs O(k + b).
 */
import type { Resources, TaskShape } from './cluster';
import { fits, place, type Bin, type FitResult } from './placement';
import { dominantShare } from './task-size';

export interface NewBins {
  /** Makes the n-th (0-based) new bin, daemons already placed. */
  readonly make: (index: number) => Bin;
  /** Most new bins that may be opened. */
  readonly limit: number;
  /**
   * When a task does not fit the next new bin, how many bins further to look (new instances of a
   * multi-zone group land in a predicted zone each; a task pinned to a zone needs the launches up to
   * the first one there). The bins in between are opened too: they are real launches. Default 0.
   */
  readonly lookahead?: number;
}

export interface PackResult {
  /** Task index → key of the bin it went to. */
  readonly placements: ReadonlyMap<number, string>;
  /** The new bins opened, in order. */
  readonly opened: readonly Bin[];
  /** Tasks not placed: `cap` when the new-bin limit stopped them, else why nothing fits. */
  readonly unplaced: ReadonlyArray<{ readonly task: number; readonly reason: string }>;
  /** Lower bound on new bins for the placed tasks. */
  readonly lowerBound: number;
}

/** Identity of a task shape for first-fit resumption: tasks with the same signature fit the same bins. */
export function shapeSignature(t: TaskShape): string {
  return `${t.cpu}/${t.memory}/${t.tcpPorts?.join(',') ?? ''}/${t.udpPorts?.join(',') ?? ''}/${t.memberOf?.join('&') ?? ''}/${t.distinctInstance === true ? t.taskGroup ?? '' : ''}`;
}

/** Indices of `tasks` in FFD order for bins of `unit` capacity. */
export function decreasingOrder(tasks: readonly TaskShape[], unit: Resources): number[] {
  const size = tasks.map((t) => dominantShare(t, unit));
  const sig = tasks.map(shapeSignature);
  const order = tasks.map((_, i) => i);
  order.sort((a, b) => (size[b] as number) - (size[a] as number) || ((sig[a] as string) < (sig[b] as string) ? -1 : (sig[a] as string) > (sig[b] as string) ? 1 : 0) || a - b);
  return order;
}

function describe(result: FitResult): string {
  if (result.ok) return 'fits';
  return result.reason === 'unsupported-constraint' ? result.detail : result.reason;
}

/**
 * The first bin at index `from` or later that fits `task`: the existing bins, then the new bins
 * opened so far, in that order. `at` is its index, or the end of the list when none fits.
 */
function firstFit(task: TaskShape, bins: readonly Bin[], opened: readonly Bin[], from: number): { home: Bin | undefined; at: number } {
  const existing = bins.length;
  for (let at = from; at < existing + opened.length; at++) {
    const bin = (at < existing ? bins[at] : opened[at - existing]) as Bin;
    if (fits(task, bin).ok) return { home: bin, at };
  }
  return { home: undefined, at: Math.max(from, existing + opened.length) };
}

/**
 * The new bins to open for a task no open bin fits: the next one, or up to `lookahead` further when
 * the next does not fit (the bins in between are opened too: they are real launches). A reason
 * instead when none of them fits the task or opening them would pass the limit.
 */
function newBinsFor(task: TaskShape, fresh: NewBins, probe: Bin | undefined, openedCount: number): { bins: Bin[] } | { reason: string } {
  const candidate = openedCount === 0 && probe !== undefined ? probe : fresh.make(openedCount);
  let fit = fits(task, candidate);
  const ahead: Bin[] = [candidate];
  for (let j = 1; !fit.ok && j <= (fresh.lookahead ?? 0); j++) {
    const further = fresh.make(openedCount + j);
    ahead.push(further);
    fit = fits(task, further);
  }
  if (!fit.ok) return { reason: `does not fit an empty instance: ${describe(fit)}` };
  if (openedCount + ahead.length > fresh.limit) return { reason: 'cap' };
  return { bins: ahead };
}

function totalFree(bins: readonly Bin[]): Resources {
  let cpu = 0;
  let memory = 0;
  for (const b of bins) {
    cpu += Math.max(0, b.cpu);
    memory += Math.max(0, b.memory);
  }
  return { cpu, memory };
}

/**
 * Pack `tasks` first-fit decreasing into `bins` (mutated: their free space shrinks), then into new
 * bins from `fresh`. Returns where each task went, the new bins opened and the lower bound.
 */
export function packFirstFitDecreasing(tasks: readonly TaskShape[], bins: Bin[], fresh?: NewBins): PackResult {
  const probe = fresh?.make(0);
  const unit: Resources = probe !== undefined ? { cpu: probe.cpu, memory: probe.memory } : largestCapacity(bins);
  const free = totalFree(bins);
  const placements = new Map<number, string>();
  const opened: Bin[] = [];
  const unplaced: Array<{ task: number; reason: string }> = [];
  const resumeAt = new Map<string, number>();
  let placedCpu = 0;
  let placedMemory = 0;

  for (const index of decreasingOrder(tasks, unit)) {
    const task = tasks[index] as TaskShape;
    const sig = shapeSignature(task);
    let { home, at } = firstFit(task, bins, opened, resumeAt.get(sig) ?? 0);
    if (home === undefined && fresh !== undefined) {
      const more = newBinsFor(task, fresh, probe, opened.length);
      if ('reason' in more) {
        unplaced.push({ task: index, reason: more.reason });
        continue;
      }
      opened.push(...more.bins);
      home = more.bins[more.bins.length - 1] as Bin;
      at = bins.length + opened.length - 1;
    }
    if (home === undefined) {
      unplaced.push({ task: index, reason: 'no free space' });
      continue;
    }
    place(task, home);
    resumeAt.set(sig, at);
    placements.set(index, home.key);
    placedCpu += task.cpu;
    placedMemory += task.memory;
  }

  const lowerBound = Math.max(0, Math.ceil(dominantShare({ cpu: placedCpu - free.cpu, memory: placedMemory - free.memory }, unit) - 1e-9));
  return { placements, opened, unplaced, lowerBound };
}

/** The largest capacity among `bins`, per dimension: the unit tasks are sized against when no new instance is in view. */
export function largestCapacity(bins: readonly Bin[]): Resources {
  let cpu = 0;
  let memory = 0;
  for (const b of bins) {
    cpu = Math.max(cpu, b.capacity.cpu);
    memory = Math.max(memory, b.capacity.memory);
  }
  return { cpu, memory };
}

/** ⌈max(Σcpu/C, Σmem/M)⌉: the fewest instances of capacity `unit` that could hold `tasks`. */
export function lowerBound(tasks: readonly Resources[], unit: Resources): number {
  let cpu = 0;
  let memory = 0;
  for (const t of tasks) {
    cpu += t.cpu;
    memory += t.memory;
  }
  return Math.max(0, Math.ceil(dominantShare({ cpu, memory }, unit) - 1e-9));
}
