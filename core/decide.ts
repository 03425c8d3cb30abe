/**
 * The whole-cluster decision a tick makes: headroom, scale-out (preferring to reactivate
 * instances this tool is draining for scale-in), scale-in, and terminating scale-in instances
 * that are empty. Pure: the handler reads the cluster, calls `decide`, and acts on the result.
 */
import type { CapacityGroup, Instance, Resources, Service, TaskShape } from './cluster';
import { isScaleInDrain, isSchedulable, liveWorkload, REBALANCE_ATTRIBUTE, tasksKnown } from './cluster';
import { headroomOfBins } from './headroom';
import { overdueDrains, returnsOver } from './consolidation';
import { binOf, cloneBin, type Bin } from './placement';
import type { Unschedulable } from './unschedulable';
import { lastLaunch, planScaleIn, scaleInWindow, type HeadroomSample, type ScaleIn } from './scale-in';
import { oversizedInstances } from './right-size';
import type { Config } from './config';
import { incomingBins, incomingCapacity } from './incoming';
import { daemonShapes, demandOf, planScaleOut, type ScaleOut, type ScaleOutPlan } from './scale-out';
import { tickBasis } from './read-plan';
import { awaitingAsLeaving, awaitingMove, seatsBack, tickMoves } from './rebalance-move';
import { planRevert } from './revert';
import { memberWeights } from './zones';

/** The part of the configuration a decision reads (a whole `Config` will do). */
export type DecideSettings = Pick<
  Config,
  'taskShape' | 'shortageThreshold' | 'excessThreshold' | 'scaleInStabilizationSeconds' | 'maxScaleInPercent' | 'maxScaleOutStep' | 'groupBackoffSeconds' | 'scaleInEnabled' | 'provisioningTimeoutSeconds' | 'spotReserveInstances' | 'sparePercent' | 'spotReservePercent' | 'scaleInWaitSeconds'
> &
  Partial<Pick<Config, 'rebalancePolicy'>>;

export interface DecideInput {
  readonly now: number;
  readonly instances: readonly Instance[];
  /** The configured capacity groups in priority order. */
  readonly groups: readonly CapacityGroup[];
  readonly services: readonly Service[];
  /** Recent `SchedulableTasks` samples, for the scale-in stabilisation window. */
  readonly history: readonly HeadroomSample[];
  /** Instances to treat as gone now (Spot interruption warnings). */
  readonly leaving?: ReadonlySet<string>;
  /** Tasks waiting for capacity with no instance yet (ECS `PROVISIONING`). */
  readonly waiting?: readonly TaskShape[];
  readonly settings: DecideSettings;
}

export interface Reactivate {
  readonly kind: 'reactivate';
  readonly instance: string;
  readonly reasons: readonly string[];
}

export interface Terminate {
  readonly kind: 'terminate';
  readonly instance: string;
  readonly group: string;
  readonly reasons: readonly string[];
}

/** The hold after a return to service is over: delete the instance's reactivated mark (`consolidation.ts`). */
export interface ClearReactivated {
  readonly kind: 'clear-reactivated';
  readonly instance: string;
  readonly reasons: readonly string[];
}

export type Action = ScaleOut | ScaleIn | Reactivate | Terminate | ClearReactivated;

export interface ClusterSummary {
  readonly schedulableTasks: number;
  readonly pendingTasks: number;
  readonly activeInstances: number;
  readonly drainingInstances: number;
  readonly cpuReservedPercent: number;
  readonly memoryReservedPercent: number;
  /** Tasks no group's instance could ever hold (reported, left out of the decision). */
  readonly unschedulableTasks: number;
}

export interface Decision {
  readonly shape: Resources;
  readonly summary: ClusterSummary;
  readonly scaleOut: readonly ScaleOut[];
  readonly scaleIn: readonly ScaleIn[];
  readonly reactivate: readonly Reactivate[];
  readonly terminate: readonly Terminate[];
  /** Instances whose reactivated mark is to be deleted (the tick only). */
  readonly clearReactivated: readonly ClearReactivated[];
  readonly instancesNeeded: number;
  readonly lowerBound: number;
  /** Tasks no group's instance could ever hold, with why (metric `UnschedulableTasks`). */
  readonly unschedulable: readonly Unschedulable[];
  readonly reasons: readonly string[];
}

