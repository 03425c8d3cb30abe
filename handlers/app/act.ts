/**
 * Shared by the tick and the interruption handler: read the whole cluster through the ports, and
 * act on a core `Decision`. Acting is skipped entirely in dry-run mode (the caller logs the plan).
 */
import type { Instance, Service, TaskShape } from '../../core/cluster';
import { REACTIVATED_ATTRIBUTE, SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import type { Config } from '../../core/config';
import type { Decision, DecideSettings } from '../../core/decide';
import { readPlan, type ReadPlan } from '../../core/read-plan';
import type { HeadroomSample } from '../../core/scale-in';
import { categoryOf, type ErrorCategory } from '../../core/errors';
import type { HandlerContext } from './context';
import { optionalRead, type DegradedRead } from './degraded';
import { buildModel, launchCandidates, type ClusterModel, type LaunchFacts } from './model';
import type { AutoScaling, ContainerService, GroupState, InstanceCatalog, InstanceTypeInfo, LaunchTemplateInfo, Logger, Metrics } from './ports';
import { stillInService } from './still-in-service';
import { drainForScaleIn } from './scale-in-drain';
import { clearReactivated } from './clear-reactivated';

/**
 * What reading the cluster needs: the read side of the ports only (all the `plan` command has; a
 * `HandlerContext` is one).
 */
export interface ReadContext {
  readonly config: Config;
  readonly ports: {
    readonly ecs: Pick<ContainerService, 'snapshot' | 'tasksOf'>;
    readonly autoScaling: Pick<AutoScaling, 'describeGroups'>;
    readonly catalog: InstanceCatalog;
    readonly metrics: Pick<Metrics, 'history'>;
    readonly log: Logger;
  };
}

export interface ClusterView extends ClusterModel {
  readonly services: Service[];
  /** Tasks waiting for capacity with no instance yet (PROVISIONING). */
  readonly waiting: TaskShape[];
  readonly groupStates: GroupState[];
  /** Optional reads that failed while building this view (handlers/app/degraded.ts). */
  readonly degraded: readonly DegradedRead[];
}

/**
 * What EC2 says about the groups' launch templates and instance types (cached by the adapter for
 * the container's life, so a warm tick usually makes no call). A failure here is logged and the
 * groups are sized from their registered members, as far as they can be: sizing must never stop a
 * tick.
 */
export async function launchFacts(ctx: ReadContext, groupStates: readonly GroupState[], degraded: DegradedRead[] = []): Promise<LaunchFacts> {
  const templates = new Map<string, LaunchTemplateInfo>();
  const types = new Map<string, InstanceTypeInfo>();
  try {
    await Promise.all(
      groupStates.map(async (g) => {
        if (g.launchTemplate !== undefined) templates.set(g.name, await ctx.ports.catalog.launchTemplate(g.launchTemplate));
      }),
    );
    const wanted = new Set<string>();
    for (const g of groupStates) for (const c of launchCandidates(g, templates.get(g.name))) wanted.add(c.instanceType);
    if (wanted.size > 0) for (const [k, v] of await ctx.ports.catalog.instanceTypes([...wanted].sort())) types.set(k, v);
  } catch (error) {
    degraded.push({ read: 'EC2 launch templates and instance types', without: 'the shape of new instances (groups are sized from their registered members)', error: String(error) });
  }
  return { types, templates };
}

/** What the decision will be asked about, besides the cluster: its time, history and settings. */
export interface ReadFacts {
  readonly now: number;
  readonly history: readonly HeadroomSample[];
  readonly leaving?: ReadonlySet<string>;
  readonly settings: DecideSettings;
}

/**
 * One snapshot of ECS (instances and services, no task) and one description of the configured
 * groups, read in parallel; then the tasks the core's read plan says the decision needs
 * (`core/read-plan.ts`): those of instances leaving (terminating, agent disconnected, or in
 * `leaving`: Spot warnings) or not ACTIVE, the fullest Spot instances the storm reserve insures,
 * and every instance's when scale-in is considered. `known`: tasks the caller read moments ago
 * (the warned instances of a storm), not read again. `waiting`: whether to list the tasks waiting
 * with no instance, given the plan.
 */
export async function readCluster(
  ctx: ReadContext,
  facts: ReadFacts | Promise<ReadFacts>,
  options: { readonly known?: readonly Instance[]; readonly waiting?: (plan: ReadPlan) => boolean } = {},
): Promise<{ view: ClusterView; waitingRead: boolean; reads: string[]; scaleIn: boolean }> {
  const [snapshot, groupStates] = await Promise.all([ctx.ports.ecs.snapshot({ tasks: 'none' }), ctx.ports.autoScaling.describeGroups(ctx.config.asgNames)]);
  const known = new Map((options.known ?? []).filter((i) => i.tasks !== undefined).map((i) => [i.id, i.tasks as NonNullable<Instance['tasks']>]));
  const instances = known.size === 0 ? snapshot.instances : snapshot.instances.map((i) => (known.has(i.id) && i.tasks === undefined ? { ...i, tasks: known.get(i.id) ?? [] } : i));
  const degraded: DegradedRead[] = groupStates
    .filter((g) => g.activitiesUnavailable !== undefined)
    .map((g) => ({ read: `scaling activities of ${g.name}`, without: 'its launch back-off and launch dates', error: g.activitiesUnavailable as string }));
  const model = buildModel(instances, groupStates, ctx.config.asgNames, await launchFacts(ctx, groupStates, degraded));
  for (const s of model.skipped) ctx.ports.log.warn('capacity group left out of scale-out', s);
  let view: ClusterView = { ...model, services: snapshot.services, waiting: snapshot.waiting ?? [], groupStates, degraded };
  let given = await facts;
  // Ask the plan, read what it lacks, ask again: a read can widen it (tasks that make a possibly
  // idle cluster busy, Spot instances fuller than those read). Each instance is asked for once and
  // the waiting tasks listed at most once, so this ends (in practice after one or two reads).
  const asked = new Set<string>();
  let waitingRead = false;
  const reads = new Set<string>();
  for (;;) {
    const plan = readPlan({ ...given, instances: view.instances, groups: view.groups, services: view.services, waiting: view.waiting });
    const ids = new Set([...plan.tasks].filter((id) => !asked.has(id)));
    const waiting: boolean = !waitingRead && options.waiting?.(plan) === true;
    if (ids.size === 0 && !waiting) return { view, waitingRead, reads: [...reads], scaleIn: given.settings.scaleInEnabled };
    if (ids.size > 0) for (const r of plan.reasons) reads.add(r);
    for (const id of ids) asked.add(id);
    waitingRead ||= waiting;
    try {
      view = await withTasks(ctx, view, (i) => ids.has(i.id), { waiting });
    } catch (error) {
      // Optional parts of this read: scale-in's tasks and the waiting-task listing. Without them, no
      // scale-in and the waiting tasks wait for the next tick; the plan is asked again for what the
      // rest of the decision needs, and a failure of that read fails the tick.
      if (!given.settings.scaleInEnabled && !waiting) throw error;
      const without = [...(given.settings.scaleInEnabled ? ['scale-in'] : []), ...(waiting ? ['the waiting tasks (read again next tick)'] : [])].join(' and ');
      view = { ...view, degraded: [...view.degraded, { read: 'task reads for scale-in or waiting tasks', without, error: `${categoryOf(error)}: ${String(error)}` }] };
      given = { ...given, settings: { ...given.settings, scaleInEnabled: false } };
      for (const id of ids) asked.delete(id);
    }
  }
}

/** The view with the tasks of the instances `which` selects filled in (the others keep theirs). */
export async function withTasks(ctx: ReadContext, view: ClusterView, which: (i: Instance) => boolean, options: { readonly waiting?: boolean } = {}): Promise<ClusterView> {
  const arns = view.instances.filter((i) => i.arn !== undefined && i.tasks === undefined && which(i)).map((i) => i.arn as string);
  if (arns.length === 0 && options.waiting !== true) return view;
  const { byInstance, waiting } = await ctx.ports.ecs.tasksOf(arns, options.waiting === true ? { waiting: true } : {});
  const instances = view.instances.map((i) => {
    const t = i.arn !== undefined ? byInstance.get(i.arn) : undefined;
    return t !== undefined ? { ...i, tasks: t } : i;
  });
  return { ...view, instances, ...(waiting !== undefined ? { waiting } : {}) };
}

/**
 * What the tick remembers between invocations about tasks waiting with no instance (PROVISIONING),
 * for as long as its container lives (the Lambda keeps the ports of a warm container; the simulator
 * one set per run): `due` while the last listing found waiting tasks or a PROVISIONING event came
 * in that no tick has read yet, so the following ticks keep reading them until none is left (a
 * launch that failed leaves them waiting: they are seen again); `readAt`, when the last listing
 * was read. A cold start forgets it: the next PROVISIONING event, or the shortage threshold, finds
 * the waiting tasks again.
 */
export interface WaitingMemo {
  due: boolean;
  readAt?: number;
}
const memos = new WeakMap<object, WaitingMemo>();

/** The waiting-task memo of this container (keyed by its ports). */
export function waitingMemo(ports: object): WaitingMemo {
  let m = memos.get(ports);
  if (m === undefined) {
    m = { due: false };
    memos.set(ports, m);
  }
  return m;
}

/**
 * What a tick reads: the headroom history (the read plan needs it) while the cluster is read, then
 * what the core's read plan asks for (`readCluster`): every instance's tasks only when scale-in is considered,
 * and the cluster's task listing (the only way to see tasks waiting with no instance,
 * PROVISIONING) when headroom is under the shortage threshold, when `waiting` asks for it (the tick
 * of a PROVISIONING event) or while the memo says tasks were waiting. A steady cluster with nothing
 * waiting reads no task at all.
 */
export async function readForTick(ctx: ReadContext, now: number, options: { readonly waiting?: boolean } = {}): Promise<{ view: ClusterView; history: HeadroomSample[]; reads: string[]; scaleIn: boolean }> {
  const { config } = ctx;
  const memo = waitingMemo(ctx.ports);
  // The history feeds only scale-in: when it cannot be read, no scale-in (and the plan then asks
  // for no scale-in read); scale-out needs none of it.
  const degraded: DegradedRead[] = [];
  const history = config.scaleInEnabled
    ? optionalRead(degraded, 'SchedulableTasks history (GetMetricData)', 'scale-in', [] as HeadroomSample[], () => ctx.ports.metrics.history('SchedulableTasks', now - (config.scaleInStabilizationSeconds + 120) * 1000, now))
    : Promise.resolve({ value: [] as HeadroomSample[], ok: true });
  const facts = history.then((h) => ({ now, history: h.value, settings: decideSettings(config, h.ok ? {} : { scaleInEnabled: false }) }));
  const read = await readCluster(ctx, facts, { waiting: (plan) => plan.short || options.waiting === true || memo.due });
  if (read.waitingRead) {
    // A listing that failed (degraded) leaves the memo due: the next tick reads the waiting tasks.
    const listed = read.view.degraded.every((d) => !d.without.includes('waiting tasks'));
    memo.due = listed ? read.view.waiting.length > 0 : true;
    memo.readAt = now;
  }
  return { view: { ...read.view, degraded: [...read.view.degraded, ...degraded] }, history: (await facts).history, reads: read.reads, scaleIn: read.scaleIn };
}

export function decideSettings(config: Config, overrides: Partial<DecideSettings> = {}): DecideSettings {
  return {
    taskShape: config.taskShape,
    shortageThreshold: config.shortageThreshold,
    excessThreshold: config.excessThreshold,
    scaleInStabilizationSeconds: config.scaleInStabilizationSeconds,
    maxScaleInPercent: config.maxScaleInPercent,
    maxScaleOutStep: config.maxScaleOutStep,
    groupBackoffSeconds: config.groupBackoffSeconds,
    scaleInEnabled: config.scaleInEnabled,
    provisioningTimeoutSeconds: config.provisioningTimeoutSeconds,
    spotReserveInstances: config.spotReserveInstances,
    sparePercent: config.sparePercent,
    spotReservePercent: config.spotReservePercent,
    scaleInWaitSeconds: config.scaleInWaitSeconds,
    rebalancePolicy: config.rebalancePolicy,
    ...overrides,
  };
}

/** The plan in one log-friendly object. */
export function planOf(d: Decision): Record<string, unknown> {
  return {
    shape: d.shape,
    summary: d.summary,
    scaleOut: d.scaleOut.map((a) => ({ group: a.group, count: a.count, desired: a.desired })),
    scaleIn: d.scaleIn.map((a) => a.instance),
    reactivate: d.reactivate.map((a) => a.instance),
    terminate: d.terminate.map((a) => a.instance),
    clearReactivated: d.clearReactivated.map((a) => a.instance),
    instancesNeeded: d.instancesNeeded,
    lowerBound: d.lowerBound,
    reasons: d.reasons,
  };
}

export interface ActOptions {
  /** Scale-in and termination of empty scale-in instances: the tick only. */
  readonly scaleIn: boolean;
}

/**
 * Act on a decision, most urgent first: grow groups, reactivate scale-in drains, then (tick only)
 * start scale-in drains and terminate empty scale-in instances with decrement.
 *
 * Every answer is read, so the scale-in mark and DRAINING always go together: scale-in marks first
 * and drains only what the mark reached (PutAttributes can be refused: 10 custom attributes per
 * instance), then unmarks what ECS refused to set DRAINING; reactivation removes the mark only
 * where ECS set ACTIVE. An instance DRAINING without the mark would look like a foreign drain and
 * never be terminated nor reactivated; a marked ACTIVE instance would be mistaken for a drain.
 */
export async function applyDecision(ctx: HandlerContext, d: Decision, instances: readonly Instance[], options: ActOptions): Promise<ActFailure[]> {
  const { ecs, autoScaling, log, now } = ctx.ports;
  const arnOf = new Map(instances.filter((i) => i.arn !== undefined).map((i) => [i.id, i.arn as string]));
  const arns = (ids: readonly string[]): string[] => ids.map((id) => arnOf.get(id)).filter((a): a is string => a !== undefined);
  const reactivate = async (targets: readonly string[]): Promise<readonly string[]> => {
    if (targets.length === 0) return [];
    const { changed } = await ecs.setStatus(targets, 'ACTIVE');
    if (changed.length > 0) await ecs.setAttribute(changed, SCALE_IN_ATTRIBUTE, undefined);
    // Hysteresis: not drained for scale-in again for SCALE_IN_WAIT_SECONDS (core/consolidation.ts).
    if (changed.length > 0) await ecs.setAttribute(changed, REACTIVATED_ATTRIBUTE, new Date(now()).toISOString());
    return changed;
  };

  for (const a of d.scaleOut) {
    // The adapter never lowers desired capacity (a concurrent scale-out may have raised it since our read).
    await autoScaling.setDesiredCapacity(a.group, a.desired);
    log.info('scale-out', { group: a.group, count: a.count, desired: a.desired });
  }
  const back = await reactivate(arns(await stillInService(ctx, d.reactivate.map((r) => r.instance))));
  if (back.length > 0) log.info('reactivated scale-in drains', { instances: back });
  const failures: ActFailure[] = [];
  if (!options.scaleIn) return failures;
  await clearReactivated(ctx, arns(d.clearReactivated.map((c) => c.instance)));
  const scaleIn = arns(d.scaleIn.map((s) => s.instance));
  if (scaleIn.length > 0) {
    const { unmarked, changed } = await drainForScaleIn(ctx, scaleIn, now());
    if (unmarked.length > 0) log.warn('scale-in: mark refused, instance left ACTIVE', { instances: unmarked });
    if (changed.length > 0) log.info('scale-in: draining', { instances: changed });
  }
  // One instance at a time: a failure (the instance changed state since the read, a refusal) is
  // logged and counted, and the other terminations go on; the next tick sees the instance again.
  for (const t of d.terminate) {
    try {
      const result = await autoScaling.terminateInstance(t.instance, true);
      if (result === 'at-min') {
        // Auto Scaling refuses a decrement below the group's minimum; the instance is capacity the
        // group keeps anyway, so it goes back to work instead of waiting DRAINING for nothing, once
        // the same check as any reactivation finds it still InService.
        log.warn('scale-in: group at its minimum, termination refused; reactivating the instance', { instance: t.instance, group: t.group });
        await reactivate(arns(await stillInService(ctx, [t.instance])));
      } else log.info('scale-in: terminating empty instance with decrement', { instance: t.instance, group: t.group, result });
    } catch (error) {
      failures.push({ instance: t.instance, category: categoryOf(error) });
      log.error('scale-in: terminating the instance failed; the other terminations go on', { instance: t.instance, group: t.group, category: categoryOf(error), error: String(error) });
    }
  }
  return failures;
}

/** An action on one instance that failed while the others went on. */
export interface ActFailure {
  readonly instance: string;
  readonly category: ErrorCategory;
}
