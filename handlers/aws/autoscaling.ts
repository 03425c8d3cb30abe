/**
 * Auto Scaling adapter: the `AutoScaling` port over `@aws-sdk/client-auto-scaling`.
 *
 * Calls used: DescribeAutoScalingGroups (paginated, 100 per page), DescribeAutoScalingInstances
 * (≤ 50 ids per call: an instance's lifecycle state right before an act), DescribeScalingActivities (one
 * call per group, the 20 newest activities: a recent failed launch backs the group off, and launch
 * activities date the members that have not registered yet), DescribeLaunchConfigurations (only for
 * groups on a launch configuration: its instance type),
 * SetDesiredCapacity (after a DescribeAutoScalingGroups of that group: never lowers),
 * TerminateInstanceInAutoScalingGroup, RecordLifecycleActionHeartbeat,
 * CompleteLifecycleAction (CONTINUE). "No active Lifecycle Action found" and "instance not found"
 * validation errors mean the work is already done: they return `'gone'`.
 */
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  DescribeScalingActivitiesCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  paginateDescribeAutoScalingGroups,
  paginateDescribeAutoScalingInstances,
  type Activity,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { FAILED_LAUNCH_LOOKBACK_SECONDS, type AutoScaling, type GroupState, type HookRef, type MemberState, type TerminateResult } from '../app/ports';
import { chunks, classify, errorMessage, errorName, mapLimit } from './util';


/**
 * The exact ValidationError messages that mean "already done": CompleteLifecycleAction and
 * RecordLifecycleActionHeartbeat answer "No active Lifecycle Action found with instance ID …" (or
 * "… with token …") once the action is completed or expired; TerminateInstanceInAutoScalingGroup
 * answers "Instance Id not found - No managed instance found for instance ID …" once the instance
 * left the group (quoted in public trackers, e.g. convox/rack#2432, spacelift-io/…#197). Anything
 * else is an error, never "gone": in particular the minimum-size refusal below, which an earlier
 * pattern (/terminating/) mistook for a vanished instance.
 */
const GONE_MESSAGES = [/^No active Lifecycle Action found with (instance ID|token) /, /^Instance Id not found - No managed instance found for instance ID/];

/**
 * TerminateInstanceInAutoScalingGroup for an instance that already left InService between our read
 * and the call (terminating, detaching): "The instance i-… is not in InService or EnteringStandby or
 * Standby." (department-of-veterans-affairs/va.gov-team#65849; the same wording for DetachInstances
 * in reproio/ecs_deploy#47). It is already leaving: the termination has nothing left to do.
 */
const ALREADY_LEAVING = /^The instance i-[0-9a-zA-Z]+ is not in InService\b/;

/**
 * TerminateInstanceInAutoScalingGroup with a decrement at the group's minimum: "Currently,
 * desiredSize equals minSize (N). Terminating instance without replacement will violate group's min
 * size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min
 * size." (buildkite/elastic-ci-stack-for-aws#1261, hashicorp/nomad-autoscaler#1290).
 */
const AT_MIN = /Terminating instance without replacement will violate group's min size constraint/;

function isGone(error: unknown): boolean {
  return errorName(error) === 'ValidationError' && GONE_MESSAGES.some((p) => p.test(errorMessage(error)));
}

function mostCommon(values: ReadonlyArray<string | undefined>): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  let n = 0;
  for (const [v, c] of counts) if (c > n) [best, n] = [v, c];
  return best;
}

/** A scaling activity that is a failed launch: failed, and a launch by its description or cause. */
export function isFailedLaunch(status: string | undefined, description: string | undefined, cause: string | undefined): boolean {
  return status === 'Failed' && (/^launching/i.test(description ?? '') || /launch/i.test(cause ?? ''));
}

/** The newest failed launch among activities (epoch ms), within the look-back window. */
export function lastFailedLaunch(activities: readonly Activity[], now: number): number | undefined {
  let latest: number | undefined;
  for (const a of activities) {
    if (a.StartTime === undefined || !isFailedLaunch(a.StatusCode, a.Description, a.Cause)) continue;
    const t = a.StartTime.getTime();
    if (now - t > FAILED_LAUNCH_LOOKBACK_SECONDS * 1000) continue;
    if (latest === undefined || t > latest) latest = t;
  }
  return latest;
}

/**
 * Start time of each instance's launch activity among `activities` (epoch ms), keyed by instance id.
 * Auto Scaling describes a launch as "Launching a new EC2 instance: i-…"
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-verify-scaling-activity.html).
 */
export function launchTimes(activities: readonly Activity[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of activities) {
    const m = /^Launching a new EC2 instance:\s*(i-[0-9a-f]+)/i.exec(a.Description ?? '');
    if (m?.[1] !== undefined && a.StartTime !== undefined) out.set(m[1], a.StartTime.getTime());
  }
  return out;
}

/**
 * The group as the core needs it. The type new instances get: the launch configuration's type
 * (`launchConfigurationTypes`), else the mixed-instances overrides (with their `WeightedCapacity`),
 * else the launch template (resolved through EC2 by the caller), else what members run. A group may
 * be Spot when its mixed-instances policy puts less than 100 % On-Demand above the base capacity
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstancesDistribution.html; the
 * default is 100).
 */
