/**
 * A decision is acted on seconds after its read. Reactivating a scale-in drain (ACTIVE again) is
 * only right while the instance is still in service: one that entered `Terminating:Wait` since the
 * read (Auto Scaling rebalancing, an operator, a Spot termination) is leaving, and setting it ACTIVE
 * would let ECS place tasks on it and undo the drain of its lifecycle action. So the targets'
 * lifecycle states are read again right before the write (one DescribeAutoScalingInstances per 50
 * targets, not the whole groups) and only members of a configured group still InService are
 * reactivated, which narrows the race from a whole tick to one round trip.
 */
import type { HandlerContext } from './context';

/** The ids among `ids` that a configured group reports InService now; the others are logged and left alone. */
export async function stillInService(ctx: HandlerContext, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const states = await ctx.ports.autoScaling.lifecycleStates(ids);
  const configured = new Set(ctx.config.asgNames);
  const stateOf = (id: string): string => {
    const s = states.get(id);
    return s === undefined || !configured.has(s.group) ? 'not in a configured group' : s.lifecycleState;
  };
  const keep = ids.filter((id) => stateOf(id) === 'InService');
  const leaving = ids.filter((id) => !keep.includes(id));
  if (leaving.length > 0) ctx.ports.log.warn('not reactivated: the instance left InService since the read', { instances: leaving.map((id) => ({ id, lifecycleState: stateOf(id) })) });
  return keep;
}