export function summarise(instances: readonly Instance[], services: readonly Service[], schedulableTasks: number, waiting = 0, unschedulableTasks = 0): ClusterSummary {
  let cpu = 0;
  let cpuUsed = 0;
  let memory = 0;
  let memoryUsed = 0;
  let active = 0;
  let draining = 0;
  for (const i of instances) {
    if (i.status === 'DRAINING') draining++;
    if (!isSchedulable(i)) continue;
    active++;
    cpu += i.registered.cpu;
    memory += i.registered.memory;
    cpuUsed += i.registered.cpu - i.remaining.cpu;
    memoryUsed += i.registered.memory - i.remaining.memory;
  }
  const pct = (used: number, of: number): number => (of > 0 ? Math.round((1000 * used) / of) / 10 : 0);
  return {
    schedulableTasks,
    pendingTasks: services.reduce((sum, s) => sum + (s.daemon ? 0 : s.unplaced), 0) + waiting,
    activeInstances: active,
    drainingInstances: draining,
    cpuReservedPercent: pct(cpuUsed, cpu),
    memoryReservedPercent: pct(memoryUsed, memory),
    unschedulableTasks,
  };
}

/**
 * Scale-out, reactivating scale-in drains first: the fewest (emptiest first) that make new
 * instances unnecessary, or all of them and new instances for the rest. At most r + 1 packs for r
 * scale-in drains (r ≤ the scale-in budget). Each pack works on copies of the tick's bins.
 */
/** The scale-out settings of a decision (shared by scale-out and the revert to cheaper groups). */
function scaleOutSettings(input: DecideInput, shape: Resources) {
  return {
    now: input.now,
    instances: input.instances,
    groups: input.groups,
    services: input.services,
    shape,
    shortageThreshold: input.settings.shortageThreshold,
    maxStep: input.settings.maxScaleOutStep,
    backoffSeconds: input.settings.groupBackoffSeconds,
    provisioningTimeoutSeconds: input.settings.provisioningTimeoutSeconds,
    spotReserve: input.settings.spotReserveInstances,
    spotReservePercent: input.settings.spotReservePercent,
    ...(input.leaving !== undefined ? { leaving: input.leaving } : {}),
    ...(input.waiting !== undefined ? { waiting: input.waiting } : {}),
  };
}

function scaleOutWithReactivation(input: DecideInput, shape: Resources, base: readonly Bin[]): { plan: ScaleOutPlan; reactivate: Reactivate[] } {
  // Incoming capacity is computed once and handed to every pack, with the zones of launched members.
  const incoming = incomingCapacity(input.instances, input.groups, input.leaving, input.now, input.settings.provisioningTimeoutSeconds);
  const settings = { ...scaleOutSettings(input, shape), incoming };
  const daemons = daemonShapes(input.services);
  const binsFor = (reactivated: readonly Instance[]): Bin[] => [...base.map(cloneBin), ...reactivated.map(binOf), ...incomingBins(input.groups, incoming, daemons)];
  // Short of capacity: new instances wanted, or a headroom deficit no group can launch for (every
  // group at max or capped): reactivating is then the only capacity there is.
  const short = (p: ScaleOutPlan): boolean => p.actions.length > 0 || p.deficit > 0 || p.reserveShortfall > 0;
  let plan = planScaleOut({ ...settings, bins: binsFor([]) });
  if (!short(plan)) return { plan, reactivate: [] };
  const drains = input.instances
    // Not one drained on a rebalance recommendation (REBALANCE_POLICY=move): it is at risk, and its
    // replacement is already launched.
    .filter((i) => isScaleInDrain(i) && i.terminating !== true && input.leaving?.has(i.id) !== true && i.attributes[REBALANCE_ATTRIBUTE] === undefined)
    .sort((a, b) => a.remaining.cpu / Math.max(1, a.registered.cpu) - b.remaining.cpu / Math.max(1, b.registered.cpu) || a.id.localeCompare(b.id))
    .reverse();
  const chosen: Instance[] = [];
  for (const d of drains) {
    chosen.push(d);
    plan = planScaleOut({ ...settings, reactivated: new Set(chosen.map((c) => c.id)), bins: binsFor(chosen) });
    if (!short(plan)) break;
  }
  const reactivate = chosen.map((c) => ({
    kind: 'reactivate' as const,
    instance: c.id,
    reasons: ['shortage while draining for scale-in: an instance already running is the fastest capacity there is'],
  }));
  return { plan, reactivate };
}

