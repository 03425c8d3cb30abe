/**
 * Which instances are leaving and which capacity is on its way: what scale-out counts before it
 * asks for more (`scale-out.ts`), and what the decision reactivates against (`decide.ts`). Computed
 * once per decision (`incomingCapacity`) and turned into bins by one function (`incomingBins`), so
 * the decision and scale-out cannot disagree on how many instances are coming or where.
 */
import type { CapacityGroup, Instance, TaskShape } from './cluster';
import { INTERRUPTED_ATTRIBUTE } from './cluster';
import { freshBin, type Bin } from './placement';
import { weightOf } from './zones';

/**
 * Whether an instance is on its way out (its capacity does not count, its service tasks move):
 * terminating, in `leaving`, or marked interrupted (`INTERRUPTED_ATTRIBUTE`).
 */
export function isLeaving(instance: Instance, leaving?: ReadonlySet<string>): boolean {
  return instance.terminating === true || leaving?.has(instance.id) === true || instance.attributes[INTERRUPTED_ATTRIBUTE] !== undefined;
}

/** Capacity on its way into one group, in instances of its planned shape. */
export interface IncomingOfGroup {
  readonly count: number;
  /**
   * One entry per planned instance that a launched (not yet registered) member brings: the zone
   * Auto Scaling put that member in, undefined when not reported. The other `count − length` are
   * launches still to come, whose zones only Auto Scaling's balancing predicts (`predictedZone`).
   */
  readonly launched: readonly (string | undefined)[];
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
export function incomingCapacity(
  instances: readonly Instance[],
  groups: readonly CapacityGroup[],
  leaving?: ReadonlySet<string>,
  now = 0,
  provisioningTimeoutSeconds = Number.POSITIVE_INFINITY,
): Map<string, IncomingOfGroup> {
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
  const incoming = new Map<string, IncomingOfGroup>();
  for (const g of groups) {
    const weight = weightOf(g);
    if (g.members === undefined) {
      incoming.set(g.name, { count: Math.max(0, Math.ceil(g.desired / weight) - (registered.get(g.name) ?? 0)), launched: [] });
      continue;
    }
    let liveUnits = 0;
    const launched: Array<string | undefined> = [];
    for (const m of g.members) {
      if (leaving?.has(m.id) === true || departing.has(m.id)) continue;
      const units = weightOf(m);
      liveUnits += units;
      if (known.has(m.id)) continue;
      const young = m.launchedAt !== undefined ? now - m.launchedAt < timeoutMs : m.pending;
      // An unregistered member brings its weight in units, each at least what the planned shape
      // delivers per unit: ⌊units / planned weight⌋ planned instances (at least one), like desired.
      if (young) for (let k = Math.max(1, Math.floor(units / weight)); k > 0; k--) launched.push(m.availabilityZone);
    }
    const failed = g.launchFailedAt !== undefined && now - g.launchFailedAt < timeoutMs;
    const requested = failed ? 0 : Math.max(0, Math.ceil((g.desired - liveUnits) / weight));
    incoming.set(g.name, { count: launched.length + requested, launched });
  }
  return incoming;
}

/** Instances on their way per group (the counts of `incomingCapacity`). */
export function incomingCounts(incoming: ReadonlyMap<string, IncomingOfGroup>): Map<string, number> {
  return new Map([...incoming].map(([g, i]) => [g, i.count]));
}

/**
 * How many of a group's instances on their way take their zone from Auto Scaling's balancing
 * (`predictedZone` indices 0 … n − 1 in `incomingBins`): the launches requested but not yet made,
 * and launched members whose zone is not reported. Auto Scaling makes those launches before any
 * this decision asks for, so a new instance's zone guess continues the sequence after them: the
 * first new instance is the group's (n + 1)-th next launch, not its first.
 */
export function predictedLaunches(on: IncomingOfGroup | undefined): number {
  if (on === undefined) return 0;
  let n = 0;
  for (let k = 0; k < on.count; k++) if (on.launched[k] === undefined) n++;
  return n;
}

/**
 * One fresh bin per instance on its way, in the groups' order: a launched member's in the zone
 * Auto Scaling put it in; the launches still to come (and a member whose zone is not reported) in
 * the zones Auto Scaling's balancing predicts. `predictedZone` already counts every member, so the
 * j-th of those is the group's j-th next launch, not its (launched + j)-th. A task pinned to one
 * zone (`memberOf` on `attribute:ecs.availability-zone`) thus counts on an instance in that zone
 * only.
 */
export function incomingBins(groups: readonly CapacityGroup[], incoming: ReadonlyMap<string, IncomingOfGroup>, daemons: readonly TaskShape[]): Bin[] {
  const bins: Bin[] = [];
  for (const g of groups) {
    const on = incoming.get(g.name);
    if (on === undefined) continue;
    let predicted = 0;
    for (let k = 0; k < on.count; k++) {
      const zone = on.launched[k];
      if (zone !== undefined) bins.push(freshBin(g, daemons, k, 'launched', zone));
      else bins.push(freshBin(g, daemons, predicted++, 'incoming'));
    }
  }
  return bins;
}
