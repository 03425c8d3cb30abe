/**
 * Right-sizing: an instance kept for a few tasks that a smaller, cheaper instance would hold.
 *
 * Scale-in removes an instance only when its tasks fit on the others. A task that needs an
 * instance of its own (a static host port, `distinctInstance`, a zone) can then keep a large
 * instance alive for a quarter-vCPU task for hours: on a fleet of a 4-vCPU and a 16-vCPU group
 * of the same price per vCPU, every instance hosting a port-bound task stays 16 vCPUs after the
 * large work has gone, at four times the price of the 4-vCPU instance that would hold it. The
 * price per capacity unit (`revert.ts`) cannot see this: both groups cost the same per unit.
 *
 * The rule (docs/decisions.md): once the excess has held for the stabilisation window, an
 * instance is oversized when new instances of another group that can take work now (room left,
 * not backed off) hold all of its service tasks (daemons placed first, first-fit decreasing) for
 * less than the instance costs (`price.ts`; prices within `TIE_TOLERANCE` are a tie, which moves
 * nothing). It is then given back like fallback capacity (`revert.ts`): the cheaper group is grown
 * for its tasks first, and the instance is drained once they fit elsewhere, scale-in trying the
 * pricier instances first meanwhile (`ScaleInInput.pricierFirst`), within the scale-in budget.
 *
 * Left out, on purpose: instances running standalone tasks (DRAINING lets them finish in place,
 * so the replacement would run beside the instance it replaces), instances at risk on a rebalance
 * recommendation (already being replaced), and mixed-instances groups on either side (the type
 * Auto Scaling launches, and so its price, is not known in advance).
 */
import type { CapacityGroup, Instance, TaskShape } from './cluster';
import { isSchedulable, REBALANCE_ATTRIBUTE, tasksKnown, workloadOf } from './cluster';
import { packFirstFitDecreasing } from './packing';
import { binOf, freshBin, type Bin } from './placement';
import { hourlyPrice, TIE_TOLERANCE } from './price';
import { available } from './revert';
import type { ScaleInInput } from './scale-in';
import { reserveCheck, settleDisplaced, trialState, tryRemoval, type ReserveCheck } from './scale-in-trial';

/** What the check reads: the scale-in input of the tick (schedulable instances, thresholds, reserve). */
export type RightSizeInput = Pick<ScaleInInput, 'now' | 'instances' | 'groups' | 'shape' | 'shortageThreshold' | 'displaced' | 'spotGroups' | 'spotReserve' | 'spotReservePercent'>;

function singleType(g: CapacityGroup): boolean {
  return g.instanceTypes === undefined || g.instanceTypes.length < 2;
}

/** The new instances of `g` that hold every one of `tasks` (empty bins, daemons placed); undefined when one fits none. */
function replacementOf(g: CapacityGroup, tasks: readonly TaskShape[], daemons: readonly TaskShape[]): { bins: Bin[]; price: number } | undefined {
  const packed = packFirstFitDecreasing(tasks, [], { make: (n) => freshBin(g, daemons, n, 'price'), limit: tasks.length });
  if (packed.unplaced.length > 0) return undefined;
  return { bins: packed.opened.map((_, n) => freshBin(g, daemons, n, `replacement:${g.name}`)), price: packed.opened.length * hourlyPrice(g) };
}

/**
 * Whether scale-in could remove `i` once `extra` (its replacement) is registered: the same trial
 * scale-in runs (tasks fit elsewhere, headroom stays at the shortage threshold, the storm reserve
 * stays insured). An instance whose free room the spare or the reserve needs is not oversized:
 * replacing it would only add an instance.
 */
function removableWith(input: RightSizeInput, i: Instance, service: readonly TaskShape[], extra: readonly Bin[], reserve: ReserveCheck): boolean {
  const bins = [...input.instances.filter(isSchedulable).map(binOf), ...extra];
  const landed = settleDisplaced(bins, input.displaced);
  if (typeof landed === 'number') return false;
  return tryRemoval(trialState(bins, input.shape, landed), i.id, service, input.shape, input.shortageThreshold, reserve) !== undefined;
}

/**
 * Oversized instances and, for each, the groups whose new instances would hold its service tasks
 * for less. O(c · (groups · k² + b)) for c instances with a cheaper replacement, k tasks each and
 * b instances; the caller asks only on a tick whose excess window held.
 */
export function oversizedInstances(input: RightSizeInput, daemons: readonly TaskShape[], backoffSeconds: number): Map<string, string[]> {
  const byName = new Map(input.groups.map((g) => [g.name, g]));
  const targets = input.groups.filter((g) => singleType(g) && available(g, input.now, backoffSeconds));
  const schedulable = input.instances.filter(isSchedulable);
  const reserve = reserveCheck(schedulable, input.spotGroups, input.spotReserve ?? 0, input.spotReservePercent, input.groups, daemons);
  const out = new Map<string, string[]>();
  for (const i of schedulable) {
    const own = i.group === undefined ? undefined : byName.get(i.group);
    if (own === undefined || !singleType(own) || !tasksKnown(i) || i.attributes[REBALANCE_ATTRIBUTE] !== undefined) continue;
    const work = workloadOf(i);
    if (work.standalone > 0 || work.service.length === 0) continue;
    const limit = hourlyPrice(own) * (1 - TIE_TOLERANCE);
    const cheaper = targets
      .filter((g) => g.name !== own.name)
      .map((g) => ({ g, r: replacementOf(g, work.service, daemons) }))
      .filter((c): c is { g: CapacityGroup; r: NonNullable<typeof c.r> } => c.r !== undefined && c.r.price < limit)
      .sort((a, b) => a.r.price - b.r.price);
    const best = cheaper[0];
    if (best !== undefined && removableWith(input, i, work.service, best.r.bins, reserve)) out.set(i.id, cheaper.map((c) => c.g.name));
  }
  return out;
}
