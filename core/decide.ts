/**
 * The whole-cluster decision a tick makes: headroom, scale-out (preferring to reactivate
 * instances this tool is draining for scale-in), scale-in, and terminating scale-in instances
 * that are empty. Pure: the handler reads the cluster, calls `decide`, and acts on the result.
 */
import type { CapacityGroup, Instance, Resources, Service, TaskShape } from './cluster';
import { isScaleInDrain, isSchedulable, liveWorkload, tasksKnown } from './cluster';
import { headroom, referenceShape } from './headroom';
import { planScaleIn, type HeadroomSample, type ScaleIn } from './scale-in';
import type { Config } from './config';
import { demandOf, planScaleOut, type ScaleOut, type ScaleOutPlan } from './scale-out';

/** The part of the configuration a decision reads (a whole `Config` will do). */
export type DecideSettings = Pick<
  Config,
  'taskShape' | 'shortageThreshold' | 'excessThreshold' | 'scaleInStabilizationSeconds' | 'maxScaleInPercent' | 'maxScaleOutStep' | 'groupBackoffSeconds' | 'scaleInEnabled'
>;

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

export type Action = ScaleOut | ScaleIn | Reactivate | Terminate;

export interface ClusterSummary {
  readonly schedulableTasks: number;
  readonly pendingTasks: number;
  readonly activeInstances: number;
  readonly drainingInstances: number;
  readonly cpuReservedPercent: number;
  readonly memoryReservedPercent: number;
}

export interface Decision {
  readonly shape: Resources;
  readonly summary: ClusterSummary;
  readonly scaleOut: readonly ScaleOut[];
  readonly scaleIn: readonly ScaleIn[];
  readonly reactivate: readonly Reactivate[];
  readonly terminate: readonly Terminate[];
  readonly instancesNeeded: number;
  readonly lowerBound: number;
  readonly reasons: readonly string[];
}

export function summarise(instances: readonly Instance[], services: readonly Service[], schedulableTasks: number, waiting = 0): ClusterSummary {
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
  };
}

/**
 * Scale-out, reactivating scale-in drains first: the fewest (emptiest first) that make new
 * instances unnecessary, or all of them and new instances for the rest. At most r + 1 packs for r
 * scale-in drains (r ≤ the scale-in budget).
 */
function scaleOutWithReactivation(input: DecideInput, shape: Resources): { plan: ScaleOutPlan; reactivate: Reactivate[] } {
  const base = {
    now: input.now,
    instances: input.instances,
    groups: input.groups,
    services: input.services,
    shape,
    shortageThreshold: input.settings.shortageThreshold,
    maxStep: input.settings.maxScaleOutStep,
    backoffSeconds: input.settings.groupBackoffSeconds,
    ...(input.leaving !== undefined ? { leaving: input.leaving } : {}),
    ...(input.waiting !== undefined ? { waiting: input.waiting } : {}),
  };
  // Short of capacity: new instances wanted, or a headroom deficit no group can launch for (every
  // group at max or capped): reactivating is then the only capacity there is.
  const short = (p: ScaleOutPlan): boolean => p.actions.length > 0 || p.deficit > 0;
  let plan = planScaleOut(base);
  if (!short(plan)) return { plan, reactivate: [] };
  const drains = input.instances
    .filter((i) => isScaleInDrain(i) && i.terminating !== true && input.leaving?.has(i.id) !== true)
    .sort((a, b) => a.remaining.cpu / Math.max(1, a.registered.cpu) - b.remaining.cpu / Math.max(1, b.registered.cpu) || a.id.localeCompare(b.id))
    .reverse();
  const chosen = new Set<string>();
  for (const d of drains) {
    chosen.add(d.id);
    plan = planScaleOut({ ...base, reactivated: chosen });
    if (!short(plan)) break;
  }
  const reactivate = [...chosen].map((id) => ({
    kind: 'reactivate' as const,
    instance: id,
    reasons: ['shortage while draining for scale-in: an instance already running is the fastest capacity there is'],
  }));
  return { plan, reactivate };
}

export function decide(input: DecideInput): Decision {
  const s = input.settings;
  const shape = referenceShape(s.taskShape, input.services, input.instances);
  const visible = input.leaving === undefined ? input.instances : input.instances.map((i) => (input.leaving?.has(i.id) === true ? { ...i, terminating: true } : i));
  const h = headroom(shape, visible);
  const summary = summarise(visible, input.services, h.total, input.waiting?.length ?? 0);
  const reasons: string[] = [`reference task ${shape.cpu} CPU/${shape.memory} MiB: ${h.total} fit on ${summary.activeInstances} active instance(s)`];

  const { plan, reactivate } = scaleOutWithReactivation(input, shape);
  reasons.push(...plan.reasons);

  let scaleIn: readonly ScaleIn[] = [];
  const shortage = plan.actions.length > 0 || reactivate.length > 0 || plan.deficit > 0 || plan.demandTasks > 0 && plan.unplaceable.length > 0;
  if (s.scaleInEnabled && !shortage) {
    const si = planScaleIn({
      now: input.now,
      instances: visible,
      groups: input.groups,
      shape,
      headroom: h.total,
      history: input.history,
      shortageThreshold: s.shortageThreshold,
      excessThreshold: s.excessThreshold,
      stabilizationSeconds: s.scaleInStabilizationSeconds,
      maxScaleInPercent: s.maxScaleInPercent,
      displaced: demandOf([], input.instances, input.leaving, undefined, input.waiting),
    });
    scaleIn = si.actions;
    reasons.push(...si.reasons);
  }

  const reactivated = new Set(reactivate.map((r) => r.instance));
  const groupNames = new Set(input.groups.map((g) => g.name));
  const terminate: Terminate[] = visible
    .filter((i) => isScaleInDrain(i) && i.terminating !== true && !reactivated.has(i.id) && i.group !== undefined && groupNames.has(i.group) && tasksKnown(i) && liveWorkload(i).length === 0)
    .map((i) => ({ kind: 'terminate', instance: i.id, group: i.group as string, reasons: ['drained for scale-in and holds no non-daemon task: terminate with decrement'] }));

  return {
    shape,
    summary,
    scaleOut: plan.actions,
    scaleIn,
    reactivate,
    terminate,
    instancesNeeded: plan.instancesNeeded,
    lowerBound: plan.lowerBound,
    reasons,
  };
}
