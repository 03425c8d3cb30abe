/**
 * The cluster's capacity providers, for the deployment check of `npm run plan`: one
 * DescribeClusters (its `capacityProviders` names) and DescribeCapacityProviders of those names,
 * asked 10 at a time: a cluster holds at most 20 (service quota "Capacity providers per cluster",
 * ECS Developer Guide, "Amazon ECS service quotas"), and without `maxResults` the call "returns up to
 * 10 results and a nextToken value if applicable" (ECS API Reference, DescribeCapacityProviders,
 * `maxResults`), so 10 names fill one page and no `nextToken` is left unread. Fargate providers (no Auto Scaling group) come
 * back without a group. The groups' suspended processes come with the tick's own
 * DescribeAutoScalingGroups (`GroupState.suspendedProcesses`). Read only; `plan` runs with the
 * caller's credentials, the functions never call this.
 */
import { DescribeCapacityProvidersCommand, DescribeClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { CapacityProviderSetup } from '../../../core/capacity-providers';

/** The group name of an Auto Scaling group ARN (`…:autoScalingGroupName/NAME`), or the value itself when it is a name. */
export function groupNameOf(arnOrName: string): string {
  const at = arnOrName.indexOf('autoScalingGroupName/');
  return at >= 0 ? arnOrName.slice(at + 'autoScalingGroupName/'.length) : arnOrName;
}

/**
 * The cluster's status: `ACTIVE`, `PROVISIONING`, `DEPROVISIONING`, `FAILED` or `INACTIVE` from
 * `clusters[].status`, or the `failures[].reason` ECS gives for a name it does not know (`MISSING`;
 * ECS API Reference, DescribeClusters and Failure). A deleted cluster stays `INACTIVE` for a while.
 */
export async function clusterStatus(client: ECSClient, cluster: string): Promise<string> {
  const out = await client.send(new DescribeClustersCommand({ clusters: [cluster] }));
  return out?.clusters?.[0]?.status ?? out?.failures?.[0]?.reason ?? 'MISSING';
}

export async function describeCapacityProviders(client: ECSClient, cluster: string): Promise<CapacityProviderSetup[]> {
  const names = (await client.send(new DescribeClustersCommand({ clusters: [cluster] })))?.clusters?.[0]?.capacityProviders ?? [];
  const out: CapacityProviderSetup[] = [];
  for (let k = 0; k < names.length; k += 10) {
    const page = await client.send(new DescribeCapacityProvidersCommand({ capacityProviders: names.slice(k, k + 10) }));
    for (const p of page?.capacityProviders ?? []) {
      const asg = p.autoScalingGroupProvider;
      out.push({
        name: p.name ?? '(unnamed)',
        ...(asg?.autoScalingGroupArn !== undefined ? { group: groupNameOf(asg.autoScalingGroupArn) } : {}),
        managedScaling: asg?.managedScaling?.status === 'ENABLED',
        managedTerminationProtection: asg?.managedTerminationProtection === 'ENABLED',
        managedDraining: asg?.managedDraining === 'ENABLED',
      });
    }
  }
  return out;
}

