/**
 * What the deployment check of `npm run plan` reads of the cluster's setup (`core/capacity-providers.ts`):
 * - the cluster's capacity providers: one DescribeClusters (its `capacityProviders` names) and
 *   DescribeCapacityProviders of those names (a cluster holds at most 20; asked 10 at a time).
 *   Fargate providers (no Auto Scaling group) come back without a group;
 * - the managed groups' suspended processes: `SuspendedProcesses` of DescribeAutoScalingGroups
 *   (up to 100 names per call: EC2 Auto Scaling API Reference, `DescribeAutoScalingGroups`).
 * Read only; `plan` runs with the caller's credentials, the functions never call these.
 */
import { paginateDescribeAutoScalingGroups, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeCapacityProvidersCommand, DescribeClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { CapacityProviderSetup, GroupProcesses } from '../../core/capacity-providers';
import { chunks } from './util';

/** The group name of an Auto Scaling group ARN (`…:autoScalingGroupName/NAME`), or the value itself when it is a name. */
export function groupNameOf(arnOrName: string): string {
  const at = arnOrName.indexOf('autoScalingGroupName/');
  return at >= 0 ? arnOrName.slice(at + 'autoScalingGroupName/'.length) : arnOrName;
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

/** Each named group's suspended processes (`[]` when none); a name Auto Scaling does not know is left out. */
export async function describeSuspendedProcesses(client: AutoScalingClient, names: readonly string[]): Promise<GroupProcesses[]> {
  const out: GroupProcesses[] = [];
  for (const batch of chunks(names, 100)) {
    for await (const page of paginateDescribeAutoScalingGroups({ client, pageSize: 100 }, { AutoScalingGroupNames: batch })) {
      for (const g of page.AutoScalingGroups ?? []) {
        if (g.AutoScalingGroupName === undefined) continue;
        out.push({ name: g.AutoScalingGroupName, suspendedProcesses: (g.SuspendedProcesses ?? []).map((p) => p.ProcessName).filter((n): n is string => n !== undefined) });
      }
    }
  }
  return out;
}
