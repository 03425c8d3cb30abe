/**
 * Headroom: how many more tasks of a reference shape fit on the cluster, instance by instance.
 *
 * schedulable(s) = Σ over schedulable (ACTIVE, not terminating) instances of
 * min(⌊free cpu / s.cpu⌋, ⌊free memory / s.memory⌋), and at most one per instance when the shape
 * holds a static host port or `distinctInstance` (a second copy would collide). O(instances).
 */
import type { Instance, Resources, Service, TaskShape } from './cluster';
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
 * The `auto` reference shape: the element-wise largest reservation among non-daemon services
 * (conservative: a task at least as large as any service's in both dimensions); else among live
 * non-daemon tasks; else `FALLBACK_REFERENCE_SHAPE`. Ports and constraints are not carried over:
 * per-service headroom (`headroom(service.shape, …)`) answers for those.
 */
export function referenceShape(configured: Resources | 'auto', services: readonly Service[], instances: readonly Instance[]): Resources {
  if (configured !== 'auto') return configured;
  let cpu = 0;
  let memory = 0;
  for (const s of services) {
    if (s.daemon) continue;
    cpu = Math.max(cpu, s.shape.cpu);
    memory = Math.max(memory, s.shape.memory);
  }
  if (cpu === 0 && memory === 0) {
    for (const i of instances) {
      for (const t of i.tasks) {
        if (t.role === 'daemon' || t.status === 'STOPPED') continue;
        cpu = Math.max(cpu, t.cpu);
        memory = Math.max(memory, t.memory);
      }
    }
  }
  if (cpu === 0 && memory === 0) return FALLBACK_REFERENCE_SHAPE;
  return { cpu: Math.max(cpu, 1), memory: Math.max(memory, 1) };
}
