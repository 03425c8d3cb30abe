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
import type { AutoScaling, ContainerService, GroupState, InstanceCatalog, InstanceTypeInfo, LaunchTemplateInfo, Logger } from './ports';

export interface ClusterView extends ClusterModel {
  readonly services: Service[];
  /** Tasks waiting for capacity with no instance yet (PROVISIONING). */
  readonly waiting: TaskShape[];
  readonly groupStates: GroupState[];
}

/** What reading the cluster needs: the read side of the ports only (all the `plan` command has). */
export interface ReadContext {
  readonly config: Pick<Config, 'asgNames'>;
  readonly ports: { readonly ecs: Pick<ContainerService, 'snapshot'>; readonly autoScaling: Pick<AutoScaling, 'describeGroups'>; readonly catalog: InstanceCatalog; readonly log: Logger };
}

/**
 * What EC2 says about the groups' launch templates and instance types (cached by the adapter for
 * the container's life, so a warm tick usually makes no call). A failure here is logged and the
 * groups are sized from their registered members, as far as they can be: sizing must never stop a
 * tick.
 */
export async function launchFacts(ctx: ReadContext, groupStates: readonly GroupState[]): Promise<LaunchFacts> {
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
export async function readCluster(ctx: ReadContext): Promise<ClusterView> {
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
 * Ordering keeps every partial failure safe: reactivation sets ACTIVE before removing the scale-in
 * mark, scale-in puts the mark before DRAINING, so an instance is never left DRAINING without the
 * mark (which would look like a foreign drain and never be terminated nor reactivated).
 */
export async function applyDecision(ctx: HandlerContext, d: Decision, instances: readonly Instance[], options: ActOptions): Promise<void> {
  const { ecs, autoScaling, log, now } = ctx.ports;
  const arnOf = new Map(instances.filter((i) => i.arn !== undefined).map((i) => [i.id, i.arn as string]));
  const arns = (ids: readonly string[]): string[] => ids.map((id) => arnOf.get(id)).filter((a): a is string => a !== undefined);

  for (const a of d.scaleOut) {
    await autoScaling.setDesiredCapacity(a.group, a.desired);
    log.info('scale-out', { group: a.group, count: a.count, desired: a.desired });
  }
  const reactivate = arns(d.reactivate.map((r) => r.instance));
  if (reactivate.length > 0) {
    await ecs.setStatus(reactivate, 'ACTIVE');
    await ecs.setAttribute(reactivate, SCALE_IN_ATTRIBUTE, undefined);
    log.info('reactivated scale-in drains', { instances: d.reactivate.map((r) => r.instance) });
  }
  if (!options.scaleIn) return;
  const scaleIn = arns(d.scaleIn.map((s) => s.instance));
  if (scaleIn.length > 0) {
    await ecs.setAttribute(scaleIn, SCALE_IN_ATTRIBUTE, new Date(now()).toISOString());
    await ecs.setStatus(scaleIn, 'DRAINING');
    log.info('scale-in: draining', { instances: d.scaleIn.map((s) => s.instance) });
  }
  for (const t of d.terminate) {
    const result = await autoScaling.terminateInstance(t.instance, true);
    log.info('scale-in: terminating empty instance with decrement', { instance: t.instance, group: t.group, result });
  }
}