export function toGroupState(g: AutoScalingGroup, launchFailedAt: number | undefined, activities: readonly Activity[] = [], launchConfigurationTypes: ReadonlyMap<string, string> = new Map()): GroupState {
  const launched = launchTimes(activities);
  const members = (g.Instances ?? [])
    .filter((i) => i.InstanceId !== undefined)
    .map((i) => ({
      instanceId: i.InstanceId as string,
      lifecycleState: i.LifecycleState ?? 'Pending',
      ...(i.InstanceType !== undefined ? { instanceType: i.InstanceType } : {}),
      ...(i.AvailabilityZone !== undefined ? { availabilityZone: i.AvailabilityZone } : {}),
      ...(launched.has(i.InstanceId as string) ? { launchedAt: launched.get(i.InstanceId as string) as number } : {}),
    }));
  const mixed = g.MixedInstancesPolicy;
  const overrides = (mixed?.LaunchTemplate?.Overrides ?? [])
    .filter((o) => o.InstanceType !== undefined)
    .map((o) => {
      const w = o.WeightedCapacity !== undefined ? Number(o.WeightedCapacity) : Number.NaN;
      return { instanceType: o.InstanceType as string, ...(Number.isFinite(w) && w > 0 ? { weight: w } : {}) };
    });
  const spec = mixed?.LaunchTemplate?.LaunchTemplateSpecification ?? g.LaunchTemplate;
  const launchTemplate =
    spec !== undefined && (spec.LaunchTemplateId !== undefined || spec.LaunchTemplateName !== undefined)
      ? { ...(spec.LaunchTemplateId !== undefined ? { id: spec.LaunchTemplateId } : { name: spec.LaunchTemplateName as string }), ...(spec.Version !== undefined ? { version: spec.Version } : {}) }
      : undefined;
  const fromConfiguration = g.LaunchConfigurationName !== undefined ? launchConfigurationTypes.get(g.LaunchConfigurationName) : undefined;
  const instanceType = fromConfiguration ?? overrides[0]?.instanceType ?? mostCommon(members.map((m) => m.instanceType));
  const onDemandAbove = mixed?.InstancesDistribution?.OnDemandPercentageAboveBaseCapacity;
  const spot = mixed !== undefined && onDemandAbove !== undefined && onDemandAbove < 100;
  const suspendedProcesses = (g.SuspendedProcesses ?? []).map((p) => p.ProcessName).filter((n): n is string => n !== undefined);
  const protectedInstances = (g.Instances ?? []).filter((i) => i.ProtectedFromScaleIn === true).length;
  const newProtected = g.NewInstancesProtectedFromScaleIn === true;
  return {
    name: g.AutoScalingGroupName ?? '',
    min: g.MinSize ?? 0,
    max: g.MaxSize ?? 0,
    desired: g.DesiredCapacity ?? 0,
    ...(instanceType !== undefined ? { instanceType } : {}),
    availabilityZones: g.AvailabilityZones ?? [],
    members,
    ...(launchFailedAt !== undefined ? { launchFailedAt } : {}),
    ...(launchTemplate !== undefined ? { launchTemplate } : {}),
    ...(overrides.length > 0 ? { overrides } : {}),
    ...(spot ? { spot: true } : {}),
    ...(suspendedProcesses.length > 0 ? { suspendedProcesses } : {}),
    ...(protectedInstances > 0 || newProtected ? { scaleInProtection: { instances: protectedInstances, newInstances: newProtected } } : {}),
  };
}

/** `desired` within the group's bounds, where they are known. */
export function clampDesired(desired: number, min: number | undefined, max: number | undefined): number {
  return Math.max(min ?? 0, Math.min(max ?? Number.POSITIVE_INFINITY, desired));
}

export class AwsAutoScaling implements AutoScaling {
  constructor(
    private readonly client: AutoScalingClient,
    private readonly now: () => number,
  ) {}

