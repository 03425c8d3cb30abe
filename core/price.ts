/**
 * Where new capacity is cheapest: the price of one new instance of a group and the price per task
 * that fits it, so scale-out (and the storm reserve it buys) opens instances where the waiting work
 * costs least, and the priority order of `ASG_NAMES` only breaks ties.
 *
 * The handlers read no price list (no Pricing API call on the hot path, no table to keep current):
 * a group's `pricePerHour` is used when a caller knows it, else a relative estimate from the
 * instance's size and purchase option. On-Demand prices of the current general-purpose, compute and
 * memory families grow with vCPUs and memory about equally (one vCPU ≈ 4 GiB ≈ one price unit), so
 * the estimate is the mean of vCPUs and memory / 4 GiB; a Spot group is taken at
 * `SPOT_PRICE_FRACTION` of that. Only ratios between groups matter, never the absolute value.
 *
 * The rule (docs/decisions.md): among the groups that can take work now (room left, not backed off
 * after a failed launch), the one whose new instances hold the waiting tasks at the lowest price per
 * task goes first; prices within `TIE_TOLERANCE` of each other are a tie, broken by priority order.
 */
import type { CapacityGroup, TaskShape } from './cluster';
import { packFirstFitDecreasing } from './packing';
import { freshBin } from './placement';

/**
 * Spot price as a fraction of On-Demand, estimated. Spot saves "up to 90 %" and in practice about
 * 60-70 % on the common families (Amazon EC2 Spot Instances pricing, https://aws.amazon.com/ec2/spot/pricing/);
 * 0.35 sits in that range. Only the order it gives matters: Spot below On-Demand of the same size.
 */
export const SPOT_PRICE_FRACTION = 0.35;

/** Prices this close (relative) are a tie: priority order decides. */
export const TIE_TOLERANCE = 0.01;

/** Price of one new instance of `g` per hour: known, or the relative estimate above. */
export function hourlyPrice(g: Pick<CapacityGroup, 'pricePerHour' | 'instance' | 'spot'>): number {
  if (g.pricePerHour !== undefined && g.pricePerHour > 0) return g.pricePerHour;
  const size = (g.instance.cpu / 1024 + g.instance.memory / 4096) / 2;
  return size * (g.spot === true ? SPOT_PRICE_FRACTION : 1);
}

/**
 * Price per task of `tasks` on new instances of `g`: the instances first-fit decreasing opens for
 * them (daemons placed first) × the price, ÷ the tasks placed. Infinite when none fits. A sample of
 * at most `sample` tasks keeps it O(sample · instances) per group.
 */
export function pricePerTask(g: CapacityGroup, tasks: readonly TaskShape[], daemons: readonly TaskShape[], sample = 200): number {
  const some = tasks.length > sample ? tasks.filter((_, k) => k % Math.ceil(tasks.length / sample) === 0) : tasks;
  if (some.length === 0) return hourlyPrice(g);
  const packed = packFirstFitDecreasing(some, [], { make: (n) => freshBin(g, daemons, n, 'price'), limit: some.length });
  return packed.placements.size === 0 ? Number.POSITIVE_INFINITY : (packed.opened.length * hourlyPrice(g)) / packed.placements.size;
}

/**
 * `groups` cheapest per task first. Ties: walking up from the cheapest, every group within
 * `TIE_TOLERANCE` of the first of its run is a tie with it, and a run keeps the given (priority)
 * order. Groups that hold none of the tasks come last, in priority order.
 */
export function byPricePerTask(groups: readonly CapacityGroup[], tasks: readonly TaskShape[], daemons: readonly TaskShape[]): CapacityGroup[] {
  if (groups.length < 2 || tasks.length === 0) return [...groups];
  const price = groups.map((g) => pricePerTask(g, tasks, daemons));
  const byPrice = groups.map((_, k) => k).sort((a, b) => (price[a] as number) - (price[b] as number) || a - b);
  const out: number[] = [];
  for (let start = 0; start < byPrice.length; ) {
    const floor = price[byPrice[start] as number] as number;
    let end = start + 1;
    while (end < byPrice.length && (price[byPrice[end] as number] as number) <= floor * (1 + TIE_TOLERANCE)) end++;
    out.push(...byPrice.slice(start, end).sort((a, b) => a - b));
    start = end;
  }
  return out.map((k) => groups[k] as CapacityGroup);
}
