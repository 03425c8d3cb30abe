/**
 * Scale-out ("tetris"): how many instances to add, to which group, and why.
 *
 * Demand = unplaced service tasks + service tasks on instances that are leaving (terminating,
 * interrupted, DRAINING: ECS must re-home them) + enough reference tasks to lift headroom to the
 * shortage threshold + the service tasks of the k fullest Spot instances that would not fit
 * elsewhere (`SPOT_RESERVE_INSTANCES`, see `reserve.ts`). Tasks no group could ever hold are split
 * off first (`unschedulable.ts`): reported, never demand. Demand is packed first-fit decreasing into
 * the free space of schedulable instances and of capacity on its way (`incomingCapacity`: only what
 * a group can still deliver), then into new instances of the capacity groups, cheapest per waiting
 * task first and priority order breaking ties (`price.ts`),
 * spread evenly across a run of one-zone groups (`zones.ts`). A group at its max, or whose launches
 * failed within the back-off window, is skipped while another group can take the work. Each
 * group's count (in instances; desired grows by count × weight) is capped by its max and by
 * `maxStep` over the whole decision.
 */
import type { CapacityGroup, Instance, Service, TaskShape } from './cluster';
import { isGone, isSchedulable } from './cluster';
import { incomingBins, incomingCapacity, isLeaving, predictedLaunches, type IncomingOfGroup } from './incoming';
import { headroomOfBins } from './headroom';
import { plannedFor } from './instance-types';
import { packFirstFitDecreasing } from './packing';
import { binOf, fits, freshBin, launchesToReachEveryZone, type Bin } from './placement';
import { byPricePerTask } from './price';
import { affordable, reserveBudget, reserveShortfall, reserveVictims } from './reserve';
import { describeUnschedulable, splitUnschedulable, type Unschedulable } from './unschedulable';
import { balancedSequence, room, weightOf, zoneRuns } from './zones';

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
  /** Unregistered members older than this no longer count as incoming capacity. */
  readonly provisioningTimeoutSeconds?: number;
  /** Instances to treat as already gone (Spot warnings handled now). */
  readonly leaving?: ReadonlySet<string>;
  /** Instances drained for scale-in that this decision may count as ACTIVE again. */
  readonly reactivated?: ReadonlySet<string>;
  /**
   * Tasks waiting for capacity with no instance yet (ECS `PROVISIONING`, e.g. `RunTask` through a
   * capacity provider without managed scaling): standalone work ECS queues until room appears.
   */
  readonly waiting?: readonly TaskShape[];
  /** `SPOT_RESERVE_INSTANCES`: room for the service tasks of this many fullest Spot instances. */
  readonly spotReserve?: number;
  /** `SPOT_RESERVE_PERCENT`: the reserve's cost cap (`reserve.ts`); 100 when absent. */
  readonly spotReservePercent?: number;
  /**
   * Capacity on its way (`incomingCapacity`), when the caller computed it already (decide does,
   * once per tick, and builds `bins` from it).
   */
  readonly incoming?: ReadonlyMap<string, IncomingOfGroup>;
  /**
   * The capacity bins (schedulable + incoming), when the caller built them already (decide builds
   * them once per tick); mutated by the packing.
   */
  readonly bins?: Bin[];
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
  /** Instances on their way (launched, not yet registered, or requested), per group. */
  readonly incoming: ReadonlyMap<string, IncomingOfGroup>;
  /** Tasks no group can take now (every group at max, or the step limit). */
  readonly unplaceable: readonly string[];
  /** Tasks no group's instance could ever hold: reported, left out of the decision. */
  readonly unschedulable: readonly Unschedulable[];
  /** Service tasks of the k fullest Spot instances that would not fit elsewhere now. */
  readonly reserveShortfall: number;
  readonly reasons: readonly string[];
}

