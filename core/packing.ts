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
 * Pack `tasks` first-fit decreasing into `bins` (mutated: their free space shrinks), then into new
 * bins from `fresh`. Returns where each task went, the new bins opened and the lower bound.
 */
export function packFirstFitDecreasing(tasks: readonly TaskShape[], bins: Bin[], fresh?: NewBins): PackResult {
  const probe = fresh?.make(0);
  const unit: Resources = probe !== undefined ? { cpu: probe.cpu, memory: probe.memory } : largestCapacity(bins);
  const order = decreasingOrder(tasks, unit);
  const placements = new Map<number, string>();
  const opened: Bin[] = [];
  const unplaced: Array<{ task: number; reason: string }> = [];
  const resumeAt = new Map<string, number>();
  const existing = bins.length;
  let freeCpu = 0;
  let freeMemory = 0;
  for (const b of bins) {
    freeCpu += Math.max(0, b.cpu);
    freeMemory += Math.max(0, b.memory);
  }
  let placedCpu = 0;
  let placedMemory = 0;

  for (const index of order) {
    const task = tasks[index] as TaskShape;
    const sig = shapeSignature(task);
    let at = resumeAt.get(sig) ?? 0;
    let home: Bin | undefined;
    for (; at < existing + opened.length; at++) {
      const bin = (at < existing ? bins[at] : opened[at - existing]) as Bin;
      if (fits(task, bin).ok) {
        home = bin;
        break;
      }
    }
    if (home === undefined && fresh !== undefined) {
      const candidate = opened.length === 0 && probe !== undefined ? probe : fresh.make(opened.length);
      let fit = fits(task, candidate);
      let ahead: Bin[] = [candidate];
      for (let j = 1; !fit.ok && j <= (fresh.lookahead ?? 0); j++) {
        const further = fresh.make(opened.length + j);
        ahead.push(further);
        fit = fits(task, further);
      }
      if (!fit.ok) {
        unplaced.push({ task: index, reason: `does not fit an empty instance: ${describe(fit)}` });
        continue;
      }
      if (opened.length + ahead.length > fresh.limit) {
        unplaced.push({ task: index, reason: 'cap' });
        continue;
      }
      opened.push(...ahead);
      home = ahead[ahead.length - 1] as Bin;
      ahead = [];
      at = existing + opened.length - 1;
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

  const lowerBound = Math.max(0, Math.ceil(dominantShare({ cpu: placedCpu - freeCpu, memory: placedMemory - freeMemory }, unit) - 1e-9));
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
