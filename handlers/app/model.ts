/**
 * From what the ports report (container instances, Auto Scaling groups) to the core's model:
 * which group each instance belongs to, which instances are leaving, and what one new instance of
 * each group offers. Pure functions; the tick and the interruption handler share them.
 *
 * Rules:
 * - An instance is a member of the configured group that lists it. It is `terminating` when its
 *   Auto Scaling lifecycle state is anything but `Pending*` / `InService` (Terminating*, Standby,
 *   Detaching, Warmed*), or when it is in no configured group and its agent is disconnected (the EC2
 *   instance is gone but ECS has not deregistered it yet). An instance outside every configured
 *   group with a connected agent is capacity Headroom does not manage: it counts, it is never
 *   scaled in.
 * - Per-instance resources of a new instance of a group: for each instance type the group launches
 *   (launch configuration, mixed-instances overrides with weights, launch template), the most common
 *   `registeredResources` among its registered members of that type (exactly what ECS registers),
 *   else EC2's description of the type (`estimatedResources`); the weakest per weight unit among
 *   them (`weakestPerUnit` in `core/instance-types.ts`, the rule scale-out also plans with); else
 *   any registered member's; else the group cannot be sized and is left out of scale-out (logged).
 *   No built-in table: any type, from zero members.
 */
import type { CapacityGroup, Instance, Resources } from '../../core/cluster';
import { TRUNK_ATTRIBUTE } from '../../core/eni';
import { weakestPerUnit } from '../../core/instance-types';
import type { Membership } from '../../core/interruption';
import type { GroupState, InstanceTypeInfo, LaunchTemplateInfo } from './ports';

/**
 * The share of an instance type's memory that ECS registers, estimated: the agent registers what the
 * operating system reports, a few percent under the nominal size ("Container instance memory
 * management", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html).
 * Used only until an instance of that type has registered; then its real `registeredResources` are.
 */
export const ECS_MEMORY_FRACTION = 0.94;

/** What ECS registers for a fresh instance of a type, estimated from EC2's description. */
export function estimatedResources(info: InstanceTypeInfo): Resources {
  return { cpu: Math.round(info.vcpus * 1024), memory: Math.round(info.memoryMiB * ECS_MEMORY_FRACTION) };
}

/** EC2 facts the model sizes groups with (read through the `InstanceCatalog` port, cached). */
export interface LaunchFacts {
  /** Instance type → vCPUs and memory. */
  readonly types: ReadonlyMap<string, InstanceTypeInfo>;
  /** Group name → what its launch template sets. */
  readonly templates: ReadonlyMap<string, LaunchTemplateInfo>;
}

const NO_FACTS: LaunchFacts = { types: new Map(), templates: new Map() };

/**
 * The instance types a group launches, with their weights (1 when unweighted), from its source of
 * truth: the launch configuration or the mixed-instances overrides (`instanceType`/`overrides` as the
 * adapter read them), else the launch template's type, else what the members run.
 */
export function launchCandidates(g: GroupState, template: LaunchTemplateInfo | undefined): Array<{ instanceType: string; weight: number }> {
  if (g.overrides !== undefined && g.overrides.length > 0) return g.overrides.map((o) => ({ instanceType: o.instanceType, weight: o.weight ?? 1 }));
  const type = template?.instanceType ?? g.instanceType;
  return type !== undefined ? [{ instanceType: type, weight: 1 }] : [];
}

const LIVE_STATES = /^(Pending(:Wait|:Proceed)?|InService)$/;

export function isLiveLifecycleState(state: string): boolean {
  return LIVE_STATES.test(state);
}

/** The registered resources most instances have (the group's real size once one has registered). */
export function mostCommonResources(instances: ReadonlyArray<{ readonly registered: Resources }>): Resources | undefined {
  const counts = new Map<string, { r: Resources; n: number }>();
  for (const i of instances) {
    if (i.registered.cpu <= 0 || i.registered.memory <= 0) continue;
    const key = `${i.registered.cpu}/${i.registered.memory}`;
    const e = counts.get(key) ?? { r: i.registered, n: 0 };
    e.n++;
    counts.set(key, e);
  }
  let best: { r: Resources; n: number } | undefined;
  for (const e of counts.values()) if (best === undefined || e.n > best.n) best = e;
  return best?.r;
}

export interface ClusterModel {
  readonly instances: Instance[];
  readonly groups: CapacityGroup[];
  /** Configured groups that could not be sized or were not found, with why. */
  readonly skipped: ReadonlyArray<{ readonly group: string; readonly reason: string }>;
  /**
   * Every member of the described groups by instance id (`membershipOf`): built once per read for
   * the model, the interruption handler's seats, warm-pool returns and drain revival.
   */
  readonly membership: ReadonlyMap<string, GroupMembership>;
}

/** An instance's place in a configured group as Auto Scaling lists it, with its lifecycle state. */
export interface GroupMembership extends Membership {
  readonly lifecycleState: string;
}

/** The groups' members by instance id, each with its group, lifecycle state and whether that state is live. */
export function membershipOf(groupStates: readonly GroupState[]): Map<string, GroupMembership> {
  const membership = new Map<string, GroupMembership>();
  for (const g of groupStates) for (const m of g.members) membership.set(m.instanceId, { group: g.name, lifecycleState: m.lifecycleState, live: isLiveLifecycleState(m.lifecycleState) });
  return membership;
}

/**
 * Each instance with the configured group that lists it and whether it is leaving (lifecycle state
 * past InService, or outside every group with its agent disconnected); see this file's header.
 */
