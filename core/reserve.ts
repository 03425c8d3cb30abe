/**
 * Storm insurance (`SPOT_RESERVE_INSTANCES` = k): keep enough free space that the service tasks of
 * the k fullest Spot instances could all be re-homed at once on the rest of the cluster. Spot
 * users think of risk in instances ("we may lose two at once"), not in reference tasks, so the
 * reserve is stated in that unit. "Fullest" = the most reserved by live service tasks, the larger of
 * normalised CPU and memory: the worst k instances to lose. Spot instances are the members of groups
 * marked `spot`.
 *
 * The check is a what-if: the victims' service tasks are packed first-fit decreasing onto the other
 * bins, then every placement is rolled back, so the bins are left as they were. The tasks that do
 * not fit are the shortfall: scale-out adds room for them; scale-in keeps an instance whose removal
 * would create one. Cost: O(k·t·b) for t tasks per victim and b bins.
 *
 * Most exposed first: a Spot instance that got a rebalance recommendation (`REBALANCE_ATTRIBUTE`)
 * is at elevated risk of interruption, so it is insured before the fullest ones.
 *
 * Bounded price (`SPOT_RESERVE_PERCENT` = p): the room insured is at most p % of the fleet's CPU and
 * memory (registered resources of the schedulable instances, every group): the victims' tasks are
 * taken in order while they fit that budget, the rest are not insured. The free room the fleet
 * already has meets the reserve first (the what-if packs onto existing bins); only the shortfall is
 * bought, and never more new instances for it than p % of the fleet's instance count, rounded down
 * (`affordable`): on a fleet of four, 10 % buys nothing and only free room insures. So the reserve
 * never costs more than about p % of the fleet.
 */
import type { CapacityGroup, Instance, Resources, Task, TaskShape } from './cluster';
import { isGone, isSchedulable, REBALANCE_ATTRIBUTE } from './cluster';
import { packFirstFitDecreasing } from './packing';
import { freshBin, unplace, type Bin } from './placement';
import { dominantShare } from './task-size';

export interface ReserveVictim {
  readonly key: string;
  readonly tasks: readonly TaskShape[];
}

function movable(t: Task): boolean {
  return t.role === 'service' && !isGone(t) && t.status !== 'DEACTIVATING' && t.status !== 'STOPPING' && t.status !== 'DEPROVISIONING';
}

/** The service tasks that still run on the instance and would need room elsewhere (those stopping need none). */
export function movingServiceTasks(i: Instance): Task[] {
  return (i.tasks ?? []).filter(movable);
}

/**
 * The service work an instance's loss would displace: its live movable service tasks and their
 * dominant share of the instance. Undefined when its tasks were not read (the tick reads the
 * fullest ones, `core/read-plan.ts`) or it holds none.
 */
export function displacedLoad(i: Instance): { readonly tasks: TaskShape[]; readonly load: number } | undefined {
  const tasks = movingServiceTasks(i);
  if (tasks.length === 0) return undefined;
  let cpu = 0;
  let memory = 0;
  for (const t of tasks) {
    cpu += t.cpu;
    memory += t.memory;
  }
  return { tasks, load: dominantShare({ cpu, memory }, i.registered) };
}

/** Candidates for the storm reserve: Spot instances (members of `spotGroups`) not skipped. */
export function reserveCandidates(instances: readonly Instance[], spotGroups: ReadonlySet<string>, skip: (i: Instance) => boolean): Instance[] {
  return instances.filter((i) => i.group !== undefined && spotGroups.has(i.group) && !skip(i));
}

/** `percent` % of the schedulable fleet's registered CPU and memory: the most room the reserve insures. */
export function reserveBudget(instances: readonly Instance[], percent: number): Resources {
  if (percent >= 100) return { cpu: Number.POSITIVE_INFINITY, memory: Number.POSITIVE_INFINITY };
  let cpu = 0;
  let memory = 0;
  for (const i of instances) {
    if (!isSchedulable(i)) continue;
    cpu += i.registered.cpu;
    memory += i.registered.memory;
  }
  return { cpu: (cpu * percent) / 100, memory: (memory * percent) / 100 };
}

/** An instance with a rebalance recommendation is the most exposed: 0 for it, 1 for the others. */
export function exposure(i: Instance): number {
  return i.attributes[REBALANCE_ATTRIBUTE] !== undefined ? 0 : 1;
}

