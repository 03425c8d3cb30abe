/**
 * What a tick reads, counted through the real adapters over the fake AWS APIs: a warm steady tick
 * reads no task, lists neither instances nor services while the cluster's counts match, and stays
 * within 2·⌈I/100⌉ + ⌈S/10⌉ + G + 4 calls; a tick that considers scale-in
 * reads every instance's tasks, and warm it lists only the instances whose `version` changed and
 * describes only task ARNs it has not seen.
 */
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { handleTick } from '../../handlers/tick';
import { sample } from './events';
import { BASE_ENV, FakeAws, NOW, context, ecsMock, instanceArn, type TestContext } from './fake-aws';

const id = (n: number): string => `i-0c0ffee0000${String(n).padStart(5, '0')}`;

const INSTANCES = 250;
const SERVICES = 15;
const GROUPS = 2;
const DRAINING = [7, 123];

/** 250 roomy instances (2 web tasks each) over two groups, 15 services, two scale-in drains. */
function cluster(): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 200, max: 400, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 50, max: 100, type: 'm5.xlarge' }).clusterCounts();
  for (let s = 0; s < SERVICES; s++) aws.service(s === 0 ? 'web' : `svc-${s}`, { desired: s === 0 ? 2 * INSTANCES : 0 });
  for (let k = 1; k <= INSTANCES; k++) {
    const draining = DRAINING.includes(k);
    aws.instance({
      id: id(k),
      group: k <= 200 ? 'demo-spot' : 'demo-ondemand',
      remainingCpu: 4096 - 1024,
      remainingMemory: 15_000 - 2048,
      ...(draining ? { status: 'DRAINING' as const, attributes: { 'headroom.scale-in': new Date(NOW - 60_000).toISOString() } } : {}),
    });
    aws.task(id(k), { service: 'web' });
    aws.task(id(k), { service: 'web' });
  }
  // What DescribeContainerInstances reports besides the fake's fields: a version and the task counts.
  for (const ci of aws.instances.values()) Object.assign(ci, { version: 10, runningTasksCount: 2, pendingTasksCount: 0 });
  return aws;
}

/** Metric history: excess held for the whole window, or a dip three minutes ago. */
function history(aws: FakeAws, held: boolean): void {
  aws.history = Array.from({ length: 15 }, (_, k) => ({ at: NOW - (k + 1) * 60_000, value: !held && k === 2 ? 0 : 1000 }));
}

async function tick(aws: FakeAws, ctx: TestContext): Promise<number> {
  aws.calls.clear();
  ecsMock.resetHistory();
  await handleTick(sample('tick/scheduled.json'), ctx);
  return aws.count();
}

const bound = 2 * Math.ceil(INSTANCES / 100) + Math.ceil(SERVICES / 10) + GROUPS + 4;

describe('tick reads', () => {
  it(`a warm steady tick reads no task and makes at most 2·⌈I/100⌉ + ⌈S/10⌉ + G + 4 = ${bound} calls`, async () => {
    const aws = cluster();
    history(aws, false);
    const ctx = context({ ...BASE_ENV, DRY_RUN: 'true' });
    await tick(aws, ctx);
    // Cold: the draining instances' tasks only (running and being stopped), never the cluster's.
    expect(aws.count('ListTasks')).toBe(2 * DRAINING.length);
    expect(ecsMock.commandCalls(ListTasksCommand).every((c) => c.args[0].input.containerInstance !== undefined)).toBe(true);

    const warm = await tick(aws, ctx);
    expect(warm).toBeLessThanOrEqual(bound);
    expect(aws.count('ListTasks')).toBe(0);
    expect(aws.count('DescribeTasks')).toBe(0);
    // Instances and services: the known ones described, the counts checked, no listing.
    expect(aws.count('ListServices')).toBe(0);
    expect(aws.count('ListContainerInstances')).toBe(0);
    expect(aws.count('DescribeClusters')).toBe(1);
  });

  it('an instance registered since the last tick is found: the registered count differs, instances are listed again', async () => {
    const aws = cluster();
    history(aws, false);
    const ctx = context({ ...BASE_ENV, DRY_RUN: 'true' });
    await tick(aws, ctx);
    aws.instance({ id: id(INSTANCES + 1), group: 'demo-spot' });
    await tick(aws, ctx);
    expect(aws.count('ListContainerInstances')).toBe(Math.ceil((INSTANCES + 1) / 100));
    expect(aws.metric('ActiveInstances').at(-1)).toBe(INSTANCES + 1 - DRAINING.length);
  });

  it('a service created since the last tick is found: the active count differs, services are listed again', async () => {
    const aws = cluster();
    history(aws, false);
    const ctx = context({ ...BASE_ENV, DRY_RUN: 'true' });
    await tick(aws, ctx);
    aws.service('api', { desired: 3, running: 0 });
    await tick(aws, ctx);
    expect(aws.count('ListServices')).toBe(1);
    // Its 3 unplaced tasks are demand: they count as pending.
    expect(aws.metric('PendingTasks').at(-1)).toBe(3);
  });

  it('a draining instance whose version changed is listed again; its tasks still count', async () => {
    const aws = cluster();
    history(aws, false);
    const ctx = context({ ...BASE_ENV, DRY_RUN: 'true' });
    await tick(aws, ctx);
    // One of its tasks stopped: ECS bumps the version; the instance still holds one task.
    const arn = [...aws.tasks.values()].find((t) => t.containerInstanceArn === instanceArn(id(DRAINING[0] as number)))?.taskArn as string;
    aws.tasks.delete(arn);
    Object.assign(aws.instances.get(instanceArn(id(DRAINING[0] as number))) ?? {}, { version: 11, runningTasksCount: 1 });
    const result = await handleTick(sample('tick/scheduled.json'), ctx);
    expect(aws.count('ListTasks')).toBe(2 * DRAINING.length + 2);
    // Not empty: no termination of the scale-in drain.
    expect(result.status !== 'dropped' && result.decision.terminate.map((t) => t.instance)).not.toContain(id(DRAINING[0] as number));
  });

  it('scale-in considered: every task is read; warm, only changed instances are listed and only new task ARNs described', async () => {
    const aws = cluster();
    history(aws, true);
    const ctx = context({ ...BASE_ENV, DRY_RUN: 'true' });
    const first = await tick(aws, ctx);
    // Cold caches and 250 instances: one listing of the cluster (paged) beats 250 per-instance listings.
    expect(aws.count('ListTasks')).toBeLessThan(INSTANCES / 10);
    // One read: the read plan asks for the draining instances' tasks and everyone else's together,
    // so every task is described once, 100 to a call.
    expect(aws.count('DescribeTasks')).toBe(Math.ceil((2 * INSTANCES) / 100));
    expect(first).toBeGreaterThan(bound);

    // One instance gains a task (new version); nothing else changes.
    const changed = id(42);
    const added = aws.task(changed, { service: 'web' });
    for (const ci of aws.instances.values()) if (ci.ec2InstanceId === changed) ci.version = 11;
    const warm = await tick(aws, ctx);
    expect(ecsMock.commandCalls(ListTasksCommand).map((c) => c.args[0].input.containerInstance)).toEqual([instanceArn(changed)]);
    expect(ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks)).toEqual([[added]]);
    expect(warm).toBeLessThanOrEqual(bound + 2);
  });
});
