/**
 * The spare a cluster keeps, in reference tasks: `SHORTAGE_THRESHOLD`, capped on small clusters at
 * `SPARE_PERCENT` of the work the cluster holds.
 *
 * Why proportional: the spare exists to absorb the tasks that arrive while new capacity launches,
 * and those bursts scale with the cluster (a service scaling out by a tenth of its size, a batch of
 * jobs sized to the fleet). A fixed 3-task spare is noise on a 500-task cluster but, on a cluster of
 * two to ten instances, a shortage of one reference task launches a whole instance (10–16 reference
 * tasks) on every step of a ramp and keeps an instance more on the way down (scale-in stops while
 * headroom after a removal would be under the spare): the cost of an instance per step, for bursts
 * that small clusters rarely see. With the cap, the spare grows with the work up to the configured
 * threshold; an idle cluster (no work) keeps none, the rule `decide` already applies.
 *
 * The work is counted without reading any task, so the tick can apply the same thresholds before it
 * decides which tasks to read: the resources reserved on schedulable instances plus the demand
 * waiting for a home, in reference tasks (each the larger of its CPU and memory ratio to the
 * reference shape). Daemons are not work: one task of each daemon service is taken off every
 * instance's reservations (ECS runs one per instance), so a fleet of idle instances counts none.
 * The excess threshold moves with the spare, keeping its configured gap above it, so scale-in and
 * scale-out never fight. O(instances + services + waiting).
 */
import type { Instance, Resources, Service, TaskShape } from './cluster';
import { isSchedulable } from './cluster';
import { dominantShare } from './task-size';

export interface SpareSettings {
  readonly shortageThreshold: number;
  readonly excessThreshold: number;
  /** `SPARE_PERCENT`: the spare is at most this percentage of the work (100: no cap). */
  readonly sparePercent: number;
}

export interface Thresholds {
  readonly shortage: number;
  readonly excess: number;
  /** Why the thresholds differ from the configured ones (absent when they do not). */
  readonly reason?: string;
}

/** Reference tasks' worth of `r`: its dominant share of the reference shape. */
const inReferenceTasks = dominantShare;

/**
 * The work the cluster holds, in reference tasks: reservations on schedulable instances less one
 * task of each daemon service, plus unplaced service tasks and tasks waiting with no instance.
 */
export function workInReferenceTasks(shape: Resources, instances: readonly Instance[], services: readonly Service[], waiting: readonly TaskShape[] = []): number {
  let daemonCpu = 0;
  let daemonMemory = 0;
  for (const s of services) {
    if (!s.daemon) continue;
    daemonCpu += s.shape.cpu;
    daemonMemory += s.shape.memory;
  }
  let work = 0;
  for (const i of instances) {
    if (!isSchedulable(i)) continue;
    const cpu = Math.max(0, i.registered.cpu - i.remaining.cpu - daemonCpu);
    const memory = Math.max(0, i.registered.memory - i.remaining.memory - daemonMemory);
    work += inReferenceTasks({ cpu, memory }, shape);
  }
  for (const s of services) if (!s.daemon && s.unplaced > 0) work += s.unplaced * inReferenceTasks(s.shape, shape);
  for (const t of waiting) work += inReferenceTasks(t, shape);
  return work;
}

/**
 * The thresholds for a cluster holding `work` reference tasks:
 * shortage = min(SHORTAGE_THRESHOLD, ⌈work × SPARE_PERCENT / 100⌉) (SPARE_PERCENT 100: no cap), and
 * excess = EXCESS_THRESHOLD − (SHORTAGE_THRESHOLD − shortage) (the configured gap kept).
 */
export function spareThresholds(settings: SpareSettings, work: number): Thresholds {
  // 100 % turns the cap off: the threshold on every cluster, however little work it holds.
  const cap = settings.sparePercent >= 100 ? Number.POSITIVE_INFINITY : Math.ceil((Math.max(0, work) * settings.sparePercent) / 100 - 1e-9);
  if (cap >= settings.shortageThreshold) return { shortage: settings.shortageThreshold, excess: settings.excessThreshold };
  const shortage = Math.max(0, cap);
  const excess = settings.excessThreshold - (settings.shortageThreshold - shortage);
  return {
    shortage,
    excess,
    reason: `small cluster: ${work.toFixed(1)} reference task(s) of work, spare capped at ${settings.sparePercent} % = ${shortage} (shortage threshold ${shortage}, excess ${excess})`,
  };
}
