/**
 * `ecs-cas`: Amazon ECS cluster auto scaling (capacity provider managed scaling) with managed
 * termination protection, managed instance draining and the agent's Spot draining, modelled from
 * the ECS Developer Guide ("Automatically manage Amazon ECS capacity with cluster auto scaling",
 * "Amazon ECS managed scaling behavior", "Amazon ECS capacity providers", "Managed termination
 * protection", "Safely stop workloads with managed instance draining", "Spot Instance draining"),
 * the API reference (`ManagedScaling`: instanceWarmupPeriod 300 s, minimumScalingStepSize 1,
 * maximumScalingStepSize 10 000) and the AWS blog "Deep Dive on Amazon ECS Cluster Auto Scaling"
 * (2020):
 * - Each task belongs to one capacity provider, chosen by its capacity provider strategy (the
 *   service's, else the cluster's default): the first `base` tasks go to the provider with a base,
 *   the rest are spread by `weight`. Each provider (one Auto Scaling group) scales for its own
 *   PROVISIONING tasks only. With capacity providers, tasks that do not fit wait in PROVISIONING
 *   (the world queues them for this policy: `capacityProviders: true`).
 * - Every minute ECS publishes `CapacityProviderReservation` = N / M × 100 per provider, M = the
 *   group's instances. With PROVISIONING tasks, they are grouped by identical resource needs; for
 *   each group a binpack onto new empty instances (the largest instance type of the group, zone
 *   attributes included so `memberOf` holds) gives the instances it needs; N = M + the largest of
 *   these, at least the minimum step and at most the maximum step. While an instance is inside its
 *   warm-up (300 s from launch), no further scale-out is computed (N = M). Without PROVISIONING
 *   tasks, N = instances running at least one non-daemon task (plus launching ones).
 * - Target tracking at target capacity 100 %: scale out after 1 datapoint above target; scale in
 *   after 15 consecutive 1-minute datapoints below target, toward N by at most half the group per
 *   step (`CAS_SCALE_IN_STEP_FRACTION`) — and again each further minute the alarm stays below
 *   target (the alarm stays in ALARM and the policy keeps acting). Each action lands
 *   `ALARM_DELAY_SECONDS` after its datapoint (alarm evaluation, then Auto Scaling).
 * - Managed termination protection: Auto Scaling may only remove instances without non-daemon
 *   tasks, so scale-in removes empty instances only and never consolidates.
 * - Managed draining: ECS owns a terminate lifecycle hook, sets the instance DRAINING and completes
 *   the hook once its tasks are gone.
 * - `ECS_ENABLE_SPOT_INSTANCE_DRAINING=true`: the agent sets DRAINING on the Spot warning; ECS
 *   replaces service tasks elsewhere; standalone tasks die with the instance. Rebalance
 *   recommendations are ignored (Capacity Rebalancing is off by default).
 * API calls are made by ECS on the customer's behalf; we count its metric publication and each
 * Auto Scaling or drain call so the column is comparable. Whether these draw on the account's
 * throttling buckets is not documented: they are drawn and counted (`throttledApiCalls`), but
 * never delayed, since ECS and Auto Scaling act on them internally (our assumption).
 */
import type { TaskShape } from '../../core/cluster';
import { packFirstFitDecreasing } from '../../core/packing';
import { fits, freshBin } from '../../core/placement';
import type { Policy } from './policy';
import type { Scenario } from '../scenario/scenario';
import { ALARM_DELAY_SECONDS } from './cloudwatch-alarm';
import { pollDrain } from './drain-poll';
import type { SimWorld } from '../world/sim-world';
import type { GroupRuntime, SimInstance } from '../world/world-types';

export const CAS_TARGET_PERCENT = 100;
export const CAS_SCALE_IN_DATAPOINTS = 15;
export const CAS_WARMUP_SECONDS = 300;
export const CAS_MIN_STEP = 1;
export const CAS_MAX_STEP = 10_000;
export const CAS_HOOK_SECONDS = 3600;
export const CAS_DRAIN_POLL_SECONDS = 30;
/**
 * One scale-in step lowers desired capacity by at most half: ECS raised the scale-in step limit
 * "from 5% to 50% of an Auto Scaling group's capacity" (AWS Containers blog, "Faster scaling-in for
 * Amazon ECS cluster auto scaling", 2022,
 * https://aws.amazon.com/blogs/containers/faster-scaling-in-for-amazon-ecs-cluster-auto-scaling/;
 * ECS Developer Guide, "Amazon ECS managed scaling behavior", scale-in,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-scaling-behavior.html).
 */
export const CAS_SCALE_IN_STEP_FRACTION = 0.5;
/**
 * Desired capacity after one scale-in step toward `N`: at most `CAS_SCALE_IN_STEP_FRACTION` of
 * `desired` removed (at least one instance, so a group of one can still reach zero: our reading, the
 * sources state no rounding), never below `min`.
 */
