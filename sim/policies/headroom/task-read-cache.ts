/**
 * The simulator's model of what the ECS adapter's task reads cost, warm: the same caches, so the
 * simulated tick makes the ListTasks / DescribeTasks calls the real one makes.
 */
import type { ApiAction } from '../../world/throttle';
import type { SimInstance } from '../../world/world-types';

/**
 * The ECS adapter's task caches (handlers/aws/ecs/ecs-read.ts), kept for the life of the ports as
 * for a warm Lambda container: per instance, the `version` its live tasks were listed at (and, for
 * an instance not ACTIVE, its tasks being stopped), and the task ARNs already described. A tick's
 * `tasksOf` lists only instances whose version changed — or the whole cluster when that is fewer
 * pages, or when tasks waiting with no instance are wanted — and describes only ARNs not seen.
 */
export function taskReadCache(): (all: readonly SimInstance[], found: readonly SimInstance[], wholeCluster: boolean) => Partial<Record<ApiAction, number>> {
  const listedAt = new Map<string, number>();
  const stoppingAt = new Map<string, number>();
  const describedTasks = new Set<string>();
  return (all: readonly SimInstance[], found: readonly SimInstance[], wholeCluster: boolean): Partial<Record<ApiAction, number>> => {
    let fresh = 0;
    const describe = (i: SimInstance): void => {
      for (const id of i.tasks.keys()) {
        if (describedTasks.has(id)) continue;
        describedTasks.add(id);
        fresh++;
      }
    };
    const changed = found.filter((i) => listedAt.get(i.arn) !== i.version);
    const clusterTasks = all.reduce((n, i) => n + i.tasks.size, 0);
    let listTasks = 0;
    if (wholeCluster || changed.length > Math.ceil(clusterTasks / 100) + 1) {
      listTasks += Math.max(1, Math.ceil(clusterTasks / 100));
      for (const i of all) {
        describe(i);
        listedAt.set(i.arn, i.version);
      }
      // The adapter then keeps only the descriptions of tasks the listing still shows.
      const listed = new Set(all.flatMap((i) => [...i.tasks.keys()]));
      for (const id of describedTasks) if (!listed.has(id)) describedTasks.delete(id);
    } else {
      listTasks += changed.length;
      for (const i of changed) {
        describe(i);
        listedAt.set(i.arn, i.version);
      }
    }
    // Tasks being stopped, on instances not ACTIVE: listed and described afresh unless unchanged.
    let stoppingTasks = 0;
    for (const i of found) {
      if (i.ecsStatus === 'ACTIVE' || stoppingAt.get(i.arn) === i.version) continue;
      stoppingAt.set(i.arn, i.version);
      listTasks++;
      stoppingTasks += i.tasks.size;
    }
    return { ListTasks: listTasks, DescribeTasks: Math.ceil(fresh / 100) + Math.ceil(stoppingTasks / 100) };
  };
}