function withMembership(instances: readonly Instance[], membership: ReadonlyMap<string, GroupMembership>): Instance[] {
  return instances.map((i) => {
    const m = membership.get(i.id);
    if (m !== undefined) return { ...i, group: m.group, ...(!m.live || i.terminating === true ? { terminating: true } : {}) };
    const { group: _drop, ...rest } = i;
    return i.agentConnected === false ? { ...rest, terminating: true } : rest;
  });
}

type Shape = { instanceType: string | undefined; weight: number; resources: Resources };

/**
 * What one new instance of the group offers: the planned shape of its launch candidates, each sized
 * by its registered members of that type or else EC2's description; else any registered member's
 * resources; undefined when neither exists.
 */
function newInstanceShape(g: GroupState, sized: ReadonlyArray<{ instanceType: string; weight: number; resources: Resources }>, members: readonly Instance[]): Shape | undefined {
  const planned = weakestPerUnit(sized);
  const anyMember = mostCommonResources(members);
  return planned ?? (anyMember !== undefined ? { instanceType: g.instanceType, weight: 1, resources: anyMember } : undefined);
}

/** The launch candidates that can be sized: by their registered members of that type, else EC2's description. */
function sizedCandidates(candidates: ReadonlyArray<{ instanceType: string; weight: number }>, members: readonly Instance[], facts: LaunchFacts): Array<{ instanceType: string; weight: number; resources: Resources }> {
  return candidates.flatMap((c) => {
    const resources = mostCommonResources(members.filter((i) => i.instanceType === c.instanceType)) ?? (facts.types.has(c.instanceType) ? estimatedResources(facts.types.get(c.instanceType) as InstanceTypeInfo) : undefined);
    return resources !== undefined ? [{ ...c, resources }] : [];
  });
}

/** The group's live members (Pending or InService), each with its weight when it is not 1. */
function liveMembers(g: GroupState): NonNullable<CapacityGroup['members']> {
  return g.members
    .filter((m) => isLiveLifecycleState(m.lifecycleState))
    .map((m) => {
      // A member's weight: its type's WeightedCapacity among the overrides (desired counts those units).
      const weight = g.overrides?.find((o) => o.instanceType === m.instanceType)?.weight;
      return {
        id: m.instanceId,
        pending: m.lifecycleState.startsWith('Pending'),
        ...(m.launchedAt !== undefined ? { launchedAt: m.launchedAt } : {}),
        ...(m.availabilityZone !== undefined ? { availabilityZone: m.availabilityZone } : {}),
        ...(weight !== undefined && weight !== 1 ? { weight } : {}),
      };
    });
}

/**
 * The attributes a new instance of the group is known to have before it exists: its zone when the
 * group has one, its instance type when the group launches one type only.
 */
function knownAttributes(g: GroupState, candidates: readonly unknown[], shape: Shape): Record<string, string> {
  const zones = g.availabilityZones;
  const az = zones.length === 1 ? zones[0] : undefined;
  const attributes: Record<string, string> = {};
  if (az !== undefined) attributes['ecs.availability-zone'] = az;
  if (candidates.length === 1 && shape.instanceType !== undefined) attributes['ecs.instance-type'] = shape.instanceType;
  return attributes;
}

/** One configured group as the core sees it, or why it cannot be planned. */
function capacityGroupOf(g: GroupState, members: readonly Instance[], facts: LaunchFacts): CapacityGroup | { reason: string } {
  const template = facts.templates.get(g.name);
  const candidates = launchCandidates(g, template);
  const sized = sizedCandidates(candidates, members, facts);
  const shape = newInstanceShape(g, sized, members);
  if (shape === undefined) {
    return { reason: `cannot size a new instance: no registered member and no instance type resolved (${candidates.map((c) => c.instanceType).join(', ') || 'none named'})` };
  }
  return {
    name: g.name,
    min: g.min,
    max: g.max,
    desired: g.desired,
    instance: shape.resources,
    ...(shape.instanceType !== undefined ? { instanceType: shape.instanceType } : {}),
    ...(shape.weight !== 1 ? { weight: shape.weight } : {}),
    // Every type of a mixed-instances group: core/instance-types.ts plans with a larger one when only it holds the work.
    ...(sized.length > 1 ? { instanceTypes: sized.map((c) => ({ instanceType: c.instanceType, weight: c.weight, resources: c.resources })) } : {}),
    attributes: knownAttributes(g, candidates, shape),
    availabilityZones: g.availabilityZones,
    members: liveMembers(g),
    ...(g.spot === true || template?.spot === true ? { spot: true } : {}),
    ...(g.launchFailedAt !== undefined ? { launchFailedAt: g.launchFailedAt } : {}),
    ...(members.some((i) => i.attributes[TRUNK_ATTRIBUTE] !== undefined) ? { awsvpcTrunking: true } : {}),
  };
}

/** Attach groups and lifecycle facts to instances and build the capacity groups, in configured priority order. */
export function buildModel(instances: readonly Instance[], groupStates: readonly GroupState[], asgNames: readonly string[], facts: LaunchFacts = NO_FACTS): ClusterModel {
  const membership = membershipOf(groupStates);
  const model = withMembership(instances, membership);
  const groups: CapacityGroup[] = [];
  const skipped: Array<{ group: string; reason: string }> = [];
  const byName = new Map(groupStates.map((g) => [g.name, g]));
  for (const name of asgNames) {
    const g = byName.get(name);
    if (g === undefined) {
      skipped.push({ group: name, reason: 'Auto Scaling group not found' });
      continue;
    }
    const group = capacityGroupOf(g, model.filter((i) => i.group === name), facts);
    if ('reason' in group) skipped.push({ group: name, reason: group.reason });
    else groups.push(group);
  }
  return { instances: model, groups, skipped, membership };
}
