/**
 * The placement model: an instance seen as a bin of free resources, used host ports and task
 * groups, and `fits(task, bin)` which checks everything ECS checks before it places a task
 * (CPU, memory, static host ports, a network interface for awsvpc tasks, `distinctInstance`,
 * `memberOf`). A constraint the evaluator
 * cannot read yields `unsupported-constraint`, never a silent fit.
 */
import type { CapacityGroup, Instance, Resources, TaskShape } from './cluster';
import { evaluate, type ConstraintTarget } from './constraints';
import { TRUNK_ATTRIBUTE, awsvpcSlots } from './eni';
import { reservedShare } from './task-size';

/** Free space of one instance (existing or hypothetical); mutable while a plan is simulated. */
export interface Bin {
  /** Instance id, or `new:<group>:<n>` for an instance not launched yet. */
  readonly key: string;
  readonly group?: string;
  readonly target: ConstraintTarget;
  /** Registered resources (for utilisation and normalisation). */
  readonly capacity: Resources;
  cpu: number;
  memory: number;
  readonly tcp: Set<number>;
  readonly udp: Set<number>;
  /**
   * Task group → number of live `distinctInstance` tasks of it on the bin. Only tasks that carry
   * the constraint are counted: a group's tasks share their service's constraints.
   */
  readonly taskGroups: Map<string, number>;
  /** True for an instance that does not exist yet (launching or to be launched). */
  readonly fresh: boolean;
  /** Free network interfaces for awsvpc tasks; absent when the instance is not limited (core/eni.ts). */
  enis?: number;
}

export type FitResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'cpu' | 'memory' | 'port' | 'eni' | 'distinct-instance' | 'constraint' }
  | { readonly ok: false; readonly reason: 'unsupported-constraint'; readonly detail: string };

const FIT: FitResult = { ok: true };

export function binOf(instance: Instance): Bin {
  const taskGroups = new Map<string, number>();
  let awsvpcTasks = 0;
  for (const t of instance.tasks ?? []) {
    if (t.distinctInstance === true && t.taskGroup !== undefined && t.status !== 'STOPPED') taskGroups.set(t.taskGroup, (taskGroups.get(t.taskGroup) ?? 0) + 1);
    if (t.awsvpc === true && t.status !== 'STOPPED') awsvpcTasks++;
  }
  const slots = awsvpcSlots(instance.instanceType, instance.attributes[TRUNK_ATTRIBUTE] !== undefined);
  return {
    key: instance.id,
    ...(instance.group !== undefined ? { group: instance.group } : {}),
    target: {
      id: instance.id,
      ...(instance.availabilityZone !== undefined ? { availabilityZone: instance.availabilityZone } : {}),
      ...(instance.instanceType !== undefined ? { instanceType: instance.instanceType } : {}),
      attributes: instance.attributes,
    },
    capacity: instance.registered,
    cpu: instance.remaining.cpu,
    memory: instance.remaining.memory,
    tcp: new Set(instance.usedTcpPorts),
    udp: new Set(instance.usedUdpPorts),
    taskGroups,
    fresh: false,
    ...(slots !== undefined ? { enis: Math.max(0, slots - awsvpcTasks) } : {}),
  };
}

/**
 * A bin for an instance of `group` that does not exist yet, with the daemon tasks that will start
 * on it already placed (daemon reservations are subtracted from every new instance).
 */
export function freshBin(group: CapacityGroup, daemons: readonly TaskShape[], index: number, prefix = 'new', knownZone?: string): Bin {
  const slots = awsvpcSlots(group.instanceType, group.awsvpcTrunking === true);
  const zone = group.attributes?.['ecs.availability-zone'] ?? knownZone ?? predictedZone(group, index);
  const bin: Bin = {
    key: `${prefix}:${group.name}:${index}`,
    group: group.name,
    target: {
      ...(group.instanceType !== undefined ? { instanceType: group.instanceType } : {}),
      ...(zone !== undefined ? { availabilityZone: zone } : {}),
      attributes: group.attributes ?? {},
    },
    capacity: group.instance,
    cpu: group.instance.cpu,
    memory: group.instance.memory,
    tcp: new Set(),
    udp: new Set(),
    taskGroups: new Map(),
    fresh: true,
    ...(slots !== undefined ? { enis: slots } : {}),
  };
  for (const d of daemons) if (fits(d, bin).ok) place(d, bin);
  return bin;
}

/**
 * The zone of the `index`-th new instance of a group spanning several zones: Auto Scaling launches
 * each new instance in the enabled zone with the fewest instances
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html#arch-AutoScalingMultiAZ),
 * so the sequence is replayed from the members' zones, ties in the group's zone order.
 * O((index + members) · zones); undefined for a group of one zone or without zones.
 */