export function casScaleInTarget(desired: number, N: number, min: number): number {
  const step = Math.max(1, Math.floor(desired * CAS_SCALE_IN_STEP_FRACTION));
  return Math.max(min, N, desired - step);
}

export interface StrategyItem {
  readonly capacityProvider: string;
  readonly base: number;
  readonly weight: number;
}

/** The provider of the `ordinal`-th task under `strategy`: base first, then weighted round robin. */
export function providerOf(strategy: readonly StrategyItem[], ordinal: number): string | undefined {
  let k = ordinal;
  for (const s of strategy) {
    if (k < s.base) return s.capacityProvider;
    k -= s.base;
  }
  const total = strategy.reduce((a, s) => a + s.weight, 0);
  if (total <= 0) return strategy[0]?.capacityProvider;
  let r = k % total;
  for (const s of strategy) {
    if (r < s.weight) return s.capacityProvider;
    r -= s.weight;
  }
  return strategy[0]?.capacityProvider;
}

/**
 * The strategy a user following AWS's guidance sets on a cluster with both Spot and On-Demand groups
 * and none named: a base on On-Demand and the rest weighted toward Spot, as AWS's EC2 Spot workshop
 * for ECS capacity providers configures its cluster default ("base=2 and weight=1 for CP-OD and
 * weight=3 for CP-SPOT": ECS first places 2 tasks on On-Demand, then splits the rest 1:3,
 * https://ec2spotworkshops.com/ecs-spot-capacity-providers/module-1/modify_default_cps.html). The
 * base goes to the first On-Demand group; further On-Demand groups weigh 1, each Spot group 3.
 */
export const OD_BASE = 2;
export const OD_WEIGHT = 1;
export const SPOT_WEIGHT = 3;

/**
 * The cluster's default strategy: the scenario's; else, with Spot and On-Demand groups, the
 * guidance's mix (`OD_BASE`, `OD_WEIGHT`, `SPOT_WEIGHT`); else the first group alone.
 */
export function defaultStrategy(scenario: Scenario): StrategyItem[] {
  if (scenario.cluster.defaultCapacityProviderStrategy !== undefined) return scenario.cluster.defaultCapacityProviderStrategy;
  const groups = scenario.capacityGroups;
  const onDemand = groups.filter((g) => !g.spot);
  if (onDemand.length > 0 && onDemand.length < groups.length) {
    return groups.map((g) => (g.spot ? { capacityProvider: g.name, base: 0, weight: SPOT_WEIGHT } : { capacityProvider: g.name, base: g === onDemand[0] ? OD_BASE : 0, weight: OD_WEIGHT }));
  }
  return [{ capacityProvider: groups[0]?.name ?? '', base: 0, weight: 1 }];
}

/** Instances one provider needs for its PROVISIONING tasks (max over groups of identical tasks). */
export function instancesNeeded(world: SimWorld, g: GroupRuntime, tasks: readonly TaskShape[]): number {
  const groups = new Map<string, TaskShape[]>();
  for (const t of tasks) {
    const key = JSON.stringify(t);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [t]);
    else list.push(t);
  }
  const daemons = world.daemonShapes();
  let needed = 0;
  for (const same of groups.values()) {
    const shape = same[0] as TaskShape;
    // The zone new instances must be in for the tasks' constraints, if any zone of the group works.
    const zone = g.zones.find((z) => fits(shape, freshBin(world.coreGroup(g, z), daemons, 0)).ok);
    if (zone === undefined) continue;
    const core = world.coreGroup(g, zone);
    const packed = packFirstFitDecreasing(same, [], { make: (n) => freshBin(core, daemons, n), limit: CAS_MAX_STEP });
    needed = Math.max(needed, packed.opened.length);
  }
  return needed;
}

/**
 * What the report says about the setup ecs-cas runs in where the scenario leaves it open: a
 * weighted group runs without weights (capacity providers do not support them), and Spot with
 * On-Demand groups get the default strategy AWS's guidance sets.
 */
export function casSetupNotes(scenario: Scenario): string[] {
  const weighted = scenario.capacityGroups.filter((g) => g.instanceTypes?.some((t) => t.weight !== 1) === true);
  const notes = weighted.map((g) => `ecs-cas runs group ${g.name} without instance weights (ECS capacity providers do not support them): each instance counts 1, min ${g.min} and max ${g.max} count instances`);
  const mixed = scenario.capacityGroups.some((g) => g.spot) && scenario.capacityGroups.some((g) => !g.spot);
  if (mixed && scenario.cluster.defaultCapacityProviderStrategy === undefined) {
    notes.push(`ecs-cas uses the default capacity provider strategy AWS's guidance sets for Spot with On-Demand: ${defaultStrategy(scenario).map((s) => `${s.capacityProvider} base ${s.base} weight ${s.weight}`).join(', ')}`);
  }
  return notes;
}

