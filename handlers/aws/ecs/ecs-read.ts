/**
 * The ECS read path: container instances, services and — only where asked — tasks, translated to
 * the core's model. Listings overlap (instances and services page in parallel) and each page is
 * described as soon as it arrives.
 *
 * Cost of a snapshot without tasks: warm, ⌈I/100⌉ + ⌈S/10⌉ + 1 calls (DescribeContainerInstances
 * and DescribeServices of the ARNs known from the previous listing, one DescribeClusters whose
 * counts tell whether an instance or a service joined or left; the listings only then); cold,
 * 2·⌈I/100⌉ + ⌈S/100⌉ + ⌈S/10⌉; plus one DescribeTaskDefinition per definition not seen before. Task counts come from the container instance's
 * `runningTasksCount`/`pendingTasksCount`. Responses go through the SDK's own deserializer; what
 * is saved is calls, not parsing.
 *
 * Tasks, when asked for (`tasksOf`), are read by `ecs-task-read.ts` from the versions recorded here.
 */
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  paginateListContainerInstances,
  paginateListServices,
  type ECSClient,
  type Service as EcsService,
} from '@aws-sdk/client-ecs';
import type { Instance } from '../../../core/cluster';
import type { TaskDefinitionSpec } from '../../../core/task-definition';
import { defined, toInstance, toSpec, type TaskFacts } from './ecs-model';
import { TaskReader, clearTaskReadCaches, type Seen, type TasksOfOptions } from './ecs-task-read';
import { ECS_PARALLEL as PARALLEL, chunks, limiter, mapLimit } from '../util';

/** Task definitions by ARN (immutable: kept for the life of the container). */
const taskDefinitionCache = new Map<string, Promise<TaskDefinitionSpec>>();
/** Service ARNs of the latest ListServices, container instance ARNs of the latest listing. */
let serviceArnCache: string[] | undefined;
let instanceArnCache: string[] | undefined;

/** What DescribeClusters counts (undefined when not reported). */
interface ClusterCounts {
  readonly instances?: number;
  readonly services?: number;
}

/** For tests and the benchmark's cold tick: forget everything cached. */
export function clearReadCaches(): void {
  taskDefinitionCache.clear();
  clearTaskReadCaches();
  serviceArnCache = undefined;
  instanceArnCache = undefined;
}

/** Described container instances: the model's instances (no tasks) and every ARN described. */
export interface DescribedInstances {
  readonly instances: Instance[];
  readonly arns: string[];
}

/** One page of them, with what `tasksOf` needs and whether every instance is still registered. */
interface DescribedPage {
  readonly instances: Instance[];
  readonly arns: string[];
  readonly seen: Array<[string, Seen]>;
  live: boolean;
}

export class EcsReader {
  /** Container instances of the latest snapshot / find, by ARN. */
  private readonly seen = new Map<string, Seen>();
  /** Their tasks, read through caches keyed on what was seen. */
  private readonly tasks: TaskReader;

  constructor(
    private readonly client: ECSClient,
    private readonly cluster: string,
  ) {
    this.tasks = new TaskReader(client, cluster, this.seen);
  }

