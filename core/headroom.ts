/**
 * Headroom: how many more tasks of a reference shape fit on the cluster, instance by instance.
 *
 * schedulable(s) = Σ over schedulable (ACTIVE, not terminating) instances of
 * min(⌊free cpu / s.cpu⌋, ⌊free memory / s.memory⌋), and at most one per instance when the shape
 * holds a static host port or `distinctInstance` (a second copy would collide). O(instances).
 */
import type { CapacityGroup, Instance, Resources, Service, TaskShape } from './cluster';
import { isSchedulable } from './cluster';
import { binOf, fits, type Bin } from './placement';

/** Used when the reference shape is `auto` and the cluster runs no service and no task. */
export const FALLBACK_REFERENCE_SHAPE: Resources = { cpu: 256, memory: 512 };

/** Copies of `shape` that fit in the free space of `bin`. */
export function copiesThatFit(shape: TaskShape, bin: Bin): number {
  if (!fits(shape, bin).ok) return 0;
  const byCpu = shape.cpu > 0 ? Math.floor(bin.cpu / shape.cpu) : Number.POSITIVE_INFINITY;
  const byMemory = shape.memory > 0 ? Math.floor(bin.memory / shape.memory) : Number.POSITIVE_INFINITY;
  let copies = Math.min(byCpu, byMemory);
  if (!Number.isFinite(copies)) copies = 0; // a zero shape is refused by configuration; never count infinity
  if (shape.awsvpc === true && bin.enis !== undefined) copies = Math.min(copies, bin.enis);
  const singular = (shape.tcpPorts?.length ?? 0) > 0 || (shape.udpPorts?.length ?? 0) > 0 || (shape.distinctInstance === true && shape.taskGroup !== undefined);
  return singular ? Math.min(copies, 1) : copies;
}

/** Σ copies over bins. */
export function headroomOfBins(shape: TaskShape, bins: readonly Bin[]): number {
  let total = 0;
  for (const b of bins) total += copiesThatFit(shape, b);
  return total;
}

export interface Headroom {
  readonly shape: TaskShape;
  readonly total: number;
  readonly perInstance: ReadonlyMap<string, number>;
}

/** Headroom of the cluster: per schedulable instance and in total. */
export function headroom(shape: TaskShape, instances: readonly Instance[]): Headroom {
  const perInstance = new Map<string, number>();
  let total = 0;
  for (const i of instances) {
    if (!isSchedulable(i)) continue;
    const n = copiesThatFit(shape, binOf(i));
    perInstance.set(i.id, n);
    total += n;
  }
  return { shape, total, perInstance };
}

/**
 * Weighted median: the smallest value v such that the values ≤ v carry at least half the weight.
 * O(n log n).
 */
export function weightedMedian(values: ReadonlyArray<{ readonly value: number; readonly weight: number }>): number | undefined {
  const items = values.filter((v) => v.weight > 0).sort((a, b) => a.value - b.value);
  const total = items.reduce((n, v) => n + v.weight, 0);
  if (total <= 0) return undefined;
  let seen = 0;
  for (const v of items) {
    seen += v.weight;
    if (2 * seen >= total) return v.value;
  }
  return items[items.length - 1]?.value;
}

/**
 * The `auto` reference shape: the demand-weighted median task, CPU and memory each the median over
 * the non-daemon services' reservations weighted by their desired task counts (else over live
 * non-daemon tasks; else `FALLBACK_REFERENCE_SHAPE`), capped to what one empty instance of the
 * largest group offers.
 *
 * Why the median and not the largest service: headroom answers "how many more typical tasks fit";
 * with the largest reservation, one 6-vCPU service on a fleet of small tasks turns "2 spare tasks"
 * into "2 spare 6-vCPU slots", which small or mixed instances may never offer (a scale-out that
 * never satisfies the threshold, or a fleet kept at low utilisation). The median moves only when at
 * least half the tasks are that large, so the thresholds mean the same on any cluster. Large
 * services are not left short by this: their unplaced tasks are demand, packed for exactly their
 * shape, and per-service headroom (`headroom(service.shape, …)`) remains available. The cap keeps
 * the shape placeable on a new instance, so a shortage can always be met by launching.
 * Ports and constraints are not carried over (a reference task is a resource vector).
 */
export function referenceShape(configured: Resources | 'auto', services: readonly Service[], instances: readonly Instance[], groups: readonly CapacityGroup[] = []): Resources {
  if (configured !== 'auto') return configured;
  let { cpu, memory } = serviceMedian(services);
  if (cpu === 0 && memory === 0) {
    const live: Array<{ cpu: number; memory: number }> = [];
    for (const i of instances) for (const t of i.tasks ?? []) if (t.role !== 'daemon' && t.status !== 'STOPPED') live.push(t);
    const source = live.length > 0 ? live : services.filter((s) => !s.daemon).map((s) => s.shape);
    cpu = weightedMedian(source.map((t) => ({ value: t.cpu, weight: 1 }))) ?? 0;
    memory = weightedMedian(source.map((t) => ({ value: t.memory, weight: 1 }))) ?? 0;
  }
  if (cpu === 0 && memory === 0) return FALLBACK_REFERENCE_SHAPE;
  let capCpu = 0;
  let capMemory = 0;
  for (const g of groups) {
    capCpu = Math.max(capCpu, g.instance.cpu);
    capMemory = Math.max(capMemory, g.instance.memory);
  }
  if (capCpu > 0) cpu = Math.min(cpu, capCpu);
  if (capMemory > 0) memory = Math.min(memory, capMemory);
  return { cpu: Math.max(cpu, 1), memory: Math.max(memory, 1) };
}

/** How many tasks a service counts for in the median: what it wants or holds, whichever is more. */
function serviceWeight(s: Service): number {
  return Math.max(s.desired, s.running + s.pending + s.unplaced);
}

/** The demand-weighted median of the non-daemon services' shapes; 0/0 when no service wants or holds a task. */
function serviceMedian(services: readonly Service[]): Resources {
  const weighted = services.filter((s) => !s.daemon && serviceWeight(s) > 0);
  const cpu = weightedMedian(weighted.map((s) => ({ value: s.shape.cpu, weight: serviceWeight(s) }))) ?? 0;
  const memory = weightedMedian(weighted.map((s) => ({ value: s.shape.memory, weight: serviceWeight(s) }))) ?? 0;
  return { cpu, memory };
}

/**
 * Whether `referenceShape` takes the median of the live tasks, so that its answer depends on
 * which instances' tasks were read: `auto`, and no service wants or holds a task.
 */
export function referenceShapeReadsTasks(configured: Resources | 'auto', services: readonly Service[]): boolean {
  if (configured !== 'auto') return false;
  const { cpu, memory } = serviceMedian(services);
  return cpu === 0 && memory === 0;
}
