/**
 * A decision is acted on seconds after its read. Reactivating a scale-in drain (ACTIVE again) is
 * only right while the instance is still in service: one that entered `Terminating:Wait` since the
 * read (Auto Scaling rebalancing, an operator, a Spot termination) is leaving, and setting it ACTIVE
 * would let ECS place tasks on it and undo the drain of its lifecycle action. So the targets' groups
 * are read again right before the write and only members still InService are reactivated, which
 * narrows the race from a whole tick to one round trip.
 */
import type { Instance } from '../../core/cluster';
import type { HandlerContext } from './context';

/** The ids among `ids` that their group reports InService now; the others are logged and left alone. */
export async function stillInService(ctx: HandlerContext, ids: readonly string[], instances: readonly Instance[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const groupOf = new Map(instances.map((i) => [i.id, i.group]));
  const groups = [...new Set(ids.map((id) => groupOf.get(id)).filter((g): g is string => g !== undefined))];
  const states = new Map<string, string>();
  if (groups.length > 0) for (const g of await ctx.ports.autoScaling.describeGroups(groups)) for (const m of g.members) states.set(m.instanceId, m.lifecycleState);
  const keep = ids.filter((id) => states.get(id) === 'InService');
  const leaving = ids.filter((id) => !keep.includes(id));
  if (leaving.length > 0) ctx.ports.log.warn('not reactivated: the instance left InService since the read', { instances: leaving.map((id) => ({ id, lifecycleState: states.get(id) ?? 'not in a configured group' })) });
  return keep;
}
