/**
 * The mistakes `npm run plan` refuses to pass over (exit 2, one line each, `errors[]` in JSON): a
 * cluster that does not exist, a configured group that does not exist, and a group whose instances
 * are none of them in the cluster (the wrong group, or user data that registers them elsewhere).
 * Each of these would leave the functions deciding on a cluster they cannot see, silently. Pure:
 * the reads come from the caller.
 */
import type { Instance } from '../core/cluster';
import type { GroupState } from '../handlers/app/ports';

/** One line for a cluster whose `DescribeClusters` status is not `ACTIVE`; none when it is. */
export function clusterErrors(cluster: string, status: string): string[] {
  if (status === 'ACTIVE') return [];
  const what = status === 'MISSING' ? 'not found' : `is ${status}`;
  return [`cluster "${cluster}" ${what} (ECS DescribeClusters): check --cluster / CLUSTER_NAME and the region (AWS_REGION)`];
}

/** One line per configured group that `DescribeAutoScalingGroups` did not return (names are case-sensitive). */
export function missingGroupErrors(asgNames: readonly string[], found: readonly GroupState[]): string[] {
  const names = new Set(found.map((g) => g.name));
  return asgNames.filter((n) => !names.has(n)).map((n) => `Auto Scaling group "${n}" not found: check --asg-names / ASG_NAMES (names are case-sensitive) and the region (AWS_REGION)`);
}

/**
 * Groups with members in service for longer than `graceSeconds` and not one of them registered
 * with the cluster: an error each. The grace is the configured `PROVISIONING_TIMEOUT_SECONDS`, the
 * time the functions give a launched instance to register before it stops counting as incoming
 * capacity (the ECS agent registers when it starts, usually within a minute or two of boot); a
 * group of only younger members is not judged yet. A group with no member cannot be judged (it may
 * be scaled to zero): a warning, so the user knows the check did not run.
 */
export function membershipChecks(cluster: string, groups: readonly GroupState[], instances: readonly Instance[], now: number, graceSeconds: number): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const registered = new Set(instances.map((i) => i.id));
  for (const g of groups) {
    if (g.members.some((m) => registered.has(m.instanceId))) continue;
    const settled = g.members.filter((m) => m.lifecycleState === 'InService' && (m.launchedAt === undefined || now - m.launchedAt >= graceSeconds * 1000));
    if (settled.length > 0) {
      errors.push(`group "${g.name}" has ${settled.length} instance(s) in service and none is registered with cluster "${cluster}": is it this cluster's group, and does its user data set ECS_CLUSTER=${cluster}?`);
    } else if (g.members.length === 0) {
      warnings.push(`group "${g.name}" has no instance: whether it serves cluster "${cluster}" is checked once it has one`);
    }
  }
  return { errors, warnings };
}
