/**
 * `REBALANCE_POLICY=move` at a rebalance recommendation: drain for scale-in (`drainForScaleIn`) the
 * recommended instances whose service tasks fit on the other active instances now, so ECS moves
 * them and only the standalone tasks stay. The others wait ACTIVE for their replacement's room and
 * a tick drains them once it has registered (launch before drain, core/rebalance-move.ts).
 * Instances still awaiting an earlier move go first (oldest recommendation first, as a tick would).
 */
import type { Instance } from '../../core/cluster';
import { awaitingMove, movesThatFit } from '../../core/rebalance-move';
import type { ClusterView } from './act';
import type { HandlerContext } from './context';
import { drainForScaleIn } from './scale-in-drain';

/** `leaving`: the instances with an interruption warning in the same batch (not the recommended ones). */
export async function moveRecommended(ctx: HandlerContext, view: ClusterView, recommended: readonly Instance[], leaving: ReadonlySet<string>, now: number): Promise<void> {
  const ids = new Set(recommended.map((i) => i.id));
  const candidates = [...awaitingMove(view.instances, leaving).filter((i) => !ids.has(i.id)), ...recommended];
  const ready = movesThatFit({ now, instances: view.instances, services: view.services, candidates, waiting: view.waiting, leaving });
  const moved = new Set(ready.map((m) => m.instance.id));
  const later = candidates.filter((c) => !moved.has(c.id)).map((c) => c.id);
  if (later.length > 0) ctx.ports.log.info('rebalance move waits for the replacement: the service tasks do not fit on the other active instances yet', { instances: later });
  const arns = ready.map((m) => m.instance.arn).filter((arn): arn is string => arn !== undefined);
  if (arns.length > 0) await drainForScaleIn(ctx, arns, now);
}
