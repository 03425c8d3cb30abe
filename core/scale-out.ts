/**
 * Scale-out ("tetris"): how many instances to add, to which group, and why.
 *
 * Demand = unplaced service tasks + service tasks on instances that are leaving (terminating,
 * interrupted, DRAINING: ECS must re-home them) + enough reference tasks to lift headroom to the
 * shortage threshold. Demand is packed first-fit decreasing into the free space of schedulable
 * instances and of capacity on its way (ASG instances not yet registered: desired − live members),
 * then into new instances of the capacity groups in priority order. A group at its max, or whose
 * launches failed within the back-off window, is skipped while another group can take the work.
 * Each group's count is capped by its max and by `maxStep` over the whole decision.
 */
import type { CapacityGroup, Instance, Service, TaskShape } from './cluster';
import { isGone, isSchedulable } from './cluster';
import { headroomOfBins } from './headroom';
import { packFirstFitDecreasing } from './packing';
import { binOf, freshBin, type Bin } from './placement';

export interface ScaleOut {
  readonly kind: 'scale-out';
  readonly group: string;
  readonly count: number;
  /** The group's desired capacity after the action. */
  readonly desired: number;
  readonly reasons: readonly string[];
}

export interface ScaleOutInput {
  readonly now: number;
  readonly instances: readonly Instance[];
  /** Capacity groups in priority order. */
  readonly groups: readonly CapacityGroup[];
  readonly services: readonly Service[];
  readonly shape: TaskShape;
  readonly shortageThreshold: number;
  readonly maxStep: number;
  readonly backoffSeconds: number;
  /** Instances to treat as already gone (Spot warnings handled now). */
  readonly leaving?: ReadonlySet<string>;
  /** Instances drained for scale-in that this decision may count as ACTIVE again. */
  readonly reactivated?: ReadonlySet<string>;
  /**
   * Tasks waiting for capacity with no instance yet (ECS `PROVISIONING`, e.g. `RunTask` through a
   * capacity provider without managed scaling): standalone work ECS queues until room appears.
   */
  readonly waiting?: readonly TaskShape[];
}

export interface ScaleOutPlan {
  readonly actions: readonly ScaleOut[];
  /** Headroom of schedulable instances plus incoming capacity, before new instances. */
  readonly headroom: number;
  /** Tasks that must find a home (unplaced + displaced). */
  readonly demandTasks: number;
  /** Reference tasks added to reach the shortage threshold. */
  readonly deficit: number;
  /** New instances the packing uses (Σ over actions). */
  readonly instancesNeeded: number;
  /** Lower bound on new instances for the same demand. */
  readonly lowerBound: number;
  /** Instances on their way (launched, not yet registered), per group. */
  readonly incoming: ReadonlyMap<string, number>;
  /** Tasks no group can take (too large, constraints, or every group at max). */
  readonly unplaceable: readonly string[];
  readonly reasons: readonly string[];
}

/** Whether an instance is on its way out (its capacity does not count, its service tasks move). */
export function isLeaving(instance: Instance, leaving?: ReadonlySet<string>): boolean {
  return instance.terminating === true || leaving?.has(instance.id) === true;
}

/** Daemon task shapes that start on every new instance. */
export function daemonShapes(services: readonly Service[]): TaskShape[] {
  return services.filter((s) => s.daemon).map((s) => ({ cpu: s.shape.cpu, memory: s.shape.memory, ...(s.shape.tcpPorts ? { tcpPorts: s.shape.tcpPorts } : {}), ...(s.shape.udpPorts ? { udpPorts: s.shape.udpPorts } : {}) }));
}

/** Registered, not-leaving members of each group; the rest of desired is on its way. */
export function incomingByGroup(instances: readonly Instance[], groups: readonly CapacityGroup[], leaving?: ReadonlySet<string>): Map<string, number> {
  const live = new Map<string, number>();
  for (const i of instances) {
    if (i.group === undefined || isLeaving(i, leaving)) continue;
    live.set(i.group, (live.get(i.group) ?? 0) + 1);
  }
  const incoming = new Map<string, number>();
  for (const g of groups) incoming.set(g.name, Math.max(0, g.desired - (live.get(g.name) ?? 0)));
  return incoming;
}

/**
 * Tasks that must find a new home now: unplaced service tasks, tasks waiting with no instance, and
 * service tasks on leaving or draining instances.
 */
export function demandOf(services: readonly Service[], instances: readonly Instance[], leaving?: ReadonlySet<string>, reactivated?: ReadonlySet<string>, waiting?: readonly TaskShape[]): TaskShape[] {
  const demand: TaskShape[] = waiting !== undefined ? [...waiting] : [];
  for (const s of services) {
    if (s.daemon) continue;
    for (let k = 0; k < s.unplaced; k++) demand.push(s.shape);
  }
  for (const i of instances) {
    const displaced = isLeaving(i, leaving) || (i.status === 'DRAINING' && reactivated?.has(i.id) !== true);
    if (!displaced) continue;
    for (const t of i.tasks ?? []) {
      if (t.role !== 'service' || isGone(t) || t.status === 'DEACTIVATING' || t.status === 'STOPPING' || t.status === 'DEPROVISIONING') continue;
      demand.push(t);
    }
  }
  return demand;
}