/** ECS capacity providers with managed scaling and managed draining, as AWS runs them (module comment). */
export function ecsCasPolicy(scenario: Scenario): Policy {
  const below = new Map<string, number>();
  const fallback = defaultStrategy(scenario);
  const strategies = new Map<string, readonly StrategyItem[]>(scenario.services.map((s) => [s.name, s.capacityProviderStrategy ?? fallback]));

  /** Each minute: CapacityProviderReservation per group, and target tracking on it. */
  const tick = (world: SimWorld): void => {
    world.countApi(1, 'PutMetricData'); // CapacityProviderReservation
    const byProvider = waitingByProvider(world, strategies, fallback);
    for (const g of world.groups) {
      const members = world.liveMembers(g);
      const M = members.length;
      const N = instancesWanted(world, g, members, byProvider.get(g.name) ?? []);
      const reservation = M === 0 ? (N > 0 ? 200 : CAS_TARGET_PERCENT) : (N / M) * 100;
      if (reservation > CAS_TARGET_PERCENT) {
        below.set(g.name, 0);
        actOnAlarm(world, g, 'out', N);
      } else if (reservation < CAS_TARGET_PERCENT) {
        const n = (below.get(g.name) ?? 0) + 1;
        below.set(g.name, n);
        if (n >= CAS_SCALE_IN_DATAPOINTS) actOnAlarm(world, g, 'in', N);
      } else {
        below.set(g.name, 0);
      }
    }
  };

  const drain = (world: SimWorld, i: SimInstance): void => pollDrain(world, i, { pollSeconds: CAS_DRAIN_POLL_SECONDS, label: 'ecs-managed-drain', callsPerPoll: 0 });

  return {
    name: 'ecs-cas',
    // A weighted group runs as AWS documents for capacity providers: without weights, with the same
    // instance types listed (see `unweightedGroups`); its min and max then count instances.
    settings: { hook: { name: 'ecs-managed-draining', heartbeatSeconds: CAS_HOOK_SECONDS }, protectBusyFromScaleIn: true, agentSpotDraining: true, capacityProviders: true, unweightedGroups: true },
    start(world) {
      for (let t = world.now + 60_000; t < world.end; t += 60_000) world.schedule(t, 'ecs-cas-metric', () => tick(world));
    },
    onLifecycleHook(world, i) {
      world.countApi(1, 'UpdateContainerInstancesState');
      world.setEcsStatus(i, 'DRAINING', 'ecs managed draining');
      drain(world, i);
    },
  };
}

/** The shapes of the tasks waiting for a place, by the capacity provider their strategy sends them to. */
function waitingByProvider(world: SimWorld, strategies: ReadonlyMap<string, readonly StrategyItem[]>, fallback: readonly StrategyItem[]): Map<string, TaskShape[]> {
  const byProvider = new Map<string, TaskShape[]>();
  for (const w of world.waitingWork()) {
    const provider = providerOf((w.service !== undefined ? strategies.get(w.service) : undefined) ?? fallback, w.ordinal);
    if (provider === undefined) continue;
    const list = byProvider.get(provider);
    if (list === undefined) byProvider.set(provider, [w.shape]);
    else list.push(w.shape);
  }
  return byProvider;
}

/**
 * N of CapacityProviderReservation for a group: with tasks waiting for it, the instances now plus
 * the step that places them (none while an instance warms up); else the instances running
 * non-daemon tasks, or not yet registered.
 */
function instancesWanted(world: SimWorld, g: GroupRuntime, members: readonly SimInstance[], provisioning: readonly TaskShape[]): number {
  if (provisioning.length > 0) {
    const warming = members.some((i) => world.now - i.launchedAt < CAS_WARMUP_SECONDS * 1000);
    const needed = warming ? 0 : instancesNeeded(world, g, provisioning);
    return members.length + (needed > 0 ? Math.max(CAS_MIN_STEP, Math.min(CAS_MAX_STEP, needed)) : 0);
  }
  return members.filter((i) => i.registeredAt === undefined || [...i.tasks.values()].some((t) => t.role !== 'daemon')).length;
}

/**
 * The alarm's state reaches Auto Scaling `ALARM_DELAY_SECONDS` after the datapoint, and the
 * target tracking policy sets desired capacity then, from the state of the group at that time.
 */
function actOnAlarm(world: SimWorld, g: GroupRuntime, direction: 'out' | 'in', N: number): void {
  // From a `CapacityProviderReservation` datapoint to the Auto Scaling action (`cloudwatch-alarm.ts`).
  world.schedule(world.now + ALARM_DELAY_SECONDS * 1000, 'ecs-cas-alarm', () => {
    const target = direction === 'out' ? Math.min(g.max, Math.max(g.min, N)) : casScaleInTarget(g.desired, N, g.min);
    if (direction === 'out' ? target <= g.desired : target >= g.desired) return;
    world.setDesired(g, target, 'ecs-cas target tracking');
    world.countApi(1, 'SetDesiredCapacity');
  });
}
