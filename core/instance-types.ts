/**
 * Mixed-instances groups planned with the types that can hold the work. A group is normally
 * planned as its weakest type per weight unit (`weakestPerUnit`, which `handlers/app/model.ts`
 * sizes new instances with): conservative, since Auto Scaling picks the type. But a task that fits the larger types and not the weakest (a
 * 2,048-CPU task beside a daemon on a large/xlarge/2xlarge group) would then never scale that group.
 * For such tasks the group is planned as the weakest per unit among the types that hold the
 * largest of them, and desired grows by that type's weight (Auto Scaling fills weight units,
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups-instance-weighting.html).
 */
import type { CapacityGroup, InstanceTypeOption, Resources, TaskShape } from './cluster';
import { fits, freshBin } from './placement';
import { dominantShare } from './task-size';

/** A type a group may launch, as far as ranking it per weight unit goes. */
export interface PerUnit {
  readonly weight: number;
  readonly resources: Resources;
}

/**
 * The weakest of `candidates` per weight unit: the least capacity per unit in its scarcer
 * dimension, each dimension relative to the best per-unit value among `reference` (the group's
 * types; by default the candidates). The one rule for "weakest": the planned shape of a group
 * (`handlers/app/model.ts`) and the type chosen for a task only larger types hold (`plannedFor`).
 * Relative, not a fixed MiB-per-CPU ratio, so a group of memory-rich types is ranked by what is
 * scarce among its own types. Ties keep the first. Conservative on purpose: Auto Scaling picks the
 * type (allocation strategy, Spot pools), so every unit of desired capacity is assumed to deliver
 * only what the poorest candidate delivers per unit
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups-instance-weighting.html).
 */
export function weakestPerUnit<T extends PerUnit>(candidates: readonly T[], reference: readonly PerUnit[] = candidates): T | undefined {
  let maxCpu = 0;
  let maxMemory = 0;
  for (const c of reference) {
    maxCpu = Math.max(maxCpu, c.resources.cpu / c.weight);
    maxMemory = Math.max(maxMemory, c.resources.memory / c.weight);
  }
  let best: T | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const score = Math.min(maxCpu > 0 ? c.resources.cpu / c.weight / maxCpu : 0, maxMemory > 0 ? c.resources.memory / c.weight / maxMemory : 0);
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return best;
}

/** The group as if it launched only `t`. */
export function asType(g: CapacityGroup, t: InstanceTypeOption): CapacityGroup {
  const { weight: _w, ...rest } = g;
  return { ...rest, instance: t.resources, instanceType: t.instanceType, ...(t.weight !== 1 ? { weight: t.weight } : {}) };
}

/** Every type of `g` as a group of its own (only `g` when it launches one type). */
export function typeVariants(g: CapacityGroup): CapacityGroup[] {
  return g.instanceTypes === undefined || g.instanceTypes.length < 2 ? [g] : g.instanceTypes.map((t) => asType(g, t));
}

/**
 * `g` planned for `tasks`: unchanged when its planned instance holds every task that any of its
 * types can hold; otherwise the weakest type per weight unit among those holding the largest such
 * task. O(types · distinct tasks).
 */
export function plannedFor(g: CapacityGroup, tasks: readonly TaskShape[], daemons: readonly TaskShape[]): CapacityGroup {
  const variants = typeVariants(g);
  if (variants.length < 2 || tasks.length === 0) return g;
  const planned = freshBin(g, daemons, 0, 'probe');
  const probes = variants.map((v) => freshBin(v, daemons, 0, 'probe'));
  let largest: TaskShape | undefined;
  for (const t of tasks) {
    if (fits(t, planned).ok || !probes.some((p) => fits(t, p).ok)) continue;
    if (largest === undefined || dominantShare(t, g.instance) > dominantShare(largest, g.instance)) largest = t;
  }
  if (largest === undefined) return g;
  const big = largest;
  const types = g.instanceTypes ?? [];
  const holding = types.filter((_t, k) => fits(big, probes[k] as ReturnType<typeof freshBin>).ok);
  const weakest = weakestPerUnit(holding, types);
  return weakest === undefined ? g : asType(g, weakest);
}
