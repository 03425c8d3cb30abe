import { REACTIVATED_ATTRIBUTE } from '../../core/cluster';
import { categoryOf } from '../../core/errors';
import type { HandlerContext } from './context';

/**
 * The hold after a return to service is over (core/consolidation.ts `returnsOver`): delete the
 * reactivated mark, all instances in one call (the adapter batches by 10). A failure is logged and
 * never fails the tick: the mark only holds the instance back from scale-in, and the next tick,
 * seeing it again, retries.
 */
export async function clearReactivated(ctx: HandlerContext, arns: readonly string[]): Promise<void> {
  if (arns.length === 0) return;
  try {
    await ctx.ports.ecs.setAttribute(arns, REACTIVATED_ATTRIBUTE, undefined);
    ctx.ports.log.info('hold after return to service over: reactivated mark deleted', { instances: arns });
  } catch (error) {
    ctx.ports.log.warn('deleting the reactivated mark failed; the next tick retries', { instances: arns, category: categoryOf(error), error: String(error) });
  }
}
