/**
 * The one way an instance is drained for scale-in, by the tick's decision or by a rebalance
 * recommendation under `REBALANCE_POLICY=move`: the `headroom.scale-in` mark first, DRAINING only
 * where the mark was set, and the mark taken back where ECS refused DRAINING. An instance DRAINING
 * without the mark would look like a foreign drain and never be terminated nor reactivated; a
 * marked ACTIVE instance would be mistaken for a drain.
 */
import { SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import type { HandlerContext } from './context';

/** Drain these container instances for scale-in; the instances left unmarked and those set DRAINING. */
export async function drainForScaleIn(ctx: HandlerContext, arns: readonly string[], now: number): Promise<{ unmarked: string[]; changed: readonly string[] }> {
  const { ecs } = ctx.ports;
  const marked = await ecs.setAttribute(arns, SCALE_IN_ATTRIBUTE, new Date(now).toISOString());
  const unmarked = arns.filter((a) => !marked.includes(a));
  const { changed } = marked.length > 0 ? await ecs.setStatus(marked, 'DRAINING') : { changed: [] as string[] };
  const refused = marked.filter((a) => !changed.includes(a));
  if (refused.length > 0) await ecs.setAttribute(refused, SCALE_IN_ATTRIBUTE, undefined);
  return { unmarked, changed };
}