/**
 * The k Spot instances whose loss would displace the most service work (at-risk ones first, then
 * fullest first), their tasks cut to `budget` (taken in victim order, largest first within one).
 */
export function reserveVictims(instances: readonly Instance[], spotGroups: ReadonlySet<string>, k: number, skip: (i: Instance) => boolean, budget?: Resources): ReserveVictim[] {
  if (k <= 0 || spotGroups.size === 0) return [];
  const scored: Array<{ key: string; tasks: TaskShape[]; load: number; atRisk: number }> = [];
  for (const i of reserveCandidates(instances, spotGroups, skip)) {
    const d = displacedLoad(i);
    if (d !== undefined) scored.push({ key: i.id, ...d, atRisk: exposure(i) });
  }
  scored.sort((a, b) => a.atRisk - b.atRisk || byLoad(a, b));
  const chosen = scored.slice(0, k).map(({ key, tasks }) => ({ key, tasks }));
  return budget === undefined ? chosen : withinBudget(chosen, budget);
}

/** The victims' tasks, in order (largest first within a victim), while their sum stays within `budget`. */
export function withinBudget(victims: readonly ReserveVictim[], budget: Resources): ReserveVictim[] {
  let cpu = 0;
  let memory = 0;
  const out: ReserveVictim[] = [];
  for (const v of victims) {
    const kept: TaskShape[] = [];
    const sorted = [...v.tasks].sort((a, b) => dominantShare(b, budget) - dominantShare(a, budget));
    for (const t of sorted) {
      if (cpu + t.cpu > budget.cpu || memory + t.memory > budget.memory) return kept.length > 0 ? [...out, { key: v.key, tasks: kept }] : out;
      cpu += t.cpu;
      memory += t.memory;
      kept.push(t);
    }
    out.push({ key: v.key, tasks: kept });
  }
  return out;
}

/** Fullest first, then by key: the order victims are ranked in. */
export function byLoad(a: { readonly key: string; readonly load: number }, b: { readonly key: string; readonly load: number }): number {
  return b.load - a.load || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Service tasks of `victims` that would not fit on `bins` other than the victims themselves (and
 * other than `excluded` keys). `bins` are unchanged afterwards.
 */
export function reserveShortfall(victims: readonly ReserveVictim[], bins: readonly Bin[], excluded?: ReadonlySet<string>): TaskShape[] {
  if (victims.length === 0) return [];
  const out = new Set(victims.map((v) => v.key));
  const targets = bins.filter((b) => !out.has(b.key) && excluded?.has(b.key) !== true);
  const tasks = victims.flatMap((v) => v.tasks);
  const packed = packFirstFitDecreasing(tasks, targets);
  const byKey = new Map(targets.map((b) => [b.key, b]));
  for (const [t, key] of packed.placements) {
    const bin = byKey.get(key);
    if (bin !== undefined) unplace(tasks[t] as TaskShape, bin);
  }
  return packed.unplaced.map((u) => tasks[u.task] as TaskShape);
}

/**
 * The part of the reserve shortfall `short` worth buying: largest tasks first, while first-fit
 * decreasing packs them into no more new instances than `percent` % of the `fleet` instances,
 * rounded down. Packed into the smallest new instance among `groups` (daemons placed first), so
 * whichever group buys the room needs no more instances than counted. 100 % buys it all.
 * O(t² · b) for t tasks (a victim's tasks: tens).
 */
export function affordable(short: readonly TaskShape[], percent: number, fleet: number, groups: readonly CapacityGroup[], daemons: readonly TaskShape[]): TaskShape[] {
  if (percent >= 100 || short.length === 0) return [...short];
  const most = Math.floor((percent * fleet) / 100 + 1e-9);
  const unit = groups.reduce<CapacityGroup | undefined>((u, g) => (u === undefined || g.instance.cpu * g.instance.memory < u.instance.cpu * u.instance.memory ? g : u), undefined);
  if (most <= 0 || unit === undefined) return [];
  const sorted = [...short].sort((a, b) => dominantShare(b, unit.instance) - dominantShare(a, unit.instance));
  const kept: TaskShape[] = [];
  for (const t of sorted) {
    const packed = packFirstFitDecreasing([...kept, t], [], { make: (n) => freshBin(unit, daemons, n, 'reserve'), limit: most });
    if (packed.unplaced.length > 0) break;
    kept.push(t);
  }
  return kept;
}
