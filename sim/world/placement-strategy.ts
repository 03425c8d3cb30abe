/**
 * Where ECS puts a service task among the instances it fits on, under the service's placement
 * strategy, for every policy alike:
 * - `spread` (AWS's default for a service that names no strategy: "By default, the service
 *   scheduler spreads tasks across Availability Zones", ECS API Reference, `CreateService`,
 *   `schedulingStrategy`, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html;
 *   the ECS Developer Guide, "Amazon ECS services", service scheduler placement: sort the valid
 *   instances by the fewest tasks of this service in the same zone, then place on a valid instance in
 *   an optimal zone "favoring container instances with the fewest number of running tasks for this
 *   service"): the zone with the fewest of the service's tasks, then the instance there with the
 *   fewest; ties go to the older instance (our choice: AWS names no tie-break).
 * - `binpack` on memory ("places tasks on available candidates that have the least available amount
 *   of the resource", ECS API Reference, `PlacementStrategy`,
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PlacementStrategy.html): the
 *   instance with the least free memory that fits, then the least free CPU.
 */
import type { SimInstance } from './world-types';

/** A service's live tasks per instance and per zone, kept up to date while one pass places tasks. */
export class SpreadCounts {
  private readonly perInstance = new Map<SimInstance, number>();
  private readonly perZone = new Map<string, number>();

  constructor(tasksOn: Iterable<SimInstance>) {
    for (const i of tasksOn) this.add(i);
  }

  add(i: SimInstance): void {
    this.perInstance.set(i, (this.perInstance.get(i) ?? 0) + 1);
    this.perZone.set(i.zone, (this.perZone.get(i.zone) ?? 0) + 1);
  }

  /** The candidate `spread` picks: fewest of the service's tasks in its zone, then on the instance, then the oldest. */
  pick(candidates: readonly SimInstance[]): SimInstance | undefined {
    let best: SimInstance | undefined;
    const key = (i: SimInstance): [number, number, number] => [this.perZone.get(i.zone) ?? 0, this.perInstance.get(i) ?? 0, i.seq];
    for (const i of candidates) {
      if (best === undefined) {
        best = i;
        continue;
      }
      const [a, b] = [key(i), key(best)];
      if (a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) best = i;
    }
    return best;
  }
}

/** The candidate `binpack` (memory) picks: least free memory, then least free CPU, then the first. */
export function binpackPick(candidates: readonly SimInstance[]): SimInstance | undefined {
  let best: SimInstance | undefined;
  for (const i of candidates) {
    if (best === undefined || i.bin.memory < best.bin.memory || (i.bin.memory === best.bin.memory && i.bin.cpu < best.bin.cpu)) best = i;
  }
  return best;
}
