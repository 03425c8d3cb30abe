/**
 * Task reads for the ECS read path (`ecs-read.ts`), by the container instances it has seen.
 *
 * Tasks are read through two caches kept for the life of the Lambda container:
 * - per container instance, the ARNs of its tasks and the instance `version` they were listed at.
 *   ECS increments `version` on every change that emits a container instance state change event
 *   (API reference, ContainerInstance.version), and placing or stopping a task — including the agent
 *   reporting a task STOPPED — is such a change because it alters the instance's remaining
 *   resources (developer guide, "Amazon ECS container instance state change events"). An unchanged
 *   version therefore means an unchanged set of live tasks: the instance is not listed again.
 * - task descriptions by ARN (a task's instance, group, definition and size never change): only
 *   ARNs not seen before are described. Tasks ECS is stopping (desired STOPPED, listed only for
 *   instances that are not ACTIVE) are always described afresh: their `lastStatus` decides whether
 *   a drain is done.
 * Changed instances are listed one by one (`ListTasks` per instance) while that is cheaper than
 * listing the cluster (⌈T/100⌉ pages, T estimated from the counts); otherwise the cluster is listed,
 * which also finds tasks waiting with no instance (PROVISIONING).
 */
import { DescribeTasksCommand, paginateListTasks, type ECSClient } from '@aws-sdk/client-ecs';
import { facts, type TaskFacts } from './ecs-model';
import { ECS_PARALLEL as PARALLEL, chunks, mapLimit } from '../util';

/** Described tasks by ARN, listed with desired status RUNNING. */
const taskCache = new Map<string, TaskFacts>();
/** Per container instance ARN: the `version` its tasks were listed at, and their ARNs. */
const instanceTaskCache = new Map<string, { version: number; running: string[]; stopping?: TaskFacts[] }>();

/** For tests and the benchmark's cold tick (through `clearReadCaches`): forget every task. */
export function clearTaskReadCaches(): void {
  taskCache.clear();
  instanceTaskCache.clear();
}

/** What one container instance looked like at the last describe (for `tasksOf`). */
export interface Seen {
  readonly version: number | undefined;
  readonly status: string;
  readonly count: number;
}

/**
 * `stopping`: on which instances tasks being stopped are listed too (all asked for, or those not
 * ACTIVE); `cluster`: list the whole cluster (finds tasks with no instance); `fresh`: list every
 * instance again whatever its version.
 */
export interface TasksOfOptions {
  readonly stopping?: 'all' | 'not-active';
  readonly cluster?: boolean;
  readonly fresh?: boolean;
}

export class TaskReader {
  constructor(
    private readonly client: ECSClient,
    private readonly cluster: string,
    /** The instance reads' record of each container instance, by ARN (read, never written here). */
    private readonly seen: ReadonlyMap<string, Seen>,
  ) {}

