/**
 * The size of a task (or of any resource vector) against an instance shape: its dominant share,
 * the larger of its CPU and memory fractions of that shape.
 *
 * Why one definition: packing orders tasks by it (against a new instance's free capacity), the
 * spare counts work in it (against the reference task), the storm reserve ranks Spot instances by
 * it (against each instance's registered resources), scale-in orders the tasks it moves by it
 * (against the largest instance they may land on), and the tick picks the fullest Spot instances
 * by it. A task's size depends on the shape it is measured against (a 1 vCPU / 8 GiB task is small
 * on a memory-optimised instance and large on a compute-optimised one), so no fixed CPU:memory
 * ratio can stand in for it. A dimension the shape does not have (0) does not count.
 */
import type { Resources } from './cluster';

/** max(r.cpu / of.cpu, r.memory / of.memory), a zero dimension of `of` left out. */
export function dominantShare(r: Resources, of: Resources): number {
  return Math.max(of.cpu > 0 ? r.cpu / of.cpu : 0, of.memory > 0 ? r.memory / of.memory : 0);
}

/** The reserved fraction of an instance: the dominant share of what its tasks hold. */
export function reservedShare(registered: Resources, remaining: Resources): number {
  return dominantShare({ cpu: registered.cpu - remaining.cpu, memory: registered.memory - remaining.memory }, registered);
}
