/**
 * ECS adapter: the `ContainerService` port over `@aws-sdk/client-ecs`, scoped to one cluster.
 *
 * Calls used, with their per-call limits:
 *   ListContainerInstances (100/page), DescribeContainerInstances (100/call), ListTasks (100/page),
 *   DescribeTasks (100/call), ListServices (100/page), DescribeServices (10/call),
 *   DescribeTaskDefinition (cached for the life of the container: definitions are immutable),
 *   UpdateContainerInstancesState (10/call), PutAttributes / DeleteAttributes (10/call), StopTask.
 *
 * Reads (`ecs-read.ts`): a warm snapshot without tasks costs ⌈I/100⌉ + ⌈S/10⌉ + 1 calls; tasks
 * are read only for the instances asked for, and only for those whose `version` changed since they
 * were last read, describing only task ARNs not seen before. Never one call per instance for the
 * whole cluster.
 */
import {
  DeleteAttributesCommand,
  PutAttributesCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  type ECSClient,
  type Service as EcsService,
} from '@aws-sdk/client-ecs';
import type { Instance, Service, Task, TaskShape } from '../../../core/cluster';
import type { TaskDefinitionSpec } from '../../../core/task-definition';
import type { ContainerService, Logger, SnapshotOptions, StatusChange } from '../../app/ports';
import { EcsReader, clearReadCaches } from './ecs-read';
import { ec2Services, toTasks, type TaskFacts } from './ecs-model';
import { chunks, classify, errorMessage, errorName, mapLimit } from '../util';

export { toSpec } from './ecs-model';

const PARALLEL = 4;

/** For tests: forget cached task definitions and task descriptions. */
export function clearTaskDefinitionCache(): void {
  clearReadCaches();
}

export { clearReadCaches };

/** The instances with the tasks read for them (none read: an empty list). */
function withTasks(instances: readonly Instance[], byInstance: ReadonlyMap<string, Task[]>): Instance[] {
  return instances.map((i) => ({ ...i, tasks: byInstance.get(i.arn ?? '') ?? [] }));
}

/** Tasks with no instance yet that wait for EC2 capacity (not STOPPED, not Fargate). */
function isWaiting(t: TaskFacts): boolean {
  return t.containerInstanceArn === undefined && t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED' && t.launchType !== 'FARGATE';
}

export class EcsContainerService implements ContainerService {
  private readonly reader: EcsReader;
  /** Task definitions through the reader's cache. */
  private readonly definition = (arn: string): Promise<TaskDefinitionSpec> => this.reader.taskDefinition(arn);
  /** Services of the latest snapshot by name (task roles and constraints for `tasksOf`). */
  private services = new Map<string, EcsService>();

  constructor(
    private readonly client: ECSClient,
    private readonly cluster: string,
    private readonly log: Logger,
  ) {
    this.reader = new EcsReader(client, cluster);
  }

  /** Tasks of these instances (from `tasksOf`), as the model's tasks, and the waiting ones as shapes. */
  private async modelTasks(read: { byInstance: Map<string, TaskFacts[]>; waiting?: TaskFacts[] }, services: ReadonlyMap<string, EcsService>): Promise<{ byInstance: Map<string, Task[]>; waiting: TaskShape[] }> {
    const byInstance = new Map<string, Task[]>();
    for (const [arn, facts] of read.byInstance) byInstance.set(arn, await toTasks(facts, services, this.definition));
    const waiting: TaskShape[] = [];
    for (const t of await toTasks((read.waiting ?? []).filter(isWaiting), services, this.definition)) {
      const { id: _id, role: _role, status: _status, service: _service, ...shape } = t;
      waiting.push(shape);
    }
    return { byInstance, waiting };
  }

  async snapshot(options: SnapshotOptions = {}): Promise<{ instances: Instance[]; services: Service[]; waiting?: TaskShape[] }> {
    try {
      const counts = this.reader.warm() ? this.reader.clusterCounts() : undefined;
      counts?.catch(() => undefined); // awaited below; a failure surfaces there
      const [described, ecsServices] = await Promise.all([this.reader.instances(undefined, counts), this.reader.services(counts)]);
      this.reader.retainOnly(new Set(described.arns));
      const byName = new Map(ecsServices.map((s) => [s.serviceName ?? '', s]));
      this.services = byName;
      const services = await ec2Services(ecsServices, this.definition);
      const mode = options.tasks ?? 'all';
      if (mode === 'none') return { instances: described.instances, services };
      const read = await this.reader.tasksOf(described.arns, { stopping: 'not-active' });
      const { byInstance, waiting } = await this.modelTasks(read, byName);
      const instances = withTasks(described.instances, byInstance);
      return { instances, services, ...(read.waiting !== undefined ? { waiting } : {}) };
    } catch (error) {
      return classify(error, 'reading the cluster');
    }
  }

  async tasksOf(containerInstanceArns: readonly string[], options: { readonly waiting?: boolean } = {}): Promise<{ byInstance: Map<string, Task[]>; waiting?: TaskShape[] }> {
    return this.readTasks(containerInstanceArns, 'not-active', options.waiting === true);
  }