  private async describe(arns: readonly string[]): Promise<TaskFacts[]> {
    const pages = await mapLimit(chunks(arns, 100), PARALLEL, async (batch) => (await this.client.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: batch }))).tasks ?? []);
    return pages.flat().map(facts);
  }

  private async list(input: { containerInstance?: string; desiredStatus: 'RUNNING' | 'STOPPED' }): Promise<string[]> {
    const arns: string[] = [];
    for await (const page of paginateListTasks({ client: this.client, pageSize: 100 }, { cluster: this.cluster, ...input })) arns.push(...(page.taskArns ?? []));
    return arns;
  }

  /** Describe the ARNs not cached yet (and cache them). */
  private async remember(arns: readonly string[]): Promise<void> {
    const fresh = arns.filter((a) => !taskCache.has(a));
    for (const t of await this.describe(fresh)) if (t.taskArn !== undefined) taskCache.set(t.taskArn, t);
  }

  /**
   * The live (not STOPPED) tasks of these container instances, by instance ARN; `waiting`: tasks
   * with no instance, when the whole cluster was listed. Instances must have been seen by the
   * instance reads first (their `version` decides what is listed again).
   */
  async tasksOf(containerInstanceArns: readonly string[], options: TasksOfOptions = {}): Promise<{ byInstance: Map<string, TaskFacts[]>; waiting?: TaskFacts[] }> {
    const wanted = [...new Set(containerInstanceArns)];
    const changed = this.changedSince(wanted, options.fresh === true);
    const estimatedTasks = [...this.seen.values()].reduce((n, s) => n + s.count, 0);
    const clusterPages = Math.ceil(estimatedTasks / 100) + 1;
    // Cheaper to list the whole cluster once than each changed instance past ⌈T/100⌉+1 of them.
    const clusterWide = options.cluster === true || changed.length > clusterPages;
    const { listed, waiting } = clusterWide ? await this.listCluster(wanted) : { listed: await this.listInstances(changed), waiting: undefined };
    const stopping = await this.stoppingTasks(wanted, new Set(changed), options.stopping);
    const byInstance = new Map<string, TaskFacts[]>();
    for (const arn of wanted) {
      const running = (listed.get(arn) ?? instanceTaskCache.get(arn)?.running ?? []).map((a) => taskCache.get(a)).filter((t): t is TaskFacts => t !== undefined && t.lastStatus !== 'STOPPED');
      byInstance.set(arn, [...running, ...(stopping.get(arn) ?? [])]);
    }
    return { byInstance, ...(waiting !== undefined ? { waiting } : {}) };
  }

  /** The instances whose task list must be read again: all when `fresh`, else those whose `version` moved (or is unknown). */
  private changedSince(wanted: readonly string[], fresh: boolean): string[] {
    return wanted.filter((arn) => {
      if (fresh) return true;
      const cached = instanceTaskCache.get(arn);
      const seen = this.seen.get(arn);
      return cached === undefined || seen?.version === undefined || cached.version !== seen.version;
    });
  }

  /**
   * List the whole cluster's running tasks once: the task ARNs per wanted instance, and the tasks
   * waiting with no instance. Every seen instance's cache entry is refreshed at its version (its
   * stopping tasks kept when the version is unchanged) and tasks no longer listed are forgotten.
   */
  private async listCluster(wanted: readonly string[]): Promise<{ listed: Map<string, string[]>; waiting: TaskFacts[] }> {
    const all = await this.list({ desiredStatus: 'RUNNING' });
    await this.remember(all);
    const byCi = new Map<string, string[]>();
    const waiting: TaskFacts[] = [];
    for (const arn of all) {
      const t = taskCache.get(arn);
      if (t === undefined) continue;
      if (t.containerInstanceArn === undefined) waiting.push(t);
      else byCi.set(t.containerInstanceArn, [...(byCi.get(t.containerInstanceArn) ?? []), arn]);
    }
    const listed = new Map<string, string[]>();
    for (const arn of wanted) listed.set(arn, byCi.get(arn) ?? []);
    for (const [arn, seen] of this.seen) {
      if (seen.version === undefined) continue;
      const prev = instanceTaskCache.get(arn);
      const stopping = prev?.version === seen.version ? prev.stopping : undefined;
      instanceTaskCache.set(arn, { version: seen.version, running: byCi.get(arn) ?? [], ...(stopping !== undefined ? { stopping } : {}) });
    }
    this.prune(new Set(all));
    return { listed, waiting };
  }

  /** List each changed instance's running tasks (cached at its version when it has one), then describe the new ARNs. */
  private async listInstances(changed: readonly string[]): Promise<Map<string, string[]>> {
    const listed = new Map<string, string[]>();
    await mapLimit(changed, PARALLEL, async (arn) => {
      const running = await this.list({ containerInstance: arn, desiredStatus: 'RUNNING' });
      listed.set(arn, running);
      const version = this.seen.get(arn)?.version;
      if (version !== undefined) instanceTaskCache.set(arn, { version, running });
    });
    // New ARNs of every listed instance together: 100 per DescribeTasks, not one call per instance.
    await this.remember([...listed.values()].flat());
    return listed;
  }

  /**
   * Tasks being stopped (desired STOPPED, not yet STOPPED) keep a drain open: list and describe
   * them afresh on instances that are not ACTIVE (or on all asked for), per instance ARN.
   * Unchanged instances keep the list read at their version: a task reaching STOPPED changes it.
   */
  private async stoppingTasks(wanted: readonly string[], changed: ReadonlySet<string>, which: TasksOfOptions['stopping']): Promise<Map<string, TaskFacts[]>> {
    const stoppingOn = wanted.filter((arn) => which === 'all' || (which === 'not-active' && this.seen.get(arn)?.status !== 'ACTIVE'));
    const stopping = new Map<string, TaskFacts[]>();
    const stoppingListed = new Map<string, string[]>();
    await mapLimit(stoppingOn, PARALLEL, async (arn) => {
      const cached = instanceTaskCache.get(arn);
      if (!changed.has(arn) && cached?.stopping !== undefined) stopping.set(arn, cached.stopping);
      else stoppingListed.set(arn, await this.list({ containerInstance: arn, desiredStatus: 'STOPPED' }));
    });
    const described = new Map((await this.describe([...stoppingListed.values()].flat())).map((t) => [t.taskArn, t]));
    for (const [arn, arns] of stoppingListed) {
      const live = arns.map((a) => described.get(a)).filter((t): t is TaskFacts => t !== undefined && t.lastStatus !== 'STOPPED');
      stopping.set(arn, live);
      const cached = instanceTaskCache.get(arn);
      if (cached !== undefined) cached.stopping = live;
    }
    return stopping;
  }

  /** Drop cached tasks no instance lists any more (and instances no longer seen). */
  prune(listed?: ReadonlySet<string>): void {
    for (const arn of instanceTaskCache.keys()) if (!this.seen.has(arn)) instanceTaskCache.delete(arn);
    const keep = listed ?? new Set([...instanceTaskCache.values()].flatMap((e) => e.running));
    for (const arn of taskCache.keys()) if (!keep.has(arn)) taskCache.delete(arn);
  }
}
