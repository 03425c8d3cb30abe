/**
 * What a policy (an autoscaler under comparison) plugs into the simulated world: the Auto Scaling
 * settings it deploys (a terminate lifecycle hook, scale-in protection of busy instances, the ECS
 * agent's Spot draining, a fixed fleet size) and callbacks for the events its deployment receives.
 * Callbacks may be async: the `headroom` policy runs the real, async Lambda handlers.
 */
import type { PolicyName } from '../scenario/scenario';
import type { CapacityGroupSpec } from '../scenario/scenario';
import type { SimWorld } from '../world/sim-world';
import type { SimInstance } from '../world/world-types';

export interface LifecycleHookSpec {
  readonly name: string;
  /** `HeartbeatTimeout` of the hook: how long Auto Scaling waits in `Terminating:Wait`. */
  readonly heartbeatSeconds: number;
}

export interface GroupSettings {
  readonly hook?: LifecycleHookSpec;
  /** ECS managed termination protection: Auto Scaling may only remove instances without non-daemon tasks. */
  readonly protectBusyFromScaleIn?: boolean;
  /** `ECS_ENABLE_SPOT_INSTANCE_DRAINING=true`: the agent sets DRAINING on a Spot interruption warning. */
  readonly agentSpotDraining?: boolean;
  /**
   * The policy's own cluster setup: `true`, capacity providers (standalone tasks queue in
   * PROVISIONING); `false`, none (RunTask fails when nothing fits); absent, the scenario's
   * `cluster.capacityProviders`.
   */
  readonly capacityProviders?: boolean;
  /**
   * The groups run without instance weights: each instance counts 1 toward desired capacity, the
   * same types launched. ECS capacity providers do not support weights ("Instance weighting isn't
   * supported when used together with an Amazon ECS capacity provider", ECS Developer Guide,
   * "Automatically manage Amazon ECS capacity with cluster auto scaling",
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html).
   */
  readonly unweightedGroups?: boolean;
  /** The deployment suspends Auto Scaling's AZRebalance process on its groups (`sim/world/az-rebalance.ts`). */
  readonly suspendAzRebalance?: boolean;
  /** A fixed fleet: min = max = desired = this for each group (by name). */
  readonly fixedSize?: (group: CapacityGroupSpec) => number;
}

export interface Policy {
  readonly name: PolicyName;
  readonly settings: GroupSettings;
  /** Schedule the policy's own timers (ticks, alarms). Called once before the run. */
  start(world: SimWorld): void;
  onSpotWarning?(world: SimWorld, instance: SimInstance): void | Promise<void>;
  /** An `EC2 Instance Rebalance Recommendation` for one of the cluster's instances. */
  onRebalance?(world: SimWorld, instance: SimInstance): void | Promise<void>;
  onLifecycleHook?(world: SimWorld, instance: SimInstance): void | Promise<void>;
  onPlacementFailure?(world: SimWorld, service: string): void | Promise<void>;
  /** `ECS Task State Change` with `lastStatus` PROVISIONING: a standalone task queued for capacity. */
  onTaskProvisioning?(world: SimWorld): void | Promise<void>;
  /** Counters worth showing in the report (handler invocations, retries, …). */
  detail?(): Record<string, number>;
}