export function predictedZone(group: CapacityGroup, index: number): string | undefined {
  const zones = group.availabilityZones ?? [];
  if (zones.length <= 1) return zones[0];
  const count = zones.map((z) => (group.members ?? []).filter((m) => m.availabilityZone === z).length);
  let pick = 0;
  for (let n = 0; n <= index; n++) {
    pick = 0;
    for (let k = 1; k < zones.length; k++) if ((count[k] as number) < (count[pick] as number)) pick = k;
    count[pick] = (count[pick] as number) + 1;
  }
  return zones[pick];
}

/**
 * How many launches past the `from`-th new instance of a group spanning several zones it takes
 * until every zone has had one: the lookahead scale-out needs for a task pinned to one zone.
 * Balanced launches go round-robin to the emptiest zones (`predictedZone`), so a zone holding more
 * instances than the others is reached only after every other zone has caught up with it: with
 * members a a a b c, a task pinned to a needs b c b c a, four launches past the first. A fixed
 * lookahead of zones − 1 saw only the next round and left such a task waiting. 0 for one zone.
 */
export function launchesToReachEveryZone(group: CapacityGroup, from = 0): number {
  const zones = group.availabilityZones ?? [];
  if (zones.length <= 1) return 0;
  const count = zones.map((z) => (group.members ?? []).filter((m) => m.availabilityZone === z).length);
  const seen = new Set<number>();
  // At most from + Σ(max − count) + zones picks: each pick raises the lowest count.
  for (let n = 0; ; n++) {
    let pick = 0;
    for (let k = 1; k < zones.length; k++) if ((count[k] as number) < (count[pick] as number)) pick = k;
    count[pick] = (count[pick] as number) + 1;
    if (n < from) continue;
    seen.add(pick);
    if (seen.size === zones.length) return n - from;
  }
}

/** Every check ECS makes before placing `task` on `bin`, cheapest first. */
export function fits(task: TaskShape, bin: Bin): FitResult {
  if (task.cpu > bin.cpu) return { ok: false, reason: 'cpu' };
  if (task.memory > bin.memory) return { ok: false, reason: 'memory' };
  if (task.tcpPorts !== undefined) for (const p of task.tcpPorts) if (bin.tcp.has(p)) return { ok: false, reason: 'port' };
  if (task.udpPorts !== undefined) for (const p of task.udpPorts) if (bin.udp.has(p)) return { ok: false, reason: 'port' };
  if (task.awsvpc === true && bin.enis !== undefined && bin.enis < 1) return { ok: false, reason: 'eni' };
  if (task.distinctInstance === true && task.taskGroup !== undefined && (bin.taskGroups.get(task.taskGroup) ?? 0) > 0) {
    return { ok: false, reason: 'distinct-instance' };
  }
  if (task.memberOf !== undefined) {
    for (const expression of task.memberOf) {
      const e = evaluate(expression, bin.target);
      if (e.kind === 'unsupported') return { ok: false, reason: 'unsupported-constraint', detail: e.detail };
      if (e.kind === 'no-match') return { ok: false, reason: 'constraint' };
    }
  }
  return FIT;
}

/** Reserve `task` on `bin` (the caller checked `fits`). */
export function place(task: TaskShape, bin: Bin): void {
  bin.cpu -= task.cpu;
  bin.memory -= task.memory;
  if (task.tcpPorts !== undefined) for (const p of task.tcpPorts) bin.tcp.add(p);
  if (task.udpPorts !== undefined) for (const p of task.udpPorts) bin.udp.add(p);
  if (task.awsvpc === true && bin.enis !== undefined) bin.enis -= 1;
  if (task.distinctInstance === true && task.taskGroup !== undefined) bin.taskGroups.set(task.taskGroup, (bin.taskGroups.get(task.taskGroup) ?? 0) + 1);
}

/** Undo `place` (what-if simulations roll back a rejected move). */
export function unplace(task: TaskShape, bin: Bin): void {
  bin.cpu += task.cpu;
  bin.memory += task.memory;
  if (task.tcpPorts !== undefined) for (const p of task.tcpPorts) bin.tcp.delete(p);
  if (task.udpPorts !== undefined) for (const p of task.udpPorts) bin.udp.delete(p);
  if (task.awsvpc === true && bin.enis !== undefined) bin.enis += 1;
  if (task.distinctInstance === true && task.taskGroup !== undefined) {
    const n = (bin.taskGroups.get(task.taskGroup) ?? 0) - 1;
    if (n > 0) bin.taskGroups.set(task.taskGroup, n);
    else bin.taskGroups.delete(task.taskGroup);
  }
}

/** A deep copy, so a what-if simulation leaves the original untouched. */
export function cloneBin(bin: Bin): Bin {
  return { ...bin, tcp: new Set(bin.tcp), udp: new Set(bin.udp), taskGroups: new Map(bin.taskGroups) };
}

/** Reserved fraction of the instance, the larger of CPU and memory (0 for an empty instance). */
export function utilisation(bin: Bin): number {
  return reservedShare(bin.capacity, bin);
}
