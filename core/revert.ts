/**
 * Giving back fallback capacity ("revert to Spot", as Elastigroup calls it; the same idea as
 * Anyscale's "On-Demand to Spot Fallback", which launches Spot for work on On-Demand and replaces
 * the On-Demand instance once it runs, https://docs.anyscale.com/configure/compute-configs/ondemand-to-spot-fallback): instances of a
 * group that a cheaper group can replace (On-Demand launched while the Spot groups could not)
 * are moved back as soon as the cheaper group can take work again (room left, not backed off after
 * a failed launch), without waiting for excess:
 * 1. replacement before drain: while the fallback instances' service tasks (and the spare and storm
 *    reserve without them) would not fit on what is registered, the cheaper groups are grown as if
 *    the fallback instances were leaving (`planScaleOut` with `leaving`, on the cheaper groups only;
 *    capacity on its way counts, so nothing is launched twice);
 * 2. once it fits, the fallback instances are drained as scale-in does it (`planScaleIn` limited to
 *    them, every check but the excess window: tasks fit elsewhere, headroom stays above the
 *    shortage threshold, the storm reserve holds, the group's min is kept), within the scale-in budget.
 * "Cheaper" compares the price per capacity unit (`price.ts`); a tie is not a reason to move work.
 * Oversized instances (`right-size.ts`: their tasks would cost less on new instances of another
 * group) are given back the same way once the excess window held; the caller finds them.
 */
import type { CapacityGroup, Instance } from './cluster';
import { isSchedulable, tasksKnown, workloadOf } from './cluster';
import { hourlyPrice, TIE_TOLERANCE } from './price';
import { planScaleIn, scaleInBudget, type ScaleIn, type ScaleInInput } from './scale-in';
import { planScaleOut, type ScaleOut, type ScaleOutInput } from './scale-out';
import { memberWeights, room } from './zones';
import { dominantShare } from './task-size';

export interface RevertPlan {
  readonly scaleOut: readonly ScaleOut[];
  readonly scaleIn: readonly ScaleIn[];
  readonly reasons: readonly string[];
}

/** A reference m5.xlarge-like unit of capacity. */
const REFERENCE_UNIT = { cpu: 4096, memory: 16384 } as const;

/** Price of one unit of capacity: the group's instance measured by its dominant share of the reference unit. */
function unitPrice(g: CapacityGroup): number {
  const size = dominantShare(g.instance, REFERENCE_UNIT);
  return size > 0 ? hourlyPrice(g) / size : Number.POSITIVE_INFINITY;
}

/** Groups that can take work now: room left and no launch failure within the back-off. */
export function available(g: CapacityGroup, now: number, backoffSeconds: number): boolean {
  return room(g) > 0 && !(g.launchFailedAt !== undefined && now - g.launchFailedAt < backoffSeconds * 1000);
}

/** For each group, the available groups that are cheaper per unit (empty: not fallback capacity now). */
export function cheaperGroups(groups: readonly CapacityGroup[], now: number, backoffSeconds: number): Map<string, CapacityGroup[]> {
  const out = new Map<string, CapacityGroup[]>();
  for (const g of groups) out.set(g.name, groups.filter((p) => p.name !== g.name && available(p, now, backoffSeconds) && unitPrice(p) < unitPrice(g) * (1 - TIE_TOLERANCE)));
  return out;
}

export interface RevertInput {
  readonly scaleIn: Omit<ScaleInInput, 'only' | 'bins'>;
  readonly scaleOut: Omit<ScaleOutInput, 'groups' | 'bins' | 'leaving' | 'reactivated'> & { readonly leaving?: ReadonlySet<string> };
  /**
   * Oversized instances (`right-size.ts`) and the groups that would hold their tasks for less:
   * given back like fallback capacity. The caller passes them only once the excess window held.
   */
  readonly oversized?: ReadonlyMap<string, readonly string[]>;
}

export function planRevert(input: RevertInput): RevertPlan {
  const { now } = input.scaleIn;
  const groups = input.scaleIn.groups;
  const perUnit = cheaperGroups(groups, now, input.scaleOut.backoffSeconds);
  const cheaper = (i: Instance): readonly string[] => [...new Set([...(input.oversized?.get(i.id) ?? []), ...(perUnit.get(i.group as string) ?? []).map((g) => g.name)])];
  // Scale-in drains under way use the same budget (instances, counted once each by their units).
  const drainingUnits = input.scaleIn.drainingForScaleIn ?? new Map<string, number>();
  const draining = [...drainingUnits.values()].reduce((a, b) => a + b, 0);
  const schedulable = input.scaleIn.instances.filter(isSchedulable);
  const budget = scaleInBudget(schedulable.length, input.scaleIn.maxScaleInPercent) - draining;
  if (budget <= 0) return { scaleOut: [], scaleIn: [], reasons: [] };
  // Never below a group's min (its instances there are capacity the user keeps, not fallback).
  const weight = memberWeights(groups);
  const removable = new Map(groups.map((g) => [g.name, g.desired - g.min]));
  for (const [g, n] of drainingUnits) removable.set(g, (removable.get(g) ?? 0) - n);
  const fallback = schedulable
    .filter((i) => i.group !== undefined && cheaper(i).length > 0 && tasksKnown(i))
    .sort((a, b) => workloadOf(a).live - workloadOf(b).live || a.id.localeCompare(b.id))
    .filter((i) => {
      const left = (removable.get(i.group as string) ?? 0) - weight(i.group, i.id);
      if (left < 0) return false;
      removable.set(i.group as string, left);
      return true;
    })
    .slice(0, budget);
  if (fallback.length === 0) return { scaleOut: [], scaleIn: [], reasons: [] };
  const ids = new Set(fallback.map((i: Instance) => i.id));
  const drained = planScaleIn({ ...input.scaleIn, only: ids });
  if (drained.actions.length > 0) return { scaleOut: [], scaleIn: drained.actions, reasons: drained.reasons };
  // Replacement first: grow the cheaper groups as if the fallback instances were leaving.
  const targets = new Set(fallback.flatMap(cheaper));
  const leaving = new Set([...(input.scaleOut.leaving ?? []), ...ids]);
  const plan = planScaleOut({ ...input.scaleOut, groups: groups.filter((g) => targets.has(g.name)), leaving });
  if (plan.unplaceable.length > 0 || plan.actions.length === 0) return { scaleOut: [], scaleIn: [], reasons: [] };
  const why = `replacing ${input.oversized !== undefined && input.oversized.size > 0 ? 'fallback or oversized' : 'fallback'} instance(s) ${[...ids].join(', ')} on cheaper group(s) before draining them`;
  return { scaleOut: plan.actions.map((a) => ({ ...a, reasons: [why, ...a.reasons] })), scaleIn: [], reasons: [why] };
}
