/**
 * A group's live members counted per Availability Zone, and the zones Auto Scaling picks from
 * those counts: a launch goes to the zone with the fewest instances, AZRebalance terminates in the
 * one with the most (EC2 Auto Scaling User Guide, "Rebalancing activities"). Ties go to the zone
 * listed first, so runs never depend on anything but the group's zone order.
 */

/** Live members per zone of a group (every zone of the group listed, empty ones at 0). */
export function zoneCounts(zones: readonly string[], members: readonly { readonly zone: string }[]): Map<string, number> {
  const out = new Map<string, number>(zones.map((z) => [z, 0]));
  for (const m of members) out.set(m.zone, (out.get(m.zone) ?? 0) + 1);
  return out;
}

/** The zone with the fewest members (first listed wins ties); undefined for no zone. */
export function emptiestZone(counts: ReadonlyMap<string, number>): string | undefined {
  let emptiest: string | undefined;
  for (const [z, n] of counts) if (emptiest === undefined || n < (counts.get(emptiest) ?? 0)) emptiest = z;
  return emptiest;
}

/** The zone with the most members (first listed wins ties); undefined for no zone. */
export function fullestZone(counts: ReadonlyMap<string, number>): string | undefined {
  let fullest: string | undefined;
  for (const [z, n] of counts) if (fullest === undefined || n > (counts.get(fullest) ?? 0)) fullest = z;
  return fullest;
}