  private async readTasks(containerInstanceArns: readonly string[], stopping: 'all' | 'not-active', cluster = false): Promise<{ byInstance: Map<string, Task[]>; waiting?: TaskShape[] }> {
    if (containerInstanceArns.length === 0 && !cluster) return { byInstance: new Map() };
    try {
      // Drain checks and interruptions (`stopping: 'all'`) list afresh; the tick trusts `version`.
      const read = await this.reader.tasksOf(containerInstanceArns, { stopping, cluster, fresh: stopping === 'all' });
      // Roles and constraints come from the services: those of the latest snapshot, the rest described.
      const groups = new Set([...read.byInstance.values()].flat().map((t) => t.group ?? '').filter((g) => g.startsWith('service:')).map((g) => g.slice('service:'.length)));
      const missing = [...groups].filter((g) => !this.services.has(g));
      const services = new Map(this.services);
      for (const s of await this.reader.servicesNamed(missing)) services.set(s.serviceName ?? '', s);
      const { byInstance, waiting } = await this.modelTasks(read, services);
      return { byInstance, ...(read.waiting !== undefined ? { waiting } : {}) };
    } catch (error) {
      return classify(error, `reading the tasks of ${containerInstanceArns.length} container instance(s)`);
    }
  }

  async findInstances(ec2InstanceIds: readonly string[]): Promise<Instance[]> {
    const ids = [...new Set(ec2InstanceIds)].filter((id) => /^i-[0-9a-zA-Z]+$/.test(id));
    if (ids.length === 0) return [];
    try {
      const found = await mapLimit(chunks(ids, 20), PARALLEL, (batch) => this.reader.instances(`ec2InstanceId in [${batch.map((id) => `'${id}'`).join(',')}]`));
      const instances = found.flatMap((f) => f.instances);
      if (instances.length === 0) return [];
      // Per instance: tasks ECS wants running (cached by version) and tasks it is stopping (always afresh).
      const { byInstance } = await this.readTasks(found.flatMap((f) => f.arns), 'all');
      return withTasks(instances, byInstance);
    } catch (error) {
      return classify(error, `finding container instances ${ids.join(', ')}`);
    }
  }

  /**
   * UpdateContainerInstancesState, ≤ 10 instances per call. A 200 answer may still list `failures`
   * (ARN and reason, e.g. `MISSING`; API reference: UpdateContainerInstancesState, and "API failure
   * reasons" in the ECS developer guide): those instances did not change. ECS also rejects a whole
   * call when one instance cannot make the transition ("A container instance can't be changed to
   * DRAINING until it has reached an ACTIVE status … an error will be received"): the batch is then
   * retried one instance at a time so one bad instance does not hold back the other nine.
   */
  async setStatus(containerInstanceArns: readonly string[], status: 'ACTIVE' | 'DRAINING'): Promise<StatusChange> {
    const changed: string[] = [];
    const refused: Array<{ arn: string; reason: string }> = [];
    const run = async (batch: readonly string[]): Promise<void> => {
      try {
        const out = await this.client.send(new UpdateContainerInstancesStateCommand({ cluster: this.cluster, containerInstances: [...batch], status }));
        const failed = new Set<string>();
        for (const f of out.failures ?? []) {
          const arn = f.arn ?? '';
          failed.add(arn);
          refused.push({ arn, reason: [f.reason, f.detail].filter((x) => x !== undefined && x !== '').join(': ') || 'unknown' });
        }
        changed.push(...batch.filter((a) => !failed.has(a)));
      } catch (error) {
        if (errorName(error) !== 'InvalidParameterException') classify(error, `setting ${batch.length} container instance(s) ${status}`);
        if (batch.length > 1) {
          for (const arn of batch) await run([arn]);
          return;
        }
        refused.push({ arn: batch[0] as string, reason: errorMessage(error) });
      }
    };
    for (const batch of chunks([...new Set(containerInstanceArns)], 10)) await run(batch);
    for (const r of refused) this.log.warn('container instance state not changed', { arn: r.arn, reason: r.reason, status });
    return { changed, refused };
  }

  /**
   * PutAttributes / DeleteAttributes, ≤ 10 per call. `targetType` is sent only with a short id: the
   * API requires it "if you use the short form ID for a resource instead of the full ARN" (API
   * reference: PutAttributes). A container instance holds at most 10 custom attributes
   * (`AttributeLimitExceededException`); a batch refused as a whole is retried one instance at a time.
   * Returns the ARNs whose attribute changed.
   */
  async setAttribute(containerInstanceArns: readonly string[], name: string, value: string | undefined): Promise<readonly string[]> {
    const changed: string[] = [];
    const run = async (batch: readonly string[]): Promise<void> => {
      const attributes = batch.map((id) => ({ name, targetId: id, ...(id.startsWith('arn:') ? {} : { targetType: 'container-instance' as const }), ...(value !== undefined ? { value } : {}) }));
      try {
        if (value === undefined) await this.client.send(new DeleteAttributesCommand({ cluster: this.cluster, attributes }));
        else await this.client.send(new PutAttributesCommand({ cluster: this.cluster, attributes }));
        changed.push(...batch);
      } catch (error) {
        if (errorName(error) !== 'TargetNotFoundException' && errorName(error) !== 'AttributeLimitExceededException') classify(error, `${value === undefined ? 'deleting' : 'putting'} attribute ${name}`);
        if (batch.length > 1) {
          for (const id of batch) await run([id]);
          return;
        }
        this.log.warn('attribute not changed', { name, arn: batch[0], error: errorMessage(error) });
      }
    };
    for (const batch of chunks([...new Set(containerInstanceArns)], 10)) await run(batch);
    return changed;
  }

  async stopTasks(taskIds: readonly string[], reason: string): Promise<void> {
    await mapLimit([...new Set(taskIds)], PARALLEL, async (task) => {
      try {
        await this.client.send(new StopTaskCommand({ cluster: this.cluster, task, reason: reason.slice(0, 255) }));
      } catch (error) {
        if (errorName(error) === 'InvalidParameterException' || errorName(error) === 'ClientException') {
          this.log.warn('task not stopped (already stopped or gone)', { task, error: errorMessage(error) });
          return;
        }
        classify(error, `stopping task ${task}`);
      }
    });
  }
}