/**
 * One decision per tick. The bins of the schedulable instances are built once and shared: headroom
 * reads them, scale-out packs copies of them, scale-in (last) packs the originals. Per-instance live
 * task counts come from one pass over the tasks.
 */
export function decide(original: DecideInput): Decision {
  // REBALANCE_POLICY=move: an instance awaiting its move is leaving (its service tasks need room,
  // its capacity is going), so its replacement is planned and counted once (`rebalance-move.ts`).
  const awaiting = original.settings.rebalancePolicy === 'move' ? awaitingMove(original.instances, original.leaving) : [];
  const given = awaitingAsLeaving(original, awaiting);
  // With no work at all, no spare is kept (`isIdleCluster`): both thresholds count as 0, so nothing
  // is launched for spare and any instance above a group's min is surplus once the window has passed.
  // On a small cluster the spare is capped at SPARE_PERCENT of its work (`spare.ts`). The tick read
  // what this needs by the same basis (`read-plan.ts`).
  const { shape, idle, thresholds: spare, visible } = tickBasis(given);
  const input = spare.shortage === given.settings.shortageThreshold && spare.excess === given.settings.excessThreshold ? given : { ...given, settings: { ...given.settings, shortageThreshold: spare.shortage, excessThreshold: spare.excess } };
  const s = input.settings;
  const schedulable = visible.filter(isSchedulable);
  const bins = schedulable.map(binOf);
  const total = headroomOfBins(shape, bins);

  const { plan, reactivate: forShortage } = scaleOutWithReactivation(input, shape, bins);
  const reactivate = [...forShortage, ...overdue(visible, input, new Set(forShortage.map((r) => r.instance)))];
  const summary = summarise(visible, input.services, total, input.waiting?.length ?? 0, plan.unschedulable.length);
  const reasons: string[] = [`reference task ${shape.cpu} CPU/${shape.memory} MiB: ${total} fit on ${summary.activeInstances} active instance(s)`];
  if (idle) reasons.push(`no work at all (no service wants a task, none runs or waits): no spare kept (shortage and excess thresholds count as 0)`);
  else if ('reason' in spare && spare.reason !== undefined) reasons.push(spare.reason);
  reasons.push(...plan.reasons);

  // Shortage: capacity is being added, or demand that some group could hold is left without room.
  // Tasks no group could ever hold are not shortage: they never block scale-in.
  const shortage = plan.actions.length > 0 || forShortage.length > 0 || plan.deficit > 0 || plan.reserveShortfall > 0 || (plan.demandTasks > 0 && plan.unplaceable.length > 0);
  const giveBack = s.scaleInEnabled && !shortage ? planGiveBack(input, { shape, plan, schedulable, bins, total, visible }) : { scaleIn: [], scaleOut: [], reasons: [] };
  // Instances awaiting their move (REBALANCE_POLICY=move) drain once their tasks fit; not on a
  // tick that already drains for scale-in: its removals take room the moves' packing does not see.
  const moves = giveBack.scaleIn.length > 0 ? [] : tickMoves({ ...original, candidates: awaiting, groups: new Set(input.groups.map((g) => g.name)) });
  const scaleIn = [...giveBack.scaleIn, ...moves];
  reasons.push(...giveBack.reasons, ...moves.map((m) => `${m.instance}: ${m.reasons.join('; ')}`));

  const reactivated = new Set(reactivate.map((r) => r.instance));
  const groupNames = new Set(input.groups.map((g) => g.name));
  const terminate: Terminate[] = visible
    .filter((i) => isScaleInDrain(i) && i.terminating !== true && !reactivated.has(i.id) && i.group !== undefined && groupNames.has(i.group) && tasksKnown(i) && liveWorkload(i).length === 0)
    .map((i) => ({ kind: 'terminate', instance: i.id, group: i.group as string, reasons: ['drained for scale-in and holds no non-daemon task: terminate with decrement'] }));

  return {
    shape,
    summary,
    scaleOut: seatsBack([...plan.actions, ...giveBack.scaleOut], awaiting, original.groups),
    scaleIn,
    reactivate,
    terminate,
    clearReactivated: returnsOver(visible, input.now, s.scaleInWaitSeconds)
      .filter((i) => input.leaving?.has(i.id) !== true)
      .map((i) => ({ kind: 'clear-reactivated', instance: i.id, reasons: [`returned to service ${s.scaleInWaitSeconds} s or more ago and seen running no standalone task: the hold after its return is over (SCALE_IN_WAIT_SECONDS)`] })),
    instancesNeeded: plan.instancesNeeded,
    lowerBound: plan.lowerBound,
    unschedulable: plan.unschedulable,
    reasons,
  };
}