  /**
   * The configured groups. Groups the answer holds that were not asked for are ignored (an answer is
   * checked, never trusted). DescribeScalingActivities is optional: it only dates failed launches
   * (back-off) and members not yet registered; when it fails the group is returned without them,
   * marked `activitiesUnavailable`, and the caller reports the degraded read (scale-out goes on).
   */
  async describeGroups(names: readonly string[]): Promise<GroupState[]> {
    const asked = new Set(names);
    let groups: AutoScalingGroup[];
    const configurationTypes = new Map<string, string>();
    try {
      groups = [];
      for (const batch of chunks(names, 100)) {
        for await (const page of paginateDescribeAutoScalingGroups({ client: this.client, pageSize: 100 }, { AutoScalingGroupNames: batch })) groups.push(...(page.AutoScalingGroups ?? []).filter((g) => asked.has(g.AutoScalingGroupName ?? '')));
      }
      const configurations = [...new Set(groups.map((g) => g.LaunchConfigurationName).filter((n): n is string => n !== undefined))];
      for (const batch of chunks(configurations, 50)) {
        // DescribeLaunchConfigurations: ≤50 names per call (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeLaunchConfigurations.html)
        const out = await this.client.send(new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: batch, MaxRecords: 50 }));
        for (const c of out.LaunchConfigurations ?? []) if (c.LaunchConfigurationName !== undefined && c.InstanceType !== undefined) configurationTypes.set(c.LaunchConfigurationName, c.InstanceType);
      }
    } catch (error) {
      return classify(error, `describing Auto Scaling groups ${names.join(', ')}`);
    }
    const now = this.now();
    return mapLimit(groups, 4, async (g) => {
      try {
        const out = await this.client.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: g.AutoScalingGroupName, MaxRecords: 20 }));
        const activities = out.Activities ?? [];
        return toGroupState(g, lastFailedLaunch(activities, now), activities, configurationTypes);
      } catch (error) {
        return { ...toGroupState(g, undefined, [], configurationTypes), activitiesUnavailable: `DescribeScalingActivities: ${errorName(error) || 'error'}: ${errorMessage(error)}` };
      }
    });
  }

  /**
   * DescribeAutoScalingInstances, ≤ 50 instance ids per call (and per page); ids that are in no
   * group are "ignored with no error" (API reference:
   * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingInstances.html).
   * An answer for an id not asked for is ignored.
   */
  async lifecycleStates(instanceIds: readonly string[]): Promise<Map<string, MemberState>> {
    const asked = new Set(instanceIds);
    const out = new Map<string, MemberState>();
    try {
      for (const batch of chunks([...asked], 50)) {
        for await (const page of paginateDescribeAutoScalingInstances({ client: this.client, pageSize: 50 }, { InstanceIds: batch })) {
          for (const i of page.AutoScalingInstances ?? []) {
            if (i.InstanceId !== undefined && asked.has(i.InstanceId) && i.AutoScalingGroupName !== undefined && i.LifecycleState !== undefined) out.set(i.InstanceId, { group: i.AutoScalingGroupName, lifecycleState: i.LifecycleState });
          }
        }
      }
    } catch (error) {
      return classify(error, `describing Auto Scaling instances ${instanceIds.join(', ')}`);
    }
    return out;
  }

  /**
   * Raise the group's desired capacity to at least `desired`; never lower it. Two writers decide
   * from reads that can be seconds old (the tick, and interruption invocations running
   * concurrently); SetDesiredCapacity is an absolute write with no condition, so a stale
   * `read + n` could undo the other's scale-out. The group is re-read right before the write and the
   * larger value kept, which shrinks the race from a whole decision to one round trip. Scale-in
   * never goes through here (TerminateInstanceInAutoScalingGroup with decrement).
   */
  async setDesiredCapacity(group: string, desired: number): Promise<void> {
    try {
      const fresh = (await this.client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }))).AutoScalingGroups?.find((g) => g.AutoScalingGroupName === group);
      // Never outside [min, max] as the group says now (Auto Scaling refuses it with a
      // ValidationError, and the bounds may have changed since the decision's read).
      const target = clampDesired(desired, fresh?.MinSize, fresh?.MaxSize);
      const current = fresh?.DesiredCapacity;
      if (current !== undefined && current >= target) return;
      await this.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: target, HonorCooldown: false }));
    } catch (error) {
      classify(error, `setting desired capacity of ${group} to ${desired}`);
    }
  }

  async terminateInstance(instanceId: string, decrementDesired: boolean): Promise<TerminateResult> {
    try {
      await this.client.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: decrementDesired }));
      return 'ok';
    } catch (error) {
      if (isGone(error)) return 'gone';
      if (errorName(error) === 'ValidationError' && ALREADY_LEAVING.test(errorMessage(error))) return 'gone';
      if (errorName(error) === 'ValidationError' && AT_MIN.test(errorMessage(error))) return 'at-min';
      return classify(error, `terminating ${instanceId}`);
    }
  }

  async heartbeat(hook: HookRef): Promise<'ok' | 'gone'> {
    try {
      await this.client.send(
        new RecordLifecycleActionHeartbeatCommand({ AutoScalingGroupName: hook.group, LifecycleHookName: hook.hookName, InstanceId: hook.instanceId, ...(hook.token !== undefined ? { LifecycleActionToken: hook.token } : {}) }),
      );
      return 'ok';
    } catch (error) {
      if (isGone(error)) return 'gone';
      return classify(error, `heartbeat for ${hook.instanceId}`);
    }
  }

  async completeLifecycleAction(hook: HookRef): Promise<'ok' | 'gone'> {
    try {
      await this.client.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: hook.group,
          LifecycleHookName: hook.hookName,
          InstanceId: hook.instanceId,
          LifecycleActionResult: 'CONTINUE',
          ...(hook.token !== undefined ? { LifecycleActionToken: hook.token } : {}),
        }),
      );
      return 'ok';
    } catch (error) {
      if (isGone(error)) return 'gone';
      return classify(error, `completing the lifecycle action of ${hook.instanceId}`);
    }
  }
}
