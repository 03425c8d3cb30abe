/**
 * The Auto Scaling port over the simulated world: what the Auto Scaling adapter
 * (handlers/aws/autoscaling.ts) reports, refusing out-of-bounds requests with a ValidationError.
 */
import { HeadroomError } from '../../../core/errors';
import { FAILED_LAUNCH_LOOKBACK_SECONDS, type AutoScaling, type GroupState, type HookRef, type MemberState } from '../../../handlers/app/ports';
import type { SimWorld } from '../../world/sim-world';
import { pages, type ApiCalls } from './api-calls';


/** The launch template each simulated group launches from (version 1, immutable). */
export const launchTemplateName = (group: string): string => `${group}-template`;

export function simAutoScalingPort(world: SimWorld, { calls, call }: ApiCalls): AutoScaling {
  return {
    async describeGroups(names) {
      const groups = names.map((n) => world.groupByName(n)).filter((g): g is NonNullable<typeof g> => g !== undefined);
      await calls({ DescribeAutoScalingGroups: pages(names.length, 100), DescribeScalingActivities: groups.length }, 'DescribeAutoScalingGroups');
      return groups.map(
        (g): GroupState => ({
          name: g.name,
          min: g.min,
          max: g.max,
          desired: g.desired,
          // Auto Scaling reports what a group launches, not its sizes: a mixed-instances group its
          // overrides with `WeightedCapacity`, any other group its launch template (resolved through
          // the EC2 catalog below); members with their type and zone (DescribeAutoScalingGroups).
          ...(g.spec.instanceTypes !== undefined
            ? { instanceType: g.types[0]?.instanceType ?? g.spec.instanceType, overrides: g.types.map((t) => ({ instanceType: t.instanceType, weight: t.weight })) }
            : {}),
          launchTemplate: { name: launchTemplateName(g.name), version: '1' },
          availabilityZones: g.zones,
          // `launchedAt`: the member's launch activity (DescribeScalingActivities names the instance).
          members: world.members(g).map((i) => ({ instanceId: i.id, lifecycleState: i.lifecycle, instanceType: i.type.instanceType, availabilityZone: i.zone, launchedAt: i.launchedAt })),
          // DescribeScalingActivities: the most recent failed launch within the last hour.
          ...(g.launchFailedAt !== undefined && world.now - g.launchFailedAt <= FAILED_LAUNCH_LOOKBACK_SECONDS * 1000 ? { launchFailedAt: g.launchFailedAt } : {}),
          // A Spot mixed-instances group (OnDemandPercentageAboveBaseCapacity below 100); a single-type
          // Spot group says so in its launch template's market options instead.
          ...(g.spec.spot && g.spec.instanceTypes !== undefined ? { spot: true } : {}),
        }),
      );
    },
    async lifecycleStates(ids) {
      // DescribeAutoScalingInstances: ≤ 50 ids per request; instances in no group are left out.
      await call(pages(ids.length, 50), 'DescribeAutoScalingInstances');
      const out = new Map<string, MemberState>();
      for (const id of ids) {
        const i = world.findInstance(id);
        if (i !== undefined && i.lifecycle !== 'Terminated') out.set(id, { group: i.group.name, lifecycleState: i.lifecycle });
      }
      return out;
    },
    async setDesiredCapacity(group, desired) {
      await call(1, 'SetDesiredCapacity');
      const g = world.groupByName(group);
      if (g === undefined) throw new HeadroomError('invalid-input', `ValidationError: AutoScalingGroup name not found - ${group}`);
      // Like the AWS adapter: a scale-out never lowers desired capacity.
      world.setDesired(g, Math.max(g.desired, desired), 'headroom');
    },
    async terminateInstance(instanceId, decrement) {
      await call(1, 'TerminateInstanceInAutoScalingGroup');
      return world.terminateInstance(instanceId, decrement, 'headroom');
    },
    async heartbeat(hook: HookRef) {
      await call(1, 'RecordLifecycleActionHeartbeat');
      return world.heartbeat(hook.instanceId);
    },
    async completeLifecycleAction(hook: HookRef) {
      await call(1, 'CompleteLifecycleAction');
      return world.completeLifecycle(hook.instanceId);
    },
  };
}
