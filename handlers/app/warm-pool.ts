/**
 * Warm pools. ECS supports Auto Scaling warm pools but not `ReuseOnScaleIn` (ECS developer guide,
 * "Configuring pre-initialized instances for your Amazon ECS Auto Scaling group"): an instance sent
 * back to the pool on scale-in is stopped, and its container instance keeps the DRAINING status
 * Headroom gave it for the drain. When the group takes it out of the pool again it would sit
 * InService and DRAINING, receiving no task. So a drain towards the pool marks the instance
 * (`headroom.warm-pool`), and the tick sets a marked instance ACTIVE again once its group reports
 * it live (Pending/InService), removing the marks. Unmarked DRAINING instances (someone else's
 * drain) are never touched.
 */
import { SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import type { ClusterView } from './act';
import type { HandlerContext } from './context';

/** ECS attribute on an instance drained towards its group's warm pool (value: ISO time). */
export const WARM_POOL_ATTRIBUTE = 'headroom.warm-pool';

/** Reactivate instances back from the warm pool; the view with those instances ACTIVE. */
export async function reactivateWarmPoolReturns(ctx: HandlerContext, view: ClusterView): Promise<ClusterView> {
  const back = view.instances.filter((i) => i.status === 'DRAINING' && i.arn !== undefined && i.attributes[WARM_POOL_ATTRIBUTE] !== undefined && view.membership.get(i.id)?.live === true && i.agentConnected !== false);
  if (back.length === 0) return view;
  if (ctx.config.dryRun) {
    ctx.ports.log.info('dry run: would reactivate instances back from the warm pool', { instances: back.map((i) => i.id) });
    return view;
  }
  const { changed } = await ctx.ports.ecs.setStatus(back.map((i) => i.arn as string), 'ACTIVE');
  if (changed.length === 0) return view;
  for (const name of [WARM_POOL_ATTRIBUTE, SCALE_IN_ATTRIBUTE]) await ctx.ports.ecs.setAttribute(changed, name, undefined);
  const active = new Set(changed);
  ctx.ports.log.info('reactivated instances back from the warm pool', { instances: back.filter((i) => active.has(i.arn as string)).map((i) => i.id) });
  return {
    ...view,
    instances: view.instances.map((i) => {
      if (!active.has(i.arn ?? '')) return i;
      const { [WARM_POOL_ATTRIBUTE]: _w, [SCALE_IN_ATTRIBUTE]: _s, ...attributes } = i.attributes;
      return { ...i, status: 'ACTIVE', attributes };
    }),
  };
}
