/**
 * The deployment check of the recommended setup (`npm run plan`). Each Auto Scaling group Headroom
 * manages has an ECS capacity provider with managed scaling ENABLED, managed termination protection
 * and managed draining DISABLED, and the group's `AlarmNotification` process suspended:
 * - managed scaling on is what makes ECS hold a task that finds no room in PROVISIONING instead of
 *   failing it ("the transition to provisioning only happens if you have enabled managed scaling for
 *   the capacity provider; otherwise, tasks that can't find capacity will fail immediately": AWS
 *   Containers blog, "Deep Dive on Amazon ECS Cluster Auto Scaling", 2020);
 * - managed scaling acts on the group through a target tracking scaling policy and its CloudWatch
 *   alarms (ECS Developer Guide, "Automatically manage Amazon ECS capacity with cluster auto
 *   scaling"); suspending `AlarmNotification` "allows you to temporarily stop the group's target
 *   tracking, step, and simple scaling policies without deleting the scaling policies or their
 *   associated CloudWatch alarms" (EC2 Auto Scaling User Guide, "Considerations for suspending
 *   processes"), so only Headroom sets the desired capacity;
 * - managed termination protection would refuse Headroom's scale-in terminations; managed draining,
 *   on by default for a new capacity provider (ECS Developer Guide, "Configuring Amazon ECS capacity
 *   providers to safely shut down instances"), adds a second terminate hook that drains the
 *   instances Headroom drains.
 * In any setup, a managed group spanning several zones has its `AZRebalance` process suspended.
 * A managed group with no capacity provider runs in the plain setup (a job that does not fit fails
 * at once and is seen through the headroom shortfall): a note, not a warning. Pure: the providers and
 * the groups' suspended processes come from the caller.
 */

/** One Auto Scaling group capacity provider of the cluster, in our terms. */
export interface CapacityProviderSetup {
  readonly name: string;
  /** The Auto Scaling group's name (from its ARN), when the provider has one. */
  readonly group?: string;
  readonly managedScaling: boolean;
  readonly managedTerminationProtection: boolean;
  readonly managedDraining: boolean;
}

/** A managed Auto Scaling group as the check needs it: its suspended processes and zones (`DescribeAutoScalingGroups`). */
export interface GroupProcesses {
  readonly name: string;
  readonly suspendedProcesses: readonly string[];
  /** Members protected from scale-in, and whether new instances are (`DescribeAutoScalingGroups`). */
  readonly scaleInProtection?: { readonly instances: number; readonly newInstances: boolean };
  readonly availabilityZones?: readonly string[];
}

/** What `plan` prints under "Setup": warnings (the setup works against Headroom) and notes (facts). */
export interface SetupCheck {
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
}

/** The Auto Scaling process whose suspension stops ECS's target tracking policy on a group. */
export const ALARM_NOTIFICATION = 'AlarmNotification';

const SEE = '(docs/operations.md, "Headroom and ECS capacity providers")';
const GUIDE = 'docs/migrating-from-capacity-providers.md';

/**
 * The Auto Scaling process that rebalances a multi-zone group: after a termination that leaves its
 * zones unbalanced it launches in the emptier zone and then terminates in the fuller one (EC2 Auto
 * Scaling User Guide, "Rebalancing activities"), undoing Headroom's choice of the emptiest instance
 * at the price of a launch and a drain. The recommended setup suspends it (measured in
 * docs/aws-model.md, "Availability Zone rebalancing and Headroom"), in groups of any setup.
 */
export const AZ_REBALANCE = 'AZRebalance';

/** One warning per rule a managed group's setup breaks; one note per managed group with no capacity provider. */
export function checkSetup(providers: readonly CapacityProviderSetup[], groups: readonly GroupProcesses[]): SetupCheck {
  const warnings: string[] = [];
  const notes: string[] = [];
  for (const g of groups) {
    if ((g.availabilityZones?.length ?? 0) > 1 && !g.suspendedProcesses.includes(AZ_REBALANCE)) {
      warnings.push(`group ${g.name}: spans ${g.availabilityZones?.length} zones and its ${AZ_REBALANCE} process is not suspended, so Auto Scaling replaces Headroom's scale-in picks that leave the zones unbalanced (a launch, then a drain); suspend it (docs/aws-model.md, "Availability Zone rebalancing and Headroom")`);
    }
    const mine = providers.filter((p) => p.group === g.name);
    if (mine.length === 0) {
      notes.push(`group ${g.name} has no capacity provider: it runs in the plain setup (a job that does not fit fails at once instead of waiting in PROVISIONING) ${SEE}`);
      continue;
    }
    const suspended = g.suspendedProcesses.includes(ALARM_NOTIFICATION);
    for (const p of mine) {
      const at = `capacity provider ${p.name} of group ${g.name}`;
      // The unsafe order of a migration: ECS's target tracking can still scale in, and its managed
      // termination protection no longer keeps it off instances with tasks.
      if (p.managedScaling && !suspended && !p.managedTerminationProtection) warnings.push(`${at}: UNSAFE: managed termination protection is off while ECS's target tracking can still scale the group in, so instances with tasks can be terminated; suspend the group's ${ALARM_NOTIFICATION} process now (${GUIDE}, step 2)`);
      if (!p.managedScaling) warnings.push(`${at}: managed scaling off, so a job that does not fit fails at once instead of waiting in PROVISIONING; turn it on and suspend the group's ${ALARM_NOTIFICATION} process ${SEE}`);
      else if (!suspended) warnings.push(`${at}: managed scaling on but the group's ${ALARM_NOTIFICATION} process is not suspended, so ECS's target tracking policy changes desired capacity against Headroom; suspend it ${SEE}`);
      const on = [p.managedTerminationProtection ? 'managed termination protection' : undefined, p.managedDraining ? 'managed draining' : undefined].filter((x): x is string => x !== undefined);
      if (on.length > 0) warnings.push(`${at}: ${on.join(', ')} on; turn ${on.length > 1 ? 'them' : 'it'} off${suspended ? '' : ` once the group's ${ALARM_NOTIFICATION} process is suspended, not before`} ${SEE}`);
    }
    // With managed termination protection on, ECS sets and clears instance protection itself.
    const protection = g.scaleInProtection;
    if (protection !== undefined && !mine.some((p) => p.managedTerminationProtection)) {
      const what = [protection.instances > 0 ? `${protection.instances} instance(s) protected from scale-in` : undefined, protection.newInstances ? 'new instances protected from scale-in' : undefined].filter((x): x is string => x !== undefined);
      warnings.push(`group ${g.name}: ${what.join(' and ')}, so Auto Scaling refuses the terminations Headroom asks for; turn the protection off (${GUIDE}, step 5)`);
    }
  }
  return { warnings, notes };
}