/** Capacity units draining for scale-in per group (they still count against the group's min). */
function countScaleInDrains(instances: readonly Instance[], groups: readonly CapacityGroup[]): Map<string, number> {
  const weight = memberWeights(groups);
  const out = new Map<string, number>();
  for (const i of instances) if (i.group !== undefined && isScaleInDrain(i) && i.terminating !== true) out.set(i.group, (out.get(i.group) ?? 0) + weight(i.group, i.id));
  return out;
}

function lastScaleOutOf(groups: readonly CapacityGroup[]): { lastScaleOut?: number } {
  const last = lastLaunch(groups);
  return last === undefined ? {} : { lastScaleOut: last };
}

/** Scale-in drains that waited `SCALE_IN_WAIT_SECONDS` for standalone tasks: back to service (`consolidation.ts`). */
function overdue(visible: readonly Instance[], input: DecideInput, already: ReadonlySet<string>): Reactivate[] {
  return overdueDrains(visible, input.now, input.settings.scaleInWaitSeconds)
    .filter((i) => !already.has(i.id) && input.leaving?.has(i.id) !== true)
    .map((i) => ({ kind: 'reactivate' as const, instance: i.id, reasons: [`drained for scale-in ${input.settings.scaleInWaitSeconds} s or more ago and still running standalone tasks: back to service (SCALE_IN_WAIT_SECONDS)`] }));
}

/**
 * What is given back on a tick without shortage: scale-in when the excess has held (`scale-in.ts`,
 * oversized instances first), else fallback or oversized capacity a cheaper group can replace
 * (`revert.ts`: its replacements, or its drains once they fit). Scale-in packs the tick's bins, which are not used afterwards.
 */
function planGiveBack(
  input: DecideInput,
  tick: { readonly shape: Resources; readonly plan: ScaleOutPlan; readonly schedulable: readonly Instance[]; readonly bins: Bin[]; readonly total: number; readonly visible: readonly Instance[] },
): { scaleIn: readonly ScaleIn[]; scaleOut: readonly ScaleOut[]; reasons: readonly string[] } {
  const s = input.settings;
  const never = new Set<TaskShape>(tick.plan.unschedulable.map((u) => u.task));
  const scaleInInput = {
    now: input.now,
    instances: tick.schedulable,
    groups: input.groups,
    shape: tick.shape,
    headroom: tick.total,
    history: input.history,
    shortageThreshold: s.shortageThreshold,
    excessThreshold: s.excessThreshold,
    stabilizationSeconds: s.scaleInStabilizationSeconds,
    ...lastScaleOutOf(input.groups),
    maxScaleInPercent: s.maxScaleInPercent,
    displaced: demandOf([], input.instances, input.leaving, undefined, input.waiting).filter((t) => !never.has(t)),
    spotGroups: new Set(input.groups.filter((g) => g.spot === true).map((g) => g.name)),
    spotReserve: s.spotReserveInstances,
    spotReservePercent: s.spotReservePercent,
    daemons: daemonShapes(input.services),
    drainingForScaleIn: countScaleInDrains(tick.visible, input.groups),
    reactivatedHoldSeconds: s.scaleInWaitSeconds,
  };
  // Oversized instances (`right-size.ts`) only once the excess held: a surge may still need them.
  const oversized = scaleInWindow(scaleInInput).held ? oversizedInstances(scaleInInput, scaleInInput.daemons, s.groupBackoffSeconds) : new Map<string, string[]>();
  const si = planScaleIn({ ...scaleInInput, bins: tick.bins, pricierFirst: oversized.size > 0 });
  if (si.actions.length > 0) return { scaleIn: si.actions, scaleOut: [], reasons: si.reasons };
  const revert = planRevert({ scaleIn: scaleInInput, scaleOut: scaleOutSettings(input, tick.shape), oversized });
  return { scaleIn: revert.scaleIn, scaleOut: revert.scaleOut, reasons: [...si.reasons, ...revert.reasons] };
}
