/**
 * A small stateful fake of the ECS, Auto Scaling, CloudWatch and SQS APIs behind
 * aws-sdk-client-mock: the real adapters and handlers run against it. It enforces the per-call
 * limits of the real APIs (a call over the limit throws), paginates, keeps state across calls
 * (DRAINING, desired capacity, pending lifecycle actions) and counts every call.
 */
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeScalingActivitiesCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  type AutoScalingGroup,
  type Activity,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import {
  DeleteAttributesCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  PutAttributesCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  type ContainerInstance,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig, type Config } from '../../core/config';
import type { HandlerContext } from '../../handlers/app/context';
import { DescribeInstanceTypesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { awsPorts } from '../../handlers/aws/ports';
import { clearTaskDefinitionCache } from '../../handlers/aws/ecs/ecs';
import type { Logger } from '../../handlers/app/ports';
import { decrementDesired } from '../../sim/world/asg-capacity';

export const ecsMock = mockClient(ECSClient);
export const asgMock = mockClient(AutoScalingClient);
export const cwMock = mockClient(CloudWatchClient);
export const sqsMock = mockClient(SQSClient);
export const ec2Mock = mockClient(EC2Client);

/** What DescribeInstanceTypes answers: vCPUs and memory (MiB) of a few instance types. */
export const EC2_TYPES: Readonly<Record<string, readonly [vcpus: number, memoryMiB: number]>> = {
  'm5.large': [2, 8192],
  'm5.xlarge': [4, 16384],
  'm5.2xlarge': [8, 32768],
  'm7i.xlarge': [4, 16384],
  'c5.xlarge': [4, 8192],
  'r5.large': [2, 16384],
};

/** The fake the latest test built: EMF lines from `context()` ports go to it. */
let current: FakeAws | undefined;

export const REGION = 'eu-west-1';
export const ACCOUNT = '111122223333';
export const CLUSTER = 'demo';
export const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/headroom-demo-drain`;
/** The clock of the sample events (2025-06-01T12:00:00Z) plus five seconds. */
export const NOW = Date.parse('2025-06-01T12:00:05Z');

export const BASE_ENV: Readonly<Record<string, string>> = {
  CLUSTER_NAME: CLUSTER,
  ASG_NAMES: 'demo-spot,demo-ondemand',
  DRAIN_QUEUE_URL: QUEUE_URL,
  AWS_REGION: REGION,
  // The hook name the stack gives cluster `demo` (deploy/stack-resources.cjs), which the sample events name.
  HOOK_NAME: 'headroom-demo',
  TASK_CPU: '512',
  TASK_MEMORY: '1024',
  SHORTAGE_THRESHOLD: '2',
  EXCESS_THRESHOLD: '10',
  // The fixtures' clusters are a few tasks: keep the whole stated spare (the cap is core/spare.ts's, tested there).
  SPARE_PERCENT: '100',
};

export function awsError(name: string, message: string, status = 400): Error {
  const e = new Error(message);
  e.name = name;
  (e as unknown as { $metadata: unknown }).$metadata = { httpStatusCode: status };
  return e;
}

export const throttling = (): Error => awsError('ThrottlingException', 'Rate exceeded');

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly data?: Record<string, unknown>;
}

export function memoryLogger(lines: LogLine[]): Logger {
  const push = (level: string) => (message: string, data?: Record<string, unknown>) => void lines.push({ level, message, ...(data !== undefined ? { data } : {}) });
  return { info: push('info'), warn: push('warn'), error: push('error') };
}

export const instanceArn = (id: string): string => `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${CLUSTER}/${id.slice(2)}`;
export const taskArn = (n: string): string => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${n}`;
export const tdArn = (family: string): string => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:1`;

export interface InstanceSpec {
  id: string;
  group?: string;
  cpu?: number;
  memory?: number;
  remainingCpu?: number;
  remainingMemory?: number;
  status?: string;
  lifecycleState?: string;
  type?: string;
  attributes?: Record<string, string>;
  agentConnected?: boolean;
}

/** Capacity units a group member counts for: its `WeightedCapacity` (1 when absent, as in a group without weights). */
function memberWeight(m: { readonly WeightedCapacity?: string | undefined }): number {
  const w = Number(m.WeightedCapacity);
  return Number.isFinite(w) && w > 0 ? w : 1;
}

/** Limits of the real APIs: exceeding one is a bug in the adapter. */
function limit(name: string, n: number, max: number): void {
  if (n > max) throw awsError('InvalidParameterException', `${name}: ${n} items exceed the limit of ${max}`);
}

function page<T>(items: readonly T[], token: string | undefined, size: number | undefined, max: number, name: string): { items: T[]; next?: string } {
  limit(name, size ?? max, max);
  const start = token === undefined ? 0 : Number(token);
  const n = size ?? max;
  const slice = items.slice(start, start + n);
  return start + n < items.length ? { items: slice, next: String(start + n) } : { items: slice };
}

/** A lifecycle action waiting for CompleteLifecycleAction: its hook, its group and, when known, its token. */
export interface PendingAction {
  readonly hook: string;
  readonly group?: string;
  readonly token?: string;
}

export class FakeAws {
  readonly instances = new Map<string, ContainerInstance>();
  readonly tasks = new Map<string, Task>();
  readonly services: Service[] = [];
  readonly taskDefinitions = new Map<string, TaskDefinition>();
  readonly groups: AutoScalingGroup[] = [];
  /** Launch template id → the instance type and market its `$Default` version sets. */
  readonly launchTemplates = new Map<string, { type?: string; spot?: boolean }>();
  /** Scaling activities per group (DescribeScalingActivities), newest first. */
  readonly activities = new Map<string, Activity[]>();
  /** Pending lifecycle actions by instance id (`hookPending`). */
  readonly pendingHooks = new Map<string, PendingAction>();
  readonly calls = new Map<string, number>();
  readonly sent: Array<{ body: Record<string, unknown>; delay: number }> = [];
  readonly metricData: MetricDatum[] = [];
  readonly completed: string[] = [];
  readonly heartbeats: string[] = [];
  readonly desired: Array<{ group: string; desired: number }> = [];
  readonly terminated: Array<{ id: string; decrement: boolean }> = [];
  readonly stopped: string[] = [];
  readonly statusChanges: Array<{ ids: string[]; status: string }> = [];
  readonly attributeChanges: Array<{ name: string; value?: string; ids: string[] }> = [];
  history: Array<{ at: number; value: number }> = [];
  /** Embedded Metric Format lines written (each is one publish; no API call). */
  readonly emf: string[] = [];
  /** Instances UpdateContainerInstancesState lists under `failures` (EC2 id → reason). */
  readonly refuseStatus = new Map<string, string>();
  /** Raw requests of the mutating ECS calls, for assertions on what was sent. */
  readonly requests: Array<{ command: string; input: unknown }> = [];
  /** Calls that wait for `release()` before answering (answers computed at call time: a stale read). */
  private held = new Map<string, Array<{ gate: Promise<void>; open: () => void }>>();
  private failures = new Map<string, Error[]>();
  private taskSeq = 0;

  constructor() {
    current = this;
    ecsMock.reset();
    asgMock.reset();
    cwMock.reset();
    sqsMock.reset();
    ec2Mock.reset();
    clearTaskDefinitionCache();
    this.install();
  }

  /** The next `n` calls of `command` fail with `error`. */
  failNext(command: string, error: Error, n = 1): this {
    this.failures.set(command, [...(this.failures.get(command) ?? []), ...Array.from({ length: n }, () => error)]);
    return this;
  }

  /**
   * The next call of `command` answers with the state as it is now, but only once the returned
   * `release` is called: lets a test interleave two invocations at a chosen await point.
   */
  hold(command: string): () => void {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.held.set(command, [...(this.held.get(command) ?? []), { gate, open }]);
    return open;
  }

  private async answer<T>(command: string, value: T): Promise<T> {
    const h = this.held.get(command)?.shift();
    if (h !== undefined) await h.gate;
    return value;
  }

  count(command?: string): number {
    if (command !== undefined) return this.calls.get(command) ?? 0;
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }

  mutatingCalls(): string[] {
    const reads = /^(List|Describe|Get)/;
    return [...this.calls.entries()].filter(([k, v]) => v > 0 && !reads.test(k)).map(([k]) => k);
  }

  /**
   * A group: `type` alone is a one-override mixed-instances group; `template` a plain launch
   * template group (its type set with `launchTemplates`); `weights` a mixed-instances group of
   * those types and `WeightedCapacity` values.
   */
  group(name: string, opts: { min?: number; max?: number; desired?: number; type?: string; azs?: string[]; template?: string; weights?: Record<string, number>; onDemandPercent?: number } = {}): this {
    const spec = opts.template !== undefined ? { LaunchTemplateId: opts.template, Version: '$Default' } : undefined;
    const overrides = opts.weights !== undefined ? Object.entries(opts.weights).map(([InstanceType, w]) => ({ InstanceType, WeightedCapacity: String(w) })) : opts.type !== undefined ? [{ InstanceType: opts.type }] : undefined;
    this.groups.push({
      AutoScalingGroupName: name,
      MinSize: opts.min ?? 0,
      MaxSize: opts.max ?? 20,
      DesiredCapacity: opts.desired ?? 0,
      AvailabilityZones: opts.azs ?? ['eu-west-1a', 'eu-west-1b'],
      Instances: [],
      DefaultCooldown: 300,
      HealthCheckType: 'EC2',
      CreatedTime: new Date(0),
      ...(overrides !== undefined
        ? {
            MixedInstancesPolicy: {
              LaunchTemplate: { ...(spec !== undefined ? { LaunchTemplateSpecification: spec } : {}), Overrides: overrides },
              ...(opts.onDemandPercent !== undefined ? { InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: opts.onDemandPercent } } : {}),
            },
          }
        : spec !== undefined
          ? { LaunchTemplate: spec }
          : {}),
    } as AutoScalingGroup);
    return this;
  }

  instance(spec: InstanceSpec): this {
    const cpu = spec.cpu ?? 4096;
    const memory = spec.memory ?? 15_000;
    const registered = spec.status !== 'NONE';
    if (registered) {
      this.instances.set(instanceArn(spec.id), {
        containerInstanceArn: instanceArn(spec.id),
        ec2InstanceId: spec.id,
        status: spec.status ?? 'ACTIVE',
        agentConnected: spec.agentConnected ?? true,
        registeredResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: cpu },
          { name: 'MEMORY', type: 'INTEGER', integerValue: memory },
          { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
          { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
        ],
        remainingResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: spec.remainingCpu ?? cpu },
          { name: 'MEMORY', type: 'INTEGER', integerValue: spec.remainingMemory ?? memory },
          { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
          { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
        ],
        attributes: [
          { name: 'ecs.instance-type', value: spec.type ?? 'm5.xlarge' },
          { name: 'ecs.availability-zone', value: 'eu-west-1a' },
          ...Object.entries(spec.attributes ?? {}).map(([name, value]) => ({ name, value })),
        ],
      });
    }
    if (spec.group !== undefined) {
      const g = this.groups.find((x) => x.AutoScalingGroupName === spec.group);
      if (g === undefined) throw new Error(`no group ${spec.group}`);
      const type = spec.type ?? 'm5.xlarge';
      const weighted = g.MixedInstancesPolicy?.LaunchTemplate?.Overrides?.find((o) => o.InstanceType === type)?.WeightedCapacity;
      g.Instances = [...(g.Instances ?? []), { InstanceId: spec.id, LifecycleState: (spec.lifecycleState ?? 'InService') as never, InstanceType: type, AvailabilityZone: 'eu-west-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false, ...(weighted !== undefined ? { WeightedCapacity: weighted } : {}) }];
      // Auto Scaling keeps desired capacity equal to its live members (Pending*, InService), in weight units.
      g.DesiredCapacity = (g.Instances ?? []).filter((m) => /^(Pending|InService)/.test(m.LifecycleState ?? '')).reduce((n, m) => n + memberWeight(m), 0);
    }
    return this;
  }

  /**
   * A lifecycle action pending for `id` under `hook`, in the group the instance is a member of;
   * with a `token`, CompleteLifecycleAction and heartbeats that send a token must send this one.
   */
  hookPending(id: string, hook = BASE_ENV.HOOK_NAME ?? 'headroom-demo', token?: string): this {
    const group = this.groups.find((g) => g.Instances?.some((m) => m.InstanceId === id))?.AutoScalingGroupName;
    this.pendingHooks.set(id, { hook, ...(group !== undefined ? { group } : {}), ...(token !== undefined ? { token } : {}) });
    return this;
  }

  /**
   * DescribeClusters answers the cluster's registered container instances (ACTIVE or DRAINING) and
   * ACTIVE services, the counts a warm read checks before skipping the listings. Off by default:
   * without it the reader finds no counts and lists every time.
   */
  clusterCounts(): this {
    ecsMock.on(DescribeClustersCommand).callsFake(() => {
      this.fail('DescribeClusters');
      const registered = [...this.instances.values()].filter((c) => c.status === 'ACTIVE' || c.status === 'DRAINING').length;
      return { clusters: [{ clusterName: CLUSTER, activeServicesCount: this.services.filter((x) => x.status === 'ACTIVE').length, registeredContainerInstancesCount: registered }] };
    });
    return this;
  }

  taskDefinition(family: string, cpu: number, memory: number, extra: Partial<TaskDefinition> = {}): string {
    const arn = tdArn(family);
    this.taskDefinitions.set(arn, { taskDefinitionArn: arn, family, revision: 1, networkMode: 'bridge', containerDefinitions: [{ name: family, cpu, memoryReservation: memory, essential: true }], ...extra });
    return arn;
  }

  service(name: string, opts: { cpu?: number; memory?: number; desired?: number; running?: number; pending?: number; daemon?: boolean; launchType?: string } = {}): this {
    const td = this.taskDefinitions.has(tdArn(name)) ? tdArn(name) : this.taskDefinition(name, opts.cpu ?? 512, opts.memory ?? 1024);
    const desired = opts.desired ?? 0;
    const running = opts.running ?? desired;
    const pending = opts.pending ?? 0;
    this.services.push({
      serviceName: name,
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${name}`,
      status: 'ACTIVE',
      schedulingStrategy: opts.daemon === true ? 'DAEMON' : 'REPLICA',
      ...(opts.launchType !== undefined ? { launchType: opts.launchType as never } : {}),
      desiredCount: desired,
      runningCount: running,
      pendingCount: pending,
      taskDefinition: td,
      deployments: [{ id: `ecs-svc/${name}`, status: 'PRIMARY', taskDefinition: td, desiredCount: desired, runningCount: running, pendingCount: pending }],
    });
    return this;
  }

  /** A task on an instance; `service` undefined → standalone (RunTask). */
  task(instanceId: string, opts: { service?: string; family?: string; lastStatus?: string; desiredStatus?: string } = {}): string {
    const arn = taskArn(`t${String(++this.taskSeq).padStart(6, '0')}`);
    const family = opts.family ?? opts.service ?? 'batch';
    if (!this.taskDefinitions.has(tdArn(family))) this.taskDefinition(family, 256, 512);
    this.tasks.set(arn, {
      taskArn: arn,
      containerInstanceArn: instanceArn(instanceId),
      taskDefinitionArn: tdArn(family),
      group: opts.service !== undefined ? `service:${opts.service}` : `family:${family}`,
      lastStatus: opts.lastStatus ?? 'RUNNING',
      desiredStatus: opts.desiredStatus ?? (opts.lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING'),
      launchType: 'EC2',
    });
    return arn;
  }

  /** A task ECS holds with no instance yet (PROVISIONING: RunTask through a capacity provider, waiting for room). */
  provisioningTask(family = 'batch'): string {
    const arn = taskArn(`t${String(++this.taskSeq).padStart(6, '0')}`);
    if (!this.taskDefinitions.has(tdArn(family))) this.taskDefinition(family, 256, 512);
    this.tasks.set(arn, { taskArn: arn, taskDefinitionArn: tdArn(family), group: `family:${family}`, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', launchType: 'EC2' });
    return arn;
  }

  private fail(command: string): void {
    this.calls.set(command, (this.calls.get(command) ?? 0) + 1);
    const queue = this.failures.get(command);
    const next = queue?.shift();
    if (next !== undefined) throw next;
  }

  private ci(arnOrId: string): ContainerInstance | undefined {
    return this.instances.get(arnOrId) ?? [...this.instances.values()].find((c) => c.containerInstanceArn?.endsWith(`/${arnOrId}`));
  }

  private install(): void {
    const ecs = ecsMock;
    ecs.on(ListContainerInstancesCommand).callsFake((input) => {
      this.fail('ListContainerInstances');
      let list = [...this.instances.values()].filter((c) => c.status !== 'INACTIVE');
      if (typeof input.filter === 'string') {
        const m = /^ec2InstanceId in \[(.*)\]$/.exec(input.filter);
        if (m === null || m[1] === undefined) throw awsError('InvalidParameterException', `unsupported filter ${input.filter}`);
        const ids = new Set(m[1].split(',').map((s) => s.trim().replace(/^'|'$/g, '')));
        list = list.filter((c) => ids.has(c.ec2InstanceId ?? ''));
      }
      const p = page(list.map((c) => c.containerInstanceArn as string), input.nextToken, input.maxResults, 100, 'ListContainerInstances');
      return { containerInstanceArns: p.items, ...(p.next !== undefined ? { nextToken: p.next } : {}) };
    });
    ecs.on(DescribeContainerInstancesCommand).callsFake((input) => {
      this.fail('DescribeContainerInstances');
      limit('DescribeContainerInstances', input.containerInstances?.length ?? 0, 100);
      const found = (input.containerInstances ?? []).map((a: string) => this.ci(a)).filter((c: ContainerInstance | undefined): c is ContainerInstance => c !== undefined);
      return { containerInstances: structuredClone(found), failures: [] };
    });
    ecs.on(ListTasksCommand).callsFake((input) => {
      this.fail('ListTasks');
      const desired = input.desiredStatus ?? 'RUNNING';
      const list = [...this.tasks.values()].filter((t) => (input.containerInstance === undefined || t.containerInstanceArn === input.containerInstance) && t.desiredStatus === desired);
      const p = page(list.map((t) => t.taskArn as string), input.nextToken, input.maxResults, 100, 'ListTasks');
      return { taskArns: p.items, ...(p.next !== undefined ? { nextToken: p.next } : {}) };
    });
    ecs.on(DescribeTasksCommand).callsFake((input) => {
      this.fail('DescribeTasks');
      limit('DescribeTasks', input.tasks?.length ?? 0, 100);
      return { tasks: structuredClone((input.tasks ?? []).map((a: string) => this.tasks.get(a)).filter((t: Task | undefined) => t !== undefined)) };
    });
    ecs.on(ListServicesCommand).callsFake((input) => {
      this.fail('ListServices');
      const p = page(this.services.map((s) => s.serviceArn as string), input.nextToken, input.maxResults, 100, 'ListServices');
      return { serviceArns: p.items, ...(p.next !== undefined ? { nextToken: p.next } : {}) };
    });
    ecs.on(DescribeServicesCommand).callsFake((input) => {
      this.fail('DescribeServices');
      limit('DescribeServices', input.services?.length ?? 0, 10);
      const wanted = new Set(input.services ?? []);
      return { services: structuredClone(this.services.filter((s) => wanted.has(s.serviceArn ?? '') || wanted.has(s.serviceName ?? ''))) };
    });
    ecs.on(DescribeTaskDefinitionCommand).callsFake((input) => {
      this.fail('DescribeTaskDefinition');
      const td = this.taskDefinitions.get(input.taskDefinition ?? '');
      if (td === undefined) throw awsError('ClientException', 'Unable to describe task definition.');
      return { taskDefinition: structuredClone(td) };
    });
    ecs.on(UpdateContainerInstancesStateCommand).callsFake((input) => {
      this.fail('UpdateContainerInstancesState');
      limit('UpdateContainerInstancesState', input.containerInstances?.length ?? 0, 10);
      this.requests.push({ command: 'UpdateContainerInstancesState', input });
      // Only ACTIVE ↔ DRAINING: an instance in another status makes ECS reject the whole call.
      for (const a of input.containerInstances ?? []) {
        const c = this.ci(a);
        if (c !== undefined && c.status !== 'ACTIVE' && c.status !== 'DRAINING') throw awsError('InvalidParameterException', `Container instance ${a} is in status ${c.status} and cannot be updated`);
      }
      const failures: Array<{ arn: string; reason: string }> = [];
      const ids: string[] = [];
      const updated: ContainerInstance[] = [];
      for (const a of input.containerInstances ?? []) {
        const c = this.ci(a);
        const refusal = c !== undefined ? this.refuseStatus.get(c.ec2InstanceId ?? '') : undefined;
        if (c === undefined) failures.push({ arn: a, reason: 'MISSING' });
        else if (refusal !== undefined) failures.push({ arn: a, reason: refusal });
        else {
          c.status = input.status;
          ids.push(c.ec2InstanceId ?? '');
          updated.push(structuredClone(c));
        }
      }
      if (ids.length > 0) this.statusChanges.push({ ids, status: input.status ?? '' });
      return { containerInstances: updated, failures };
    });
    ecs.on(PutAttributesCommand).callsFake((input) => {
      this.fail('PutAttributes');
      limit('PutAttributes', input.attributes?.length ?? 0, 10);
      this.requests.push({ command: 'PutAttributes', input });
      const ids: string[] = [];
      for (const a of input.attributes ?? []) {
        const c = this.ci(a.targetId ?? '');
        if (c === undefined) throw awsError('TargetNotFoundException', 'target not found');
        // At most 10 custom attributes per resource (ECS service quotas); the whole call is refused.
        const custom = (c.attributes ?? []).filter((x) => !(x.name ?? '').startsWith('ecs.') && x.name !== a.name);
        if (custom.length >= 10) throw awsError('AttributeLimitExceededException', 'You can apply up to 10 custom attributes per resource.');
      }
      for (const a of input.attributes ?? []) {
        const c = this.ci(a.targetId ?? '');
        if (c === undefined) continue;
        c.attributes = [...(c.attributes ?? []).filter((x) => x.name !== a.name), { name: a.name, value: a.value }];
        ids.push(c.ec2InstanceId ?? '');
      }
      this.attributeChanges.push({ name: input.attributes?.[0]?.name ?? '', value: input.attributes?.[0]?.value ?? '', ids });
      return { attributes: input.attributes };
    });
    ecs.on(DeleteAttributesCommand).callsFake((input) => {
      this.fail('DeleteAttributes');
      limit('DeleteAttributes', input.attributes?.length ?? 0, 10);
      const ids: string[] = [];
      for (const a of input.attributes ?? []) {
        const c = this.ci(a.targetId ?? '');
        if (c !== undefined) c.attributes = (c.attributes ?? []).filter((x) => x.name !== a.name);
        ids.push(c?.ec2InstanceId ?? '');
      }
      this.attributeChanges.push({ name: input.attributes?.[0]?.name ?? '', ids });
      return { attributes: input.attributes };
    });
    ecs.on(StopTaskCommand).callsFake((input) => {
      this.fail('StopTask');
      const t = this.tasks.get(input.task ?? '');
      if (t === undefined) throw awsError('InvalidParameterException', 'The referenced task was not found.');
      t.desiredStatus = 'STOPPED';
      this.stopped.push(input.task ?? '');
      return { task: t };
    });

    asgMock.on(DescribeAutoScalingGroupsCommand).callsFake((input) => {
      this.fail('DescribeAutoScalingGroups');
      const names = new Set(input.AutoScalingGroupNames ?? []);
      limit('DescribeAutoScalingGroups', input.MaxRecords ?? 50, 100);
      return this.answer('DescribeAutoScalingGroups', { AutoScalingGroups: structuredClone(this.groups.filter((g) => names.has(g.AutoScalingGroupName ?? ''))) });
    });
    asgMock.on(DescribeAutoScalingInstancesCommand).callsFake((input) => {
      this.fail('DescribeAutoScalingInstances');
      // ≤ 50 ids and records per call; unknown ids are ignored (API reference: DescribeAutoScalingInstances).
      limit('DescribeAutoScalingInstances', input.InstanceIds?.length ?? 0, 50);
      limit('DescribeAutoScalingInstances', input.MaxRecords ?? 50, 50);
      const ids = new Set(input.InstanceIds ?? []);
      const found = this.groups.flatMap((g) =>
        (g.Instances ?? []).filter((i) => ids.has(i.InstanceId ?? '')).map((i) => ({ InstanceId: i.InstanceId, AutoScalingGroupName: g.AutoScalingGroupName, LifecycleState: i.LifecycleState, AvailabilityZone: i.AvailabilityZone, HealthStatus: i.HealthStatus ?? 'Healthy' })),
      );
      return this.answer('DescribeAutoScalingInstances', { AutoScalingInstances: structuredClone(found) });
    });
    asgMock.on(DescribeScalingActivitiesCommand).callsFake((input) => {
      this.fail('DescribeScalingActivities');
      return this.answer('DescribeScalingActivities', { Activities: structuredClone((this.activities.get(input.AutoScalingGroupName ?? '') ?? []).slice(0, input.MaxRecords ?? 100)) });
    });
    ec2Mock.on(DescribeInstanceTypesCommand).callsFake((input) => {
      this.fail('DescribeInstanceTypes');
      limit('DescribeInstanceTypes', input.InstanceTypes?.length ?? 0, 100);
      const unknown = (input.InstanceTypes ?? []).filter((t: string) => EC2_TYPES[t] === undefined);
      if (unknown.length > 0) throw awsError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
      return { InstanceTypes: (input.InstanceTypes ?? []).map((t: string) => ({ InstanceType: t, VCpuInfo: { DefaultVCpus: EC2_TYPES[t]?.[0] }, MemoryInfo: { SizeInMiB: EC2_TYPES[t]?.[1] } })) };
    });
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input) => {
      this.fail('DescribeLaunchTemplateVersions');
      const t = this.launchTemplates.get(input.LaunchTemplateId ?? input.LaunchTemplateName ?? '');
      if (t === undefined) throw awsError('InvalidLaunchTemplateId.NotFound', 'The specified launch template does not exist.');
      return {
        LaunchTemplateVersions: [
          { LaunchTemplateId: input.LaunchTemplateId, VersionNumber: 1, LaunchTemplateData: { ...(t.type !== undefined ? { InstanceType: t.type } : {}), ...(t.spot === true ? { InstanceMarketOptions: { MarketType: 'spot' } } : {}) } },
        ],
      };
    });
    asgMock.on(SetDesiredCapacityCommand).callsFake((input) => {
      this.fail('SetDesiredCapacity');
      const g = this.groups.find((x) => x.AutoScalingGroupName === input.AutoScalingGroupName);
      if (g === undefined) throw awsError('ValidationError', 'AutoScalingGroup name not found');
      if ((input.DesiredCapacity ?? 0) > (g.MaxSize ?? 0) || (input.DesiredCapacity ?? 0) < (g.MinSize ?? 0)) throw awsError('ValidationError', 'New SetDesiredCapacity value is outside min/max');
      g.DesiredCapacity = input.DesiredCapacity;
      this.desired.push({ group: input.AutoScalingGroupName ?? '', desired: input.DesiredCapacity ?? 0 });
      return {};
    });
    asgMock.on(TerminateInstanceInAutoScalingGroupCommand).callsFake((input) => {
      this.fail('TerminateInstanceInAutoScalingGroup');
      const g = this.groups.find((x) => x.Instances?.some((i) => i.InstanceId === input.InstanceId));
      const m = g?.Instances?.find((i) => i.InstanceId === input.InstanceId);
      if (g === undefined || m === undefined) throw awsError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${input.InstanceId}`);
      // The simulator's rule (sim/world/asg-capacity.ts): desired drops by the member's weight.
      const after = input.ShouldDecrementDesiredCapacity === true ? decrementDesired(g.DesiredCapacity ?? 0, g.MinSize ?? 0, memberWeight(m)) : undefined;
      if (after !== undefined && !after.ok) throw awsError('ValidationError', after.message);
      if (m.LifecycleState !== 'InService') throw awsError('ValidationError', `The instance ${input.InstanceId} is not in InService or Standby.`);
      m.LifecycleState = 'Terminating:Wait';
      if (after?.ok === true) g.DesiredCapacity = after.desired;
      this.hookPending(input.InstanceId ?? '');
      this.terminated.push({ id: input.InstanceId ?? '', decrement: input.ShouldDecrementDesiredCapacity === true });
      return { Activity: {} } as never;
    });
    // Auto Scaling finds the action by group, hook name and instance id or token: an action under
    // another hook or group, or a token not its own, is not found (EC2 Auto Scaling API Reference,
    // CompleteLifecycleAction: AutoScalingGroupName and LifecycleHookName are required, with
    // InstanceId or LifecycleActionToken).
    type HookInput = { InstanceId?: string | undefined; AutoScalingGroupName?: string | undefined; LifecycleHookName?: string | undefined; LifecycleActionToken?: string | undefined };
    const hookCall = (name: string, record: string[]) => (input: HookInput) => {
      this.fail(name);
      const pending = this.pendingHooks.get(input.InstanceId ?? '');
      const matches =
        pending !== undefined &&
        input.LifecycleHookName === pending.hook &&
        (pending.group === undefined || input.AutoScalingGroupName === pending.group) &&
        (input.LifecycleActionToken === undefined || pending.token === undefined || input.LifecycleActionToken === pending.token);
      if (!matches) {
        const by = input.LifecycleActionToken !== undefined && pending?.token !== undefined && input.LifecycleActionToken !== pending.token ? `token ${input.LifecycleActionToken}` : `instance ID ${input.InstanceId}`;
        throw awsError('ValidationError', `No active Lifecycle Action found with ${by}`);
      }
      record.push(input.InstanceId ?? '');
      if (name === 'CompleteLifecycleAction') this.pendingHooks.delete(input.InstanceId ?? '');
      return {};
    };
    asgMock.on(RecordLifecycleActionHeartbeatCommand).callsFake(hookCall('RecordLifecycleActionHeartbeat', this.heartbeats));
    asgMock.on(CompleteLifecycleActionCommand).callsFake(hookCall('CompleteLifecycleAction', this.completed));

    cwMock.on(GetMetricDataCommand).callsFake(() => {
      this.fail('GetMetricData');
      return { MetricDataResults: [{ Id: 'h', Timestamps: this.history.map((h) => new Date(h.at)), Values: this.history.map((h) => h.value) }] };
    });
    sqsMock.on(SendMessageCommand).callsFake((input) => {
      this.fail('SendMessage');
      this.sent.push({ body: JSON.parse(input.MessageBody ?? '{}') as Record<string, unknown>, delay: input.DelaySeconds ?? 0 });
      return { MessageId: `m-${this.sent.length}` };
    });
  }

  /** An EMF line as CloudWatch would read it: one datum per value, with its dimension and unit. */
  recordEmf(line: string): void {
    this.emf.push(line);
    const doc = JSON.parse(line) as Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } };
    for (const directive of doc._aws.CloudWatchMetrics) {
      const dims = (directive.Dimensions[0] ?? []).map((k) => ({ Name: k, Value: String(doc[k]) }));
      for (const m of directive.Metrics) {
        for (const v of [doc[m.Name]].flat() as number[]) this.metricData.push({ MetricName: m.Name, Value: v, Unit: m.Unit as MetricDatum['Unit'], Dimensions: dims, Timestamp: new Date(doc._aws.Timestamp) });
      }
    }
  }

  /** Metric values published under `name`. */
  metric(name: string): number[] {
    return this.metricData.filter((d) => d.MetricName === name).map((d) => d.Value ?? NaN);
  }
}

export interface TestContext extends HandlerContext {
  readonly lines: LogLine[];
  readonly clock: { now: number };
}

/** A handler context over the real AWS adapters (mocked clients), a fake clock and a memory log. */
export function context(env: Readonly<Record<string, string>> = BASE_ENV, now = NOW): TestContext {
  const lines: LogLine[] = [];
  const config: Config = loadConfig(env, { requireDrainQueue: true });
  const clock = { now };
  const log = memoryLogger(lines);
  const ports = { ...awsPorts(config, log, (line) => current?.recordEmf(line)), now: () => clock.now };
  return { config, ports, lines, clock };
}
