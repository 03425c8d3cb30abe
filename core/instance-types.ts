/**
 * Mixed-instances groups planned with the types that can hold the work. A group is normally
 * planned as its weakest type per weight unit (`handlers/app/model.ts` `plannedShape`): conservative,
 * since Auto Scaling picks the type. But a task that fits the larger types and not the weakest (a
 * 2,048-CPU task beside a daemon on a large/xlarge/2xlarge group) would then never scale that group.
 * For such tasks the group is planned as the weakest per unit among the types that hold the
 * largest of them, and desired grows by that type's weight (Auto Scaling fills weight units,
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups-instance-weighting.html).
 */
import type { CapacityGroup, InstanceTypeOption, TaskShape } from './cluster';
import { fits, freshBin } from './placement';
import { dominantShare } from './task-size';

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
  let best: CapacityGroup | undefined;
  let bestPerUnit = Number.POSITIVE_INFINITY;
  for (const [k, v] of variants.entries()) {
    if (!fits(big, probes[k] as ReturnType<typeof freshBin>).ok) continue;
    const w = v.weight ?? 1;
    const perUnit = Math.min(v.instance.cpu / w, v.instance.memory / w / 4);
    if (best === undefined || perUnit < bestPerUnit) [best, bestPerUnit] = [v, perUnit];
  }
  return best ?? g;
}