  taskDefinition(arn: string): Promise<TaskDefinitionSpec> {
    let cached = taskDefinitionCache.get(arn);
    if (cached === undefined) {
      const load = async (): Promise<TaskDefinitionSpec> => toSpec((await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition ?? {});
      cached = load().catch((error: unknown) => {
        taskDefinitionCache.delete(arn);
        throw error;
      });
      taskDefinitionCache.set(arn, cached);
    }
    return cached;
  }

  /** Whether a previous snapshot left the instance and service ARNs to check instead of listing. */
  warm(): boolean {
    return instanceArnCache !== undefined || serviceArnCache !== undefined;
  }

  /**
   * One DescribeClusters: `registeredContainerInstancesCount` (ACTIVE and DRAINING instances) and
   * `activeServicesCount` (API reference, Cluster), or undefined counts when ECS omits them.
   */
  async clusterCounts(): Promise<ClusterCounts> {
    const c = (await this.client.send(new DescribeClustersCommand({ clusters: [this.cluster] })))?.clusters?.[0];
    return defined({ instances: c?.registeredContainerInstancesCount, services: c?.activeServicesCount });
  }

  /**
   * Container instances, as the model's instances (without tasks) and the ARNs described. Warm and
   * unfiltered, the ARNs of the previous listing are described (100 per call, in parallel) while
   * `counts` is read: when all of them are still ACTIVE or DRAINING and they are as many as the
   * cluster's registered count, no instance joined or left, and ListContainerInstances (⌈I/100⌉
   * pages, one after the other) is skipped. Otherwise the instances are listed and each page
   * described as it arrives. Each described page is translated as soon as it is read, so the SDK's
   * objects die young (a 5,000-instance cluster is 15 MB of JSON) and only the model is kept.
   */
  async instances(filter?: string, counts?: Promise<ClusterCounts>): Promise<DescribedInstances> {
    const known = filter === undefined ? instanceArnCache : undefined;
    if (known !== undefined && counts !== undefined) {
      const pages = await mapLimit(chunks(known, 100), PARALLEL, (batch) => this.describeInstances(batch));
      const described = this.record(pages);
      if (pages.every((p) => p.live) && (await counts).instances === described.arns.length) return described;
    }
    const limit = limiter(PARALLEL);
    const pending: Array<Promise<DescribedPage>> = [];
    const listed: string[] = [];
    for await (const page of paginateListContainerInstances({ client: this.client, pageSize: 100 }, { cluster: this.cluster, ...(filter !== undefined ? { filter } : {}) })) {
      const arns = page.containerInstanceArns ?? [];
      listed.push(...arns);
      // A page holds at most `pageSize` ARNs on AWS; chunking anyway keeps every call within the
      // 100-instance limit of DescribeContainerInstances whatever a page holds (moto ignores maxResults).
      for (const batch of chunks(arns, 100)) pending.push(limit(() => this.describeInstances(batch)));
    }
    const described = this.record(await Promise.all(pending));
    if (filter === undefined) instanceArnCache = listed;
    return described;
  }

  /** One DescribeContainerInstances call, translated at once. */
  private async describeInstances(batch: readonly string[]): Promise<DescribedPage> {
    const out = await this.client.send(new DescribeContainerInstancesCommand({ cluster: this.cluster, containerInstances: [...batch] }));
    const page: DescribedPage = { instances: [], arns: [], seen: [], live: (out.failures ?? []).length === 0 };
    for (const ci of out.containerInstances ?? []) {
      if (ci.status !== 'ACTIVE' && ci.status !== 'DRAINING') page.live = false;
      const instance = toInstance(ci, undefined);
      if (instance !== undefined) page.instances.push(instance);
      if (ci.containerInstanceArn === undefined) continue;
      page.arns.push(ci.containerInstanceArn);
      page.seen.push([ci.containerInstanceArn, { version: ci.version, status: ci.status ?? '', count: (ci.runningTasksCount ?? 0) + (ci.pendingTasksCount ?? 0) }]);
    }
    return page;
  }

  private record(pages: readonly DescribedPage[]): DescribedInstances {
    for (const p of pages) for (const [arn, seen] of p.seen) this.seen.set(arn, seen);
    return { instances: pages.flatMap((p) => p.instances), arns: pages.flatMap((p) => p.arns) };
  }

  /**
   * Every service not INACTIVE. Warm, the service ARNs of the previous listing are described
   * (10 per call) together with one DescribeClusters: when as many of them are ACTIVE as the
   * cluster's `activeServicesCount` (API reference, Cluster: "the number of services that are
   * running on the cluster in an ACTIVE state"), no service was created since, and ListServices
   * (⌈S/100⌉ pages) is skipped; otherwise the services are listed again and the new ones described.
   */
  async services(counts?: Promise<ClusterCounts>): Promise<EcsService[]> {
    const known = serviceArnCache;
    if (known !== undefined && counts !== undefined) {
      const [count, described] = await Promise.all([counts.then((c) => c.services), this.servicesNamed(known)]);
      const active = described.filter((s) => s.status === 'ACTIVE').length;
      if (count !== undefined && count === active) return described.filter((s) => s.status !== 'INACTIVE');
      const seen = new Set(described.map((s) => s.serviceArn));
      const listed = await this.listServiceArns();
      const fresh = await this.servicesNamed(listed.filter((a) => !seen.has(a)));
      const listedSet = new Set(listed);
      return [...described.filter((s) => listedSet.has(s.serviceArn ?? '')), ...fresh].filter((s) => s.status !== 'INACTIVE');
    }
    // Cold: describe each page of the listing as it arrives.
    const limit = limiter(PARALLEL);
    const pending: Array<Promise<EcsService[]>> = [];
    const arns: string[] = [];
    for await (const page of paginateListServices({ client: this.client, pageSize: 100 }, { cluster: this.cluster })) {
      arns.push(...(page.serviceArns ?? []));
      for (const batch of chunks(page.serviceArns ?? [], 10)) {
        pending.push(limit(async () => (await this.client.send(new DescribeServicesCommand({ cluster: this.cluster, services: batch }))).services ?? []));
      }
    }
    const services = (await Promise.all(pending)).flat();
    serviceArnCache = arns;
    return services.filter((s) => s.status !== 'INACTIVE');
  }

  private async listServiceArns(): Promise<string[]> {
    const arns: string[] = [];
    for await (const page of paginateListServices({ client: this.client, pageSize: 100 }, { cluster: this.cluster })) arns.push(...(page.serviceArns ?? []));
    serviceArnCache = arns;
    return arns;
  }

  /** DescribeServices for these names (10 per call). */
  async servicesNamed(names: readonly string[]): Promise<EcsService[]> {
    const pages = await mapLimit(chunks(names, 10), PARALLEL, async (batch) => (await this.client.send(new DescribeServicesCommand({ cluster: this.cluster, services: batch }))).services ?? []);
    return pages.flat();
  }

  /**
   * The live (not STOPPED) tasks of these container instances, by instance ARN; `waiting`: tasks
   * with no instance, when the whole cluster was listed (`ecs-task-read.ts`).
   */
  tasksOf(containerInstanceArns: readonly string[], options: TasksOfOptions = {}): Promise<{ byInstance: Map<string, TaskFacts[]>; waiting?: TaskFacts[] }> {
    return this.tasks.tasksOf(containerInstanceArns, options);
  }

  /** Forget instances no longer in the cluster (after a full listing) and their tasks. */
  retainOnly(containerInstanceArns: ReadonlySet<string>): void {
    for (const arn of this.seen.keys()) if (!containerInstanceArns.has(arn)) this.seen.delete(arn);
    this.tasks.prune();
  }
}
