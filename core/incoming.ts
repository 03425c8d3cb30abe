/**
 * Which instances are leaving and which capacity is on its way: what scale-out counts before it
 * asks for more (`scale-out.ts`), and what the decision reactivates against (`decide.ts`).
 */
import type { CapacityGroup, Instance } from './cluster';
import { INTERRUPTED_ATTRIBUTE } from './cluster';
import { weightOf } from './zones';

/**
 * Whether an instance is on its way out (its capacity does not count, its service tasks move):
 * terminating, in `leaving`, or marked interrupted (`INTERRUPTED_ATTRIBUTE`).
 */
export function isLeaving(instance: Instance, leaving?: ReadonlySet<string>): boolean {
  return instance.terminating === true || leaving?.has(instance.id) === true || instance.attributes[INTERRUPTED_ATTRIBUTE] !== undefined;
}

/**
 * Capacity on its way, per group, counted only from what the group can still deliver:
 * - members that exist, are not leaving and have not registered with ECS yet, while younger than
 *   `provisioningTimeoutSeconds` (a member of unknown age counts while its lifecycle state is
 *   `Pending*`: an `InService` member that never registered is broken, not incoming), each as
 *   ⌊its weight / the planned weight⌋ planned instances (at least one): a weight-2 member of a
 *   group planned in weight-1 instances is two of them, not one;
 * - desired capacity with no member yet (desired − the live members' weight units, in instances of
 *   the planned weight; a mixed-instances group counts desired in weight units), unless a launch of
 *   the group failed within the provisioning timeout: a group whose launches fail contributes
 *   nothing it has not delivered, so the next group gets the work on this tick.
 * Auto Scaling keeps desired capacity after a failed launch and retries it with back-off, logging a
 * failed activity each time ("Launching a new EC2 instance. Status Reason: …",
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ts-as-capacity.html), so a stale failure
 * ages out here only while launches succeed again.
 * Without a member list (`members` absent), desired − registered members is counted (the older rule).
 */
export function incomingByGroup(
  instances: readonly Instance[],
  groups: readonly CapacityGroup[],
  leaving?: ReadonlySet<string>,
  now = 0,
  provisioningTimeoutSeconds = Number.POSITIVE_INFINITY,
): Map<string, number> {
  const registered = new Map<string, number>();
  const known = new Set<string>();
  const departing = new Set<string>();
  for (const i of instances) {
    known.add(i.id);
    if (isLeaving(i, leaving)) {
      departing.add(i.id);
      continue;
    }
    if (i.group !== undefined) registered.set(i.group, (registered.get(i.group) ?? 0) + 1);
  }
  const timeoutMs = provisioningTimeoutSeconds * 1000;
  const incoming = new Map<string, number>();
  for (const g of groups) {
    const weight = weightOf(g);
    if (g.members === undefined) {
      incoming.set(g.name, Math.max(0, Math.ceil(g.desired / weight) - (registered.get(g.name) ?? 0)));
      continue;
    }
    let liveUnits = 0;
    let unregistered = 0;
    for (const m of g.members) {
      if (leaving?.has(m.id) === true || departing.has(m.id)) continue;
      const units = weightOf(m);
      liveUnits += units;
      if (known.has(m.id)) continue;
      const young = m.launchedAt !== undefined ? now - m.launchedAt < timeoutMs : m.pending;
      // An unregistered member brings its weight in units, each at least what the planned shape
      // delivers per unit: ⌊units / planned weight⌋ planned instances (at least one), like desired.
      if (young) unregistered += Math.max(1, Math.floor(units / weight));
    }
    const failed = g.launchFailedAt !== undefined && now - g.launchFailedAt < timeoutMs;
    const requested = failed ? 0 : Math.max(0, Math.ceil((g.desired - liveUnits) / weight));
    incoming.set(g.name, unregistered + requested);
  }
  return incoming;
}
