/**
 * The deployment check of the recommended setup: each Auto Scaling group Headroom manages may have
 * an ECS capacity provider (so tasks wait in PROVISIONING), but with managed scaling, managed
 * termination protection and managed draining all off. Managed scaling would resize the group
 * against Headroom; managed termination protection would refuse Headroom's scale-in terminations
 * (and works only with managed scaling: ECS API Reference, `AutoScalingGroupProvider`); managed
 * draining, on by default for a new capacity provider (ECS Developer Guide, "Configuring Amazon ECS
 * capacity providers to safely shut down instances"), adds a second terminate hook that drains the
 * instances Headroom drains. Pure: the providers come from the caller.
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

/** One line per capacity provider of a managed group with a managed feature on; [] when the setup is right. */
export function capacityProviderWarnings(providers: readonly CapacityProviderSetup[], managedGroups: readonly string[]): string[] {
  const managed = new Set(managedGroups);
  const out: string[] = [];
  for (const p of providers) {
    if (p.group === undefined || !managed.has(p.group)) continue;
    const on = [p.managedScaling ? 'managed scaling' : undefined, p.managedTerminationProtection ? 'managed termination protection' : undefined, p.managedDraining ? 'managed draining' : undefined].filter(
      (x): x is string => x !== undefined,
    );
    if (on.length > 0) out.push(`capacity provider ${p.name} of group ${p.group}: ${on.join(', ')} on; turn ${on.length > 1 ? 'them' : 'it'} off (README, "Headroom and ECS capacity providers")`);
  }
  return out;
}