/** Daemon task shapes that start on every new instance. */
export function daemonShapes(services: readonly Service[]): TaskShape[] {
  return services.filter((s) => s.daemon).map((s) => ({ cpu: s.shape.cpu, memory: s.shape.memory, ...(s.shape.tcpPorts ? { tcpPorts: s.shape.tcpPorts } : {}), ...(s.shape.udpPorts ? { udpPorts: s.shape.udpPorts } : {}) }));
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

/** Bins of schedulable (or reactivated) instances, plus one fresh bin per incoming instance (`incomingBins`). */
export function capacityBins(input: Pick<ScaleOutInput, 'instances' | 'groups' | 'services' | 'leaving' | 'reactivated'>, incoming: ReadonlyMap<string, IncomingOfGroup>): Bin[] {
  const bins: Bin[] = [];
  for (const i of input.instances) {
    if (isLeaving(i, input.leaving)) continue;
    if (isSchedulable(i) || input.reactivated?.has(i.id) === true) bins.push(binOf(i));
  }
  bins.push(...incomingBins(input.groups, incoming, daemonShapes(input.services)));
  return bins;
}

/**
 * Step 3, storm insurance: the tasks of the k fullest Spot instances must fit elsewhere; returns the
 * ones to buy room for within `SPOT_RESERVE_PERCENT`.
 */
function uninsuredTasks(input: ScaleOutInput, bins: readonly Bin[], daemons: ReturnType<typeof daemonShapes>, reasons: string[]): TaskShape[] {
  const spotGroups = new Set(input.groups.filter((g) => g.spot === true).map((g) => g.name));
  const insurable = (i: Instance): boolean => !isLeaving(i, input.leaving) && isSchedulable(i);
  const victims = reserveVictims(input.instances, spotGroups, input.spotReserve ?? 0, (i) => !insurable(i), reserveBudget(input.instances.filter(insurable), input.spotReservePercent ?? 100));
  const short = reserveShortfall(victims, bins);
  const uninsured = affordable(short, input.spotReservePercent ?? 100, input.instances.filter(insurable).length, input.groups, daemons);
  if (short.length > 0) reasons.push(`${short.length} service task(s) of the ${victims.length} most exposed Spot instance(s) could not be re-homed at once (SPOT_RESERVE_INSTANCES ${input.spotReserve ?? 0}); room bought for ${uninsured.length} within SPOT_RESERVE_PERCENT ${input.spotReservePercent ?? 100} % of the fleet`);
  return uninsured;
}

/**
 * The groups new instances are tried in, noting those at their max or backed off. Cheapest per
 * waiting task first among the groups that can take work now; priority breaks ties (`price.ts`).
 * Mixed-instances groups are planned with the types that hold the tasks (`instance-types.ts`).
 */
function groupOrder(input: ScaleOutInput, pending: readonly TaskShape[], daemons: ReturnType<typeof daemonShapes>, reasons: string[]): CapacityGroup[] {
  const withRoom = input.groups.filter((g) => room(g) > 0);
  const preferred = withRoom.filter((g) => !backedOff(g, input.now, input.backoffSeconds));
  for (const g of input.groups) {
    if (room(g) <= 0) reasons.push(`group ${g.name} is at its max (${g.max})`);
    else if (backedOff(g, input.now, input.backoffSeconds)) reasons.push(`group ${g.name} backed off: a launch failed ${Math.round((input.now - (g.launchFailedAt ?? 0)) / 1000)} s ago`);
  }
  const planned = (list: readonly CapacityGroup[]): CapacityGroup[] => list.map((g) => plannedFor(g, pending, daemons));
  return [...byPricePerTask(planned(preferred), pending, daemons), ...planned(withRoom.filter((g) => !preferred.includes(g)))];
}

/** New instances planned so far, and the tasks still waiting for one. */
interface Opening {
  readonly input: ScaleOutInput;
  readonly daemons: ReturnType<typeof daemonShapes>;
  readonly reasons: readonly string[];
  readonly actions: ScaleOut[];
  /** Capacity on its way: new instances are numbered after each group's predicted launches. */
  readonly incoming: ReadonlyMap<string, IncomingOfGroup>;
  /** New instances per group. */
  readonly opened: Map<string, number>;
  added: number;
  lowerBound: number;
  pending: TaskShape[];
}

/** Records `count` more new instances of `g` (one action per group, its count the total). */
function note(o: Opening, g: CapacityGroup, count: number, placed: number, bound: number, limitNote?: string): void {
  if (count <= 0) return;
  const why = [...o.reasons, `first-fit decreasing packs ${placed} task(s) into ${count} new ${g.instanceType ?? g.name} instance(s) (lower bound ${bound})`];
  if (limitNote !== undefined) why.push(limitNote);
  o.opened.set(g.name, (o.opened.get(g.name) ?? 0) + count);
  const total = o.opened.get(g.name) as number;
  const existing = o.actions.findIndex((a) => a.group === g.name);
  const action: ScaleOut = { kind: 'scale-out', group: g.name, count: total, desired: g.desired + total * weightOf(g), reasons: why };
  if (existing >= 0) o.actions[existing] = action;
  else o.actions.push(action);
  o.added += count;
  o.lowerBound += bound;
}

/**
 * Packs the pending tasks into new instances of `g`; returns the bins opened (their room is still
 * free). New instances are numbered after the group's launches Auto Scaling will make first (those
 * requested but not yet made, `predictedLaunches`) and those this decision opened already, so their
 * zone guesses continue Auto Scaling's sequence.
 */
function packInto(o: Opening, g: CapacityGroup): Bin[] {
  const { input, daemons } = o;
  const limit = Math.min(room(g) - (o.opened.get(g.name) ?? 0), input.maxStep - o.added);
  if (o.pending.length === 0 || limit <= 0) return [];
  const base = predictedLaunches(o.incoming.get(g.name)) + (o.opened.get(g.name) ?? 0);
  const packed = packFirstFitDecreasing(o.pending, [], { make: (n) => freshBin(g, daemons, base + n), limit, lookahead: launchesToReachEveryZone(g, base) });
  const capped = packed.unplaced.some((u) => u.reason === 'cap') ? `capped at ${limit} by ${room(g) <= input.maxStep - o.added ? `group max ${g.max}` : `MAX_SCALE_OUT_STEP ${input.maxStep}`}` : undefined;
  note(o, g, packed.opened.length, packed.placements.size, packed.lowerBound, capped);
  const pending = o.pending;
  o.pending = packed.unplaced.map((u) => pending[u.task] as TaskShape);
  return [...packed.opened];
}

/**
 * A run of several one-zone groups: tasks only some zones of the run can hold (pinned by memberOf)
 * go first, group by group; the rest fill the room left on those new instances before new
 * instances are spread evenly across the zones. Spreading first would open an instance in the
 * emptiest zone for tasks that the pinned tasks' instances could have held.
 */
function spreadAcrossZones(o: Opening, run: readonly CapacityGroup[]): void {
  const { input, daemons } = o;
  // One empty probe instance per group (fits reads a bin, never changes it): O(tasks × groups).
  const probes = run.map((g) => freshBin(g, daemons, 0, 'probe'));
  const free: TaskShape[] = [];
  const pinnedTasks: TaskShape[] = [];
  for (const t of o.pending) (probes.every((b) => fits(t, b).ok) ? free : pinnedTasks).push(t);
  o.pending = pinnedTasks;
  const forPinned: Bin[] = [];
  for (const g of run) forPinned.push(...packInto(o, g));
  const pinnedLeft = o.pending;
  const grown = run.map((g) => ({ ...g, desired: g.desired + (o.opened.get(g.name) ?? 0) * weightOf(g) }));
  const seq = balancedSequence(grown, input.maxStep - o.added);
  const packed = packFirstFitDecreasing(free, forPinned, { make: (n) => freshBin(seq[n] ?? (run[0] as CapacityGroup), daemons, n, 'new-zone'), limit: seq.length });
  const perGroup = new Map<string, number>();
  for (const b of packed.opened) if (b.group !== undefined) perGroup.set(b.group, (perGroup.get(b.group) ?? 0) + 1);
  for (const g of run) note(o, g, perGroup.get(g.name) ?? 0, packed.placements.size, Math.ceil((packed.lowerBound * (perGroup.get(g.name) ?? 0)) / Math.max(1, packed.opened.length)), `spread evenly across the zones of ${run.map((r) => r.name).join(', ')}`);
  o.pending = [...pinnedLeft, ...packed.unplaced.map((u) => free[u.task] as TaskShape)];
}

export function planScaleOut(input: ScaleOutInput): ScaleOutPlan {
  const reasons: string[] = [];
  const incoming = input.incoming ?? incomingCapacity(input.instances, input.groups, input.leaving, input.now, input.provisioningTimeoutSeconds);
  const bins = input.bins ?? capacityBins(input, incoming);
  const daemons = daemonShapes(input.services);
  const split = splitUnschedulable(demandOf(input.services, input.instances, input.leaving, input.reactivated, input.waiting), input.groups, daemons, bins);
  const demand = split.schedulable;
  const headroomBefore = headroomOfBins(input.shape, bins);

  // 1. Real demand into free space of existing and incoming instances.
  const first = packFirstFitDecreasing(demand, bins);
  const leftover: TaskShape[] = first.unplaced.map((u) => demand[u.task] as TaskShape);
  // 2. Headroom target on what is left.
  const headroomAfter = headroomOfBins(input.shape, bins);
  const deficit = Math.max(0, input.shortageThreshold - headroomAfter);
  if (leftover.length > 0) reasons.push(`${leftover.length} of ${demand.length} task(s) needing a place do not fit on existing or incoming instances`);
  if (deficit > 0) reasons.push(`headroom ${headroomAfter} < shortage threshold ${input.shortageThreshold}: ${deficit} more ${input.shape.cpu} CPU/${input.shape.memory} MiB task(s) must fit`);
  const pending: TaskShape[] = [...leftover];
  for (let k = 0; k < deficit; k++) pending.push(input.shape);
  const uninsured = uninsuredTasks(input, bins, daemons, reasons);
  pending.push(...uninsured);

  const order = groupOrder(input, pending, daemons, reasons);
  const o: Opening = { input, daemons, reasons, actions: [], incoming, opened: new Map(), added: 0, lowerBound: 0, pending };
  for (const run of zoneRuns(order)) {
    if (o.pending.length === 0 || o.added >= input.maxStep) break;
    if (run.length > 1) spreadAcrossZones(o, run);
    for (const g of run) packInto(o, g);
  }
  const unplaceable = o.pending.length > 0 ? [`${o.pending.length} task(s) cannot be placed on any group within its max and the step limit`] : [];
  const never = describeUnschedulable(split.unschedulable);
  return {
    actions: o.actions,
    headroom: headroomBefore,
    demandTasks: demand.length,
    deficit,
    instancesNeeded: o.added,
    lowerBound: o.lowerBound,
    incoming,
    unplaceable,
    unschedulable: split.unschedulable,
    reserveShortfall: uninsured.length,
    reasons: [...reasons, ...unplaceable, ...never],
  };
}
