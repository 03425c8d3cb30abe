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
 * - Per-instance resources of a new instance of a group: the most common `registeredResources`
 *   among that group's registered instances of the group's instance type (exactly what ECS will
 *   register), else of any type in the group, else `INSTANCE_TYPES` below, else the group cannot be
 *   sized and is left out of scale-out (logged).
 */
import type { CapacityGroup, Instance, Resources } from '../core/cluster';
import { TRUNK_ATTRIBUTE } from '../core/eni';
import type { GroupState } from './ports';

/**
 * vCPUs and memory (GiB) of common ECS instance types. ECS registers all CPU (1024 per vCPU) and
 * the memory the OS leaves (about 5–6 % less); we assume 94 % of physical memory, minus nothing
 * else. Used only until an instance of the group has registered, after which its real
 * `registeredResources` are used.
 */
export const INSTANCE_TYPES: Readonly<Record<string, readonly [vcpu: number, gib: number]>> = {
  't3.micro': [2, 1], 't3.small': [2, 2], 't3.medium': [2, 4], 't3.large': [2, 8], 't3.xlarge': [4, 16], 't3.2xlarge': [8, 32],
  't3a.medium': [2, 4], 't3a.large': [2, 8], 't3a.xlarge': [4, 16], 't4g.medium': [2, 4], 't4g.large': [2, 8], 't4g.xlarge': [4, 16],
  'm5.large': [2, 8], 'm5.xlarge': [4, 16], 'm5.2xlarge': [8, 32], 'm5.4xlarge': [16, 64], 'm5.8xlarge': [32, 128], 'm5.12xlarge': [48, 192],
  'm6i.large': [2, 8], 'm6i.xlarge': [4, 16], 'm6i.2xlarge': [8, 32], 'm6i.4xlarge': [16, 64],
  'm6g.large': [2, 8], 'm6g.xlarge': [4, 16], 'm6g.2xlarge': [8, 32], 'm6g.4xlarge': [16, 64],
  'm7g.large': [2, 8], 'm7g.xlarge': [4, 16], 'm7g.2xlarge': [8, 32], 'm7g.4xlarge': [16, 64],
  'c5.large': [2, 4], 'c5.xlarge': [4, 8], 'c5.2xlarge': [8, 16], 'c5.4xlarge': [16, 32],
  'c6i.large': [2, 4], 'c6i.xlarge': [4, 8], 'c6i.2xlarge': [8, 16], 'c6g.large': [2, 4], 'c6g.xlarge': [4, 8], 'c6g.2xlarge': [8, 16],
  'c7g.large': [2, 4], 'c7g.xlarge': [4, 8], 'c7g.2xlarge': [8, 16],
  'r5.large': [2, 16], 'r5.xlarge': [4, 32], 'r5.2xlarge': [8, 64], 'r6i.large': [2, 16], 'r6i.xlarge': [4, 32], 'r6g.large': [2, 16], 'r6g.xlarge': [4, 32],
};

/** What ECS registers for a fresh instance of `type`, per the table; undefined when unknown. */
export function tableResources(type: string | undefined): Resources | undefined {
  const row = type !== undefined ? INSTANCE_TYPES[type] : undefined;
  if (row === undefined) return undefined;
  return { cpu: row[0] * 1024, memory: Math.floor(row[1] * 1024 * 0.94) };
}

const LIVE_STATES = /^(Pending(:Wait|:Proceed)?|InService)$/;

export function isLiveLifecycleState(state: string): boolean {
  return LIVE_STATES.test(state);
}

function mostCommonResources(instances: readonly Instance[]): Resources | undefined {
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
}

/** Attach groups and lifecycle facts to instances and build the capacity groups, in configured priority order. */
export function buildModel(instances: readonly Instance[], groupStates: readonly GroupState[], asgNames: readonly string[]): ClusterModel {
  const membership = new Map<string, { group: string; state: string }>();
  for (const g of groupStates) for (const m of g.members) membership.set(m.instanceId, { group: g.name, state: m.lifecycleState });

  const model: Instance[] = instances.map((i) => {
    const m = membership.get(i.id);
    if (m !== undefined) {
      const leaving = !isLiveLifecycleState(m.state);
      return { ...i, group: m.group, ...(leaving || i.terminating === true ? { terminating: true } : {}) };
    }
    const { group: _drop, ...rest } = i;
    return i.agentConnected === false ? { ...rest, terminating: true } : rest;
  });

  const groups: CapacityGroup[] = [];
  const skipped: Array<{ group: string; reason: string }> = [];
  const byName = new Map(groupStates.map((g) => [g.name, g]));
  for (const name of asgNames) {
    const g = byName.get(name);
    if (g === undefined) {
      skipped.push({ group: name, reason: 'Auto Scaling group not found' });
      continue;
    }
    const members = model.filter((i) => i.group === name);
    const sameType = g.instanceType !== undefined ? members.filter((i) => i.instanceType === g.instanceType) : [];
    const resources = mostCommonResources(sameType) ?? mostCommonResources(members) ?? tableResources(g.instanceType);
    if (resources === undefined) {
      skipped.push({ group: name, reason: `cannot size a new instance: no registered member and instance type ${g.instanceType ?? 'unknown'} is not in the table` });
      continue;
    }
    const az = g.availabilityZones.length === 1 ? g.availabilityZones[0] : undefined;
    const attributes: Record<string, string> = {};
    if (az !== undefined) attributes['ecs.availability-zone'] = az;
    if (g.instanceType !== undefined) attributes['ecs.instance-type'] = g.instanceType;
    groups.push({
      name,
      min: g.min,
      max: g.max,
      desired: g.desired,
      instance: resources,
      ...(g.instanceType !== undefined ? { instanceType: g.instanceType } : {}),
      attributes,
      ...(g.launchFailedAt !== undefined ? { launchFailedAt: g.launchFailedAt } : {}),
      ...(members.some((i) => i.attributes[TRUNK_ATTRIBUTE] !== undefined) ? { awsvpcTrunking: true } : {}),
    });
  }
  return { instances: model, groups, skipped };
}
