/**
 * Zones for scale-out: a run of groups that differ only by their single zone (the "one group per
 * zone" layout) is one pool whose new instances are spread evenly, the zone with the fewest
 * instances first, so a zone-wide Spot event cannot take most of the spare capacity.
 */
import type { CapacityGroup } from './cluster';

/** Instances (not weight units) a group may still add. */
export function room(g: CapacityGroup): number {
  return Math.max(0, Math.floor((g.max - g.desired) / weightOf(g)));
}

/** Capacity units one instance counts for: a group's planned weight or a member's `WeightedCapacity` (1 when absent). */
export function weightOf(g: { readonly weight?: number | undefined }): number {
  return g.weight !== undefined && g.weight > 0 ? g.weight : 1;
}

/**
 * Capacity units each member counts for in its group's desired capacity, by instance id: its
 * `WeightedCapacity` (1 when absent); when a group's member list is not known, the group's planned
 * weight. Terminating a member with the decrement lowers desired by these units.
 */
export function memberWeights(groups: readonly CapacityGroup[]): (group: string | undefined, id: string) => number {
  const byId = new Map<string, number>();
  const planned = new Map<string, number>();
  for (const g of groups) {
    planned.set(g.name, g.members === undefined ? weightOf(g) : 1);
    for (const m of g.members ?? []) byId.set(m.id, weightOf(m));
  }
  return (group, id) => byId.get(id) ?? (group !== undefined ? planned.get(group) : undefined) ?? 1;
}

export function zoneOf(g: CapacityGroup): string | undefined {
  return g.attributes?.['ecs.availability-zone'] ?? (g.availabilityZones?.length === 1 ? g.availabilityZones[0] : undefined);
}

/**
 * Consecutive groups (in the order tried) that differ only by their single zone: the same instance
 * shape, weight and Spot flag. Such a run is one pool spread across zones (the usual "one group per
 * zone" layout), so new instances are spread evenly across it instead of filling the first.
 */
export function zoneRuns(order: readonly CapacityGroup[]): CapacityGroup[][] {
  const runs: CapacityGroup[][] = [];
  for (const g of order) {
    const run = runs[runs.length - 1];
    const head = run?.[0];
    const z = zoneOf(g);
    const peer =
      run !== undefined &&
      head !== undefined &&
      z !== undefined &&
      zoneOf(head) !== undefined &&
      !run.some((r) => zoneOf(r) === z) &&
      head.instance.cpu === g.instance.cpu &&
      head.instance.memory === g.instance.memory &&
      weightOf(head) === weightOf(g) &&
      (head.spot === true) === (g.spot === true);
    if (peer) run.push(g);
    else runs.push([g]);
  }
  return runs;
}

/**
 * The group of each of the next `limit` new instances of a zone run: always the group with the
 * fewest instances (desired + already assigned), ties in priority order — the rule Auto Scaling
 * itself uses across the zones of one group ("launches new instances in the Availability Zone with
 * the fewest instances", https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html#arch-AutoScalingMultiAZ).
 */
export function balancedSequence(run: readonly CapacityGroup[], limit: number): CapacityGroup[] {
  const count = run.map((g) => Math.ceil(g.desired / weightOf(g)));
  const left = run.map(room);
  const seq: CapacityGroup[] = [];
  while (seq.length < limit) {
    let best = -1;
    for (let k = 0; k < run.length; k++) if ((left[k] as number) > 0 && (best < 0 || (count[k] as number) < (count[best] as number))) best = k;
    if (best < 0) break;
    seq.push(run[best] as CapacityGroup);
    count[best] = (count[best] as number) + 1;
    left[best] = (left[best] as number) - 1;
  }
  return seq;
}

