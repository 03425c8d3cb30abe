/**
 * Shared by the tick and the interruption handler: read the whole cluster through the ports, and
 * act on a core `Decision`. Acting is skipped entirely in dry-run mode (the caller logs the plan).
 */
import type { Instance, Service, TaskShape } from '../core/cluster';
import { SCALE_IN_ATTRIBUTE } from '../core/cluster';
import type { Config } from '../core/config';
import type { Decision, DecideSettings } from '../core/decide';
import type { HandlerContext } from './context';
import { buildModel, launchCandidates, type ClusterModel, type LaunchFacts } from './model';
import type { GroupState, InstanceTypeInfo, LaunchTemplateInfo } from './ports';

export interface ClusterView extends ClusterModel {
  readonly services: Service[];
  /** Tasks waiting for capacity with no instance yet (PROVISIONING). */
  readonly waiting: TaskShape[];
  readonly groupStates: GroupState[];
}

/**
 * What EC2 says about the groups' launch templates and instance types (cached by the adapter for
 * the container's life, so a warm tick usually makes no call). A failure here is logged and the
 * groups are sized from their registered members, as far as they can be: sizing must never stop a
 * tick.
 */
export async function launchFacts(ctx: HandlerContext, groupStates: readonly GroupState[]): Promise<LaunchFacts> {
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
    ctx.ports.log.warn('EC2 launch template / instance type lookup failed; groups are sized from registered members', { error: String(error) });
  }
  return { types, templates };
}

/** One snapshot of ECS and one description of the configured groups, read in parallel. */
export async function readCluster(ctx: HandlerContext): Promise<ClusterView> {
  const [snapshot, groupStates] = await Promise.all([ctx.ports.ecs.snapshot(), ctx.ports.autoScaling.describeGroups(ctx.config.asgNames)]);
  const model = buildModel(snapshot.instances, groupStates, ctx.config.asgNames, await launchFacts(ctx, groupStates));
  for (const s of model.skipped) ctx.ports.log.warn('capacity group left out of scale-out', s);
  return { ...model, services: snapshot.services, waiting: snapshot.waiting ?? [], groupStates };
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
export async function applyDecision(ctx: HandlerContext, d: Decision, instances: readonly Instance[], options: ActOptions): Promise<void> {
  const { ecs, autoScaling, log, now } = ctx.ports;
  const arnOf = new Map(instances.filter((i) => i.arn !== undefined).map((i) => [i.id, i.arn as string]));
  const arns = (ids: readonly string[]): string[] => ids.map((id) => arnOf.get(id)).filter((a): a is string => a !== undefined);
  const reactivate = async (targets: readonly string[]): Promise<readonly string[]> => {
    if (targets.length === 0) return [];
    const { changed } = await ecs.setStatus(targets, 'ACTIVE');
    if (changed.length > 0) await ecs.setAttribute(changed, SCALE_IN_ATTRIBUTE, undefined);
    return changed;
  };

  for (const a of d.scaleOut) {
    // The adapter never lowers desired capacity (a concurrent scale-out may have raised it since our read).
    await autoScaling.setDesiredCapacity(a.group, a.desired);
    log.info('scale-out', { group: a.group, count: a.count, desired: a.desired });
  }
  const back = await reactivate(arns(d.reactivate.map((r) => r.instance)));
  if (back.length > 0) log.info('reactivated scale-in drains', { instances: back });
  if (!options.scaleIn) return;
  const scaleIn = arns(d.scaleIn.map((s) => s.instance));
  if (scaleIn.length > 0) {
    const marked = await ecs.setAttribute(scaleIn, SCALE_IN_ATTRIBUTE, new Date(now()).toISOString());
    const unmarked = scaleIn.filter((a) => !marked.includes(a));
    if (unmarked.length > 0) log.warn('scale-in: mark refused, instance left ACTIVE', { instances: unmarked });
    const { changed } = marked.length > 0 ? await ecs.setStatus(marked, 'DRAINING') : { changed: [] as string[] };
    const refused = marked.filter((a) => !changed.includes(a));
    if (refused.length > 0) await ecs.setAttribute(refused, SCALE_IN_ATTRIBUTE, undefined);
    if (changed.length > 0) log.info('scale-in: draining', { instances: changed });
  }
  for (const t of d.terminate) {
    const result = await autoScaling.terminateInstance(t.instance, true);
    if (result === 'at-min') {
      // Auto Scaling refuses a decrement below the group's minimum; the instance is capacity the
      // group keeps anyway, so it goes back to work instead of waiting DRAINING for nothing.
      log.warn('scale-in: group at its minimum, termination refused; reactivating the instance', { instance: t.instance, group: t.group });
      await reactivate(arns([t.instance]));
    } else log.info('scale-in: terminating empty instance with decrement', { instance: t.instance, group: t.group, result });
  }
}