function backedOff(g: CapacityGroup, now: number, backoffSeconds: number): boolean {
  return g.launchFailedAt !== undefined && now - g.launchFailedAt < backoffSeconds * 1000;
}

/** Bins of schedulable (or reactivated) instances, plus one fresh bin per incoming instance. */
export function capacityBins(input: Pick<ScaleOutInput, 'instances' | 'groups' | 'services' | 'leaving' | 'reactivated'>, incoming: ReadonlyMap<string, number>): Bin[] {
  const bins: Bin[] = [];
  for (const i of input.instances) {
    if (isLeaving(i, input.leaving)) continue;
    if (isSchedulable(i) || input.reactivated?.has(i.id) === true) bins.push(binOf(i));
  }
  const daemons = daemonShapes(input.services);
  for (const g of input.groups) {
    const n = incoming.get(g.name) ?? 0;
    for (let k = 0; k < n; k++) bins.push(freshBin(g, daemons, k, 'incoming'));
  }
  return bins;
}

export function planScaleOut(input: ScaleOutInput): ScaleOutPlan {
  const reasons: string[] = [];
  const incoming = incomingByGroup(input.instances, input.groups, input.leaving);
  const bins = capacityBins(input, incoming);
  const demand = demandOf(input.services, input.instances, input.leaving, input.reactivated, input.waiting);
  const headroomBefore = headroomOfBins(input.shape, bins);

  // 1. Real demand into free space of existing and incoming instances.
  const first = packFirstFitDecreasing(demand, bins);
  const leftover: TaskShape[] = first.unplaced.map((u) => demand[u.task] as TaskShape);
  // 2. Headroom target on what is left.
  const headroomAfter = headroomOfBins(input.shape, bins);
  const deficit = Math.max(0, input.shortageThreshold - headroomAfter);
  if (leftover.length > 0) reasons.push(`${leftover.length} of ${demand.length} task(s) needing a place do not fit on existing or incoming instances`);
  if (deficit > 0) reasons.push(`headroom ${headroomAfter} < shortage threshold ${input.shortageThreshold}: ${deficit} more ${input.shape.cpu} CPU/${input.shape.memory} MiB task(s) must fit`);
  let pending: TaskShape[] = [...leftover];
  for (let k = 0; k < deficit; k++) pending.push(input.shape);

  const actions: ScaleOut[] = [];
  let lowerBound = 0;
  let added = 0;
  const daemons = daemonShapes(input.services);
  const withRoom = input.groups.filter((g) => g.desired < g.max);
  const preferred = withRoom.filter((g) => !backedOff(g, input.now, input.backoffSeconds));
  for (const g of input.groups) {
    if (g.desired >= g.max) reasons.push(`group ${g.name} is at its max (${g.max})`);
    else if (backedOff(g, input.now, input.backoffSeconds)) reasons.push(`group ${g.name} backed off: a launch failed ${Math.round((input.now - (g.launchFailedAt ?? 0)) / 1000)} s ago`);
  }
  const order = [...preferred, ...withRoom.filter((g) => !preferred.includes(g))];
  for (const g of order) {
    if (pending.length === 0 || added >= input.maxStep) break;
    const limit = Math.min(g.max - g.desired, input.maxStep - added);
    const packed = packFirstFitDecreasing(pending, [], { make: (n) => freshBin(g, daemons, n), limit });
    const count = packed.opened.length;
    if (count > 0) {
      const why = [...reasons, `first-fit decreasing packs ${packed.placements.size} task(s) into ${count} new ${g.instanceType ?? g.name} instance(s) (lower bound ${packed.lowerBound})`];
      if (packed.unplaced.some((u) => u.reason === 'cap')) why.push(`capped at ${limit} by ${g.max - g.desired <= input.maxStep - added ? `group max ${g.max}` : `MAX_SCALE_OUT_STEP ${input.maxStep}`}`);
      actions.push({ kind: 'scale-out', group: g.name, count, desired: g.desired + count, reasons: why });
      added += count;
      lowerBound += packed.lowerBound;
    }
    pending = packed.unplaced.map((u) => pending[u.task] as TaskShape);
  }
  const unplaceable = pending.length > 0 ? [`${pending.length} task(s) cannot be placed on any group within its max and the step limit`] : [];
  return {
    actions,
    headroom: headroomBefore,
    demandTasks: demand.length,
    deficit,
    instancesNeeded: added,
    lowerBound,
    incoming,
    unplaceable,
    reasons: [...reasons, ...unplaceable],
  };
}
