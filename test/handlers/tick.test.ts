import { REACTIVATED_ATTRIBUTE, SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import { handleTick } from '../../handlers/tick';
import { BASE_ENV, FakeAws, NOW, context, instanceArn, throttling } from './fake-aws';
import { sample } from './events';

const id = (n: number): string => `i-0a1b2c3d4e5f${String(n).padStart(5, '0')}`;

/** `n` m5.xlarge instances in demo-spot, each with `tasks` web tasks (512 CPU / 1024 MiB). */
function cluster(n: number, tasks: number, opts: { unplaced?: number; max?: number } = {}): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: n, max: opts.max ?? 20, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 0, max: 5, type: 'm5.large' });
  aws.service('web', { desired: n * tasks + (opts.unplaced ?? 0), running: n * tasks });
  for (let k = 1; k <= n; k++) {
    aws.instance({ id: id(k), group: 'demo-spot', remainingCpu: 4096 - 512 * tasks, remainingMemory: 15_000 - 1024 * tasks });
    for (let t = 0; t < tasks; t++) aws.task(id(k), { service: 'web' });
  }
  return aws;
}

describe('tick handler', () => {
  it('scales out when service tasks cannot be placed, and publishes every tick metric in one call', async () => {
    const aws = cluster(2, 8, { unplaced: 5 });
    const result = await handleTick(sample('tick/scheduled.json'), context());
    expect(result.status).toBe('acted');
    // 5 unplaced + 2 reference tasks of headroom at 8 per m5.xlarge: 1 new instance.
    expect(aws.desired).toEqual([{ group: 'demo-spot', desired: 3 }]);
    // One Embedded Metric Format line, no API call.
    expect(aws.emf).toHaveLength(1);
    expect(aws.count('PutMetricData')).toBe(0);
    expect(aws.metricData.map((d) => d.MetricName).sort()).toEqual(
      ['ActiveInstances', 'CpuReservedPercent', 'DrainingInstances', 'InstancesLowerBound', 'InstancesNeeded', 'MemoryReservedPercent', 'PendingTasks', 'ScaleInInstances', 'ScaleOutInstances', 'SchedulableTasks', 'UnschedulableTasks'].sort(),
    );
    expect(aws.metric('PendingTasks')).toEqual([5]);
    expect(aws.metricData[0]?.Dimensions).toEqual([{ Name: 'ClusterName', Value: 'demo' }]);
  });

  it.each([
    ['placement failure of this cluster', 'tick/placement-failure.json', 'acted'],
    ['placement failure of another cluster', 'tick/placement-failure.other-cluster.json', 'dropped'],
    ['unknown event', 'tick/task-state-change.json', 'dropped'],
  ])('%s (%s) is %s', async (_name, file, status) => {
    const aws = cluster(1, 2);
    const result = await handleTick(sample(file), context());
    expect(result.status).toBe(status);
    expect(aws.count() > 0).toBe(status === 'acted');
  });

  it('standalone tasks waiting with no instance (PROVISIONING) are demand and count as pending (short of headroom: the tick lists the cluster\'s tasks)', async () => {
    const aws = cluster(2, 8);
    for (let k = 0; k < 20; k++) aws.provisioningTask('batch');
    await handleTick(sample('tick/scheduled.json'), context());
    // Both instances are full. 2 reference tasks (512 CPU) + 20 batch tasks (256 CPU) = 6144 CPU: 2
    // m5.xlarge or 3 m5.large; the larges cost less per task (3 × half the price of an xlarge,
    // core/price.ts), so the second group takes them though the first comes first in priority.
    expect(aws.desired).toEqual([{ group: 'demo-ondemand', desired: 3 }]);
    expect(aws.metric('PendingTasks')).toEqual([20]);
  });

  it('an explicit direct invocation { "action": "tick" } ticks (serverless invoke)', async () => {
    cluster(1, 2);
    expect((await handleTick(sample('tick/direct.json'), context())).status).toBe('acted');
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an empty array', []],
    ['an empty object', {}],
    ['a string', 'tick'],
    ['another action', { action: 'scale-in' }],
    ['an SQS envelope', { Records: [{ messageId: 'm-1', body: '{"action":"tick"}', eventSource: 'aws:sqs' }] }],
  ])('%s does not tick: dropped with one log line and no AWS call', async (_name, event) => {
    const aws = cluster(1, 2);
    const ctx = context();
    const result = await handleTick(event, ctx);
    expect(result.status).toBe('dropped');
    expect(aws.count()).toBe(0);
    expect(ctx.lines.filter((l) => l.message === 'event dropped')).toHaveLength(1);
  });

  it('a task no group can ever hold: one warn line with the reason, the UnschedulableTasks metric, no scale-out for it', async () => {
    const aws = cluster(2, 0);
    aws.service('huge', { cpu: 16384, memory: 1024, desired: 2, running: 0 });
    const ctx = context();
    await handleTick(sample('tick/scheduled.json'), ctx);
    const warn = ctx.lines.filter((l) => l.level === 'warn' && /unschedulable/.test(l.message));
    expect(warn).toHaveLength(1);
    expect(JSON.stringify(warn[0]?.data)).toMatch(/demo-spot: cpu; demo-ondemand: cpu/);
    expect(aws.metric('UnschedulableTasks')).toEqual([2]);
    expect(aws.desired).toEqual([]);
  });

  it('sizes a group with no registered member from EC2 DescribeInstanceTypes', async () => {
    const aws = new FakeAws().group('demo-spot', { desired: 0, max: 5, type: 'm5.large' }).group('demo-ondemand', { desired: 0, max: 5 });
    aws.service('web', { desired: 3, running: 0 });
    await handleTick(sample('tick/scheduled.json'), context());
    // m5.large: 2048 CPU → 4 tasks of 512; 3 unplaced + 2 headroom = 5 tasks → 2 instances.
    expect(aws.desired).toEqual([{ group: 'demo-spot', desired: 2 }]);
  });

  it('scale-in: marks and drains a surplus instance once excess held for the stabilisation window', async () => {
    const aws = cluster(4, 1);
    aws.history = Array.from({ length: 12 }, (_, k) => ({ at: NOW - (k + 1) * 60_000, value: 25 }));
    const result = await handleTick(sample('tick/scheduled.json'), context());
    expect(result.status === 'acted' && result.decision.scaleIn.length).toBe(1);
    expect(aws.attributeChanges[0]).toMatchObject({ name: SCALE_IN_ATTRIBUTE, value: new Date(NOW).toISOString() });
    expect(aws.statusChanges).toEqual([{ ids: aws.attributeChanges[0]?.ids, status: 'DRAINING' }]);
    // Mark first, DRAINING second: never DRAINING without the mark.
    expect(aws.count('PutAttributes')).toBe(1);
  });

  it('no scale-in while excess has not held for the window', async () => {
    const aws = cluster(4, 1);
    aws.history = [{ at: NOW - 60_000, value: 3 }];
    await handleTick(sample('tick/scheduled.json'), context());
    expect(aws.statusChanges).toEqual([]);
  });

  it('terminates an empty scale-in instance with decrement', async () => {
    const aws = cluster(3, 2);
    aws.instance({ id: id(9), group: 'demo-spot', status: 'DRAINING', attributes: { [SCALE_IN_ATTRIBUTE]: '2025-06-01T11:50:00Z' } });
    await handleTick(sample('tick/scheduled.json'), context({ ...BASE_ENV, SCALE_IN_ENABLED: 'false' }));
    expect(aws.terminated).toEqual([{ id: id(9), decrement: true }]);
  });

  it('reactivates a scale-in drain on shortage instead of launching', async () => {
    const aws = cluster(2, 8, { unplaced: 2 });
    aws.instance({ id: id(9), group: 'demo-spot', status: 'DRAINING', attributes: { [SCALE_IN_ATTRIBUTE]: '2025-06-01T11:50:00Z' } });
    await handleTick(sample('tick/scheduled.json'), context());
    expect(aws.statusChanges).toEqual([{ ids: [id(9)], status: 'ACTIVE' }]);
    // The scale-in mark goes, the reactivation mark (hysteresis, core/consolidation.ts) comes.
    expect(aws.attributeChanges).toEqual([
      { name: SCALE_IN_ATTRIBUTE, ids: [id(9)] },
      { name: REACTIVATED_ATTRIBUTE, ids: [id(9)], value: new Date(NOW).toISOString() },
    ]);
    expect(aws.desired).toEqual([]);
  });

  describe('the hold after a return to service ends once the instance runs no standalone task (core/consolidation.ts)', () => {
    const ago = (ms: number): string => new Date(NOW - ms).toISOString();
    /** 4 instances, the excess held (every task read): 1 and 4 returned 2 h ago and run no job, 2 returned 10 min ago, 3 returned 2 h ago and runs a job. */
    function returned(): FakeAws {
      const aws = cluster(4, 1);
      aws.history = Array.from({ length: 12 }, (_, k) => ({ at: NOW - (k + 1) * 60_000, value: 25 }));
      const mark = (n: number, at: string): void => {
        const c = aws.instances.get(instanceArn(id(n)));
        if (c !== undefined) c.attributes = [...(c.attributes ?? []), { name: REACTIVATED_ATTRIBUTE, value: at, targetType: 'container-instance' }];
      };
      mark(1, ago(7_200_000));
      mark(2, ago(600_000));
      mark(3, ago(7_200_000));
      mark(4, ago(7_200_000));
      aws.task(id(3));
      return aws;
    }
    it('deletes the mark of the instances past the wait that run no standalone task, in one DeleteAttributes call', async () => {
      const aws = returned();
      const result = await handleTick(sample('tick/scheduled.json'), context());
      expect(result.status === 'acted' && result.decision.clearReactivated.map((c) => c.instance)).toEqual([id(1), id(4)]);
      expect(aws.count('DeleteAttributes')).toBe(1);
      expect(aws.attributeChanges.filter((c) => c.value === undefined)).toEqual([{ name: REACTIVATED_ATTRIBUTE, ids: [id(1), id(4)] }]);
      const left = (n: number): boolean => aws.instances.get(instanceArn(id(n)))?.attributes?.some((a) => a.name === REACTIVATED_ATTRIBUTE) === true;
      expect([1, 2, 3, 4].map(left)).toEqual([false, true, true, false]);
    });

    it('dry run: nothing deleted', async () => {
      const aws = returned();
      await handleTick(sample('tick/scheduled.json'), context({ ...BASE_ENV, DRY_RUN: 'true' }));
      expect(aws.count('DeleteAttributes')).toBe(0);
    });

    it('a failed delete is logged and the tick goes on (the next tick retries)', async () => {
      const aws = returned().failNext('DeleteAttributes', throttling(), 10);
      const ctx = context();
      const result = await handleTick(sample('tick/scheduled.json'), ctx);
      expect(result.status).toBe('acted');
      expect(ctx.lines.some((l) => l.level === 'warn' && l.message.includes('reactivated mark'))).toBe(true);
      expect(aws.statusChanges.map((c) => c.status)).toEqual(['DRAINING']);
    });
  });

  it('an instance in Terminating:Wait is leaving: its capacity does not count', async () => {
    const aws = cluster(2, 0);
    const m = aws.groups[0]?.Instances?.[0];
    if (m !== undefined) m.LifecycleState = 'Terminating:Wait';
    const result = await handleTick(sample('tick/scheduled.json'), context());
    expect(result.status === 'acted' && result.decision.summary.activeInstances).toBe(1);
  });

  it('Fargate services need no EC2 capacity and are left out', async () => {
    const aws = cluster(1, 0);
    aws.service('lambda-like', { desired: 50, running: 0, launchType: 'FARGATE' });
    await handleTick(sample('tick/scheduled.json'), context());
    expect(aws.desired).toEqual([]);
  });

  it('task definitions are read once per container life, not once per tick', async () => {
    const aws = cluster(2, 2);
    const ctx = context();
    await handleTick(sample('tick/scheduled.json'), ctx);
    await handleTick(sample('tick/scheduled.json'), ctx);
    expect(aws.count('DescribeTaskDefinition')).toBe(1);
  });

  it('throttling then success: the failed tick throws, the next one acts', async () => {
    const aws = cluster(2, 8, { unplaced: 5 });
    aws.failNext('DescribeContainerInstances', throttling());
    const ctx = context();
    await expect(handleTick(sample('tick/scheduled.json'), ctx)).rejects.toThrow('Rate exceeded');
    expect(aws.desired).toEqual([]);
    await handleTick(sample('tick/scheduled.json'), ctx);
    expect(aws.desired).toEqual([{ group: 'demo-spot', desired: 3 }]);
  });

  it('a client error that retrying cannot fix is typed as permanent (the invocation fails visibly)', async () => {
    const aws = cluster(1, 1, { unplaced: 20, max: 1 });
    aws.failNext('ListServices', Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException', $metadata: { httpStatusCode: 400 } }));
    await expect(handleTick(sample('tick/scheduled.json'), context())).rejects.toMatchObject({ category: 'permanent' });
  });

  it.each([
    // I2 and I3 have room for the 4 web tasks of i-1 (recommended, replacement registered): the tick drains it.
    ['its replacement\'s room has registered: drained for scale-in now', 4, [SCALE_IN_ATTRIBUTE], 1, []],
    // The rest is full and nothing is on its way: i-1's tasks need a replacement, and i-1 stays ACTIVE.
    ['no room yet: a replacement is launched, the instance stays ACTIVE', 8, [], 0, [{ group: 'demo-spot', desired: 4 }]],
  ])('REBALANCE_POLICY=move, an instance awaiting its move: %s', async (_rule, othersTasks, marks, drained, desired) => {
    // The On-Demand group has no room (max 0): the replacement goes to i-1's own group.
    const aws = new FakeAws().group('demo-spot', { desired: 3, max: 20, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 0, max: 0, type: 'm5.large' });
    aws.service('web', { desired: 4 + 2 * othersTasks, running: 4 + 2 * othersTasks });
    aws.instance({ id: id(1), group: 'demo-spot', remainingCpu: 4096 - 512 * 4, remainingMemory: 15_000 - 1024 * 4, attributes: { 'headroom.rebalance': new Date(NOW - 300_000).toISOString() } });
    for (let t = 0; t < 4; t++) aws.task(id(1), { service: 'web' });
    for (const k of [2, 3]) {
      aws.instance({ id: id(k), group: 'demo-spot', remainingCpu: 4096 - 512 * othersTasks, remainingMemory: 15_000 - 1024 * othersTasks });
      for (let t = 0; t < othersTasks; t++) aws.task(id(k), { service: 'web' });
    }
    await handleTick(sample('tick/scheduled.json'), context({ ...BASE_ENV, REBALANCE_POLICY: 'move', SHORTAGE_THRESHOLD: '0', EXCESS_THRESHOLD: '100' }));
    expect(aws.attributeChanges.map((c) => c.name)).toEqual(marks);
    expect(aws.statusChanges.filter((c) => c.status === 'DRAINING').length).toBe(drained);
    expect(aws.desired).toEqual(desired);
  });

  it('dry run: reads, decides, logs the plan and publishes metrics; no mutating call', async () => {
    const aws = cluster(2, 8, { unplaced: 5 });
    const ctx = context({ ...BASE_ENV, DRY_RUN: 'true' });
    const result = await handleTick(sample('tick/scheduled.json'), ctx);
    expect(result.status).toBe('planned');
    expect(result.status === 'planned' && result.decision.scaleOut[0]?.desired).toBe(3);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(aws.emf).toHaveLength(1);
    expect(ctx.lines.some((l) => l.message === 'dry run: tick plan, nothing changed')).toBe(true);
  });
});

describe('tick API cost', () => {
  const SERVICES = 40;
  const TASKS_PER_INSTANCE = 3;

  it.each([1000, 5000])('a tick on %i instances costs a bounded number of calls, never one per instance', async (n) => {
    const aws = new FakeAws().group('demo-spot', { desired: n, max: n + 100, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 0, max: 10 });
    for (let s = 0; s < SERVICES; s++) aws.service(`svc${s}`, { desired: Math.ceil((n * TASKS_PER_INSTANCE) / SERVICES) });
    for (let k = 1; k <= n; k++) {
      aws.instance({ id: id(k), group: 'demo-spot', remainingCpu: 4096 - 512 * TASKS_PER_INSTANCE, remainingMemory: 15_000 - 1024 * TASKS_PER_INSTANCE });
      for (let t = 0; t < TASKS_PER_INSTANCE; t++) aws.task(id(k), { service: `svc${(k * TASKS_PER_INSTANCE + t) % SERVICES}` });
    }
    const tasks = n * TASKS_PER_INSTANCE;
    await handleTick(sample('tick/scheduled.json'), context());
    const ceil = (a: number, b: number): number => Math.ceil(a / b);
    const reads = 2 * ceil(n, 100) + 2 * ceil(tasks, 100) + ceil(SERVICES, 100) + ceil(SERVICES, 10);
    // + task definitions seen for the first time (one per service), groups (1 + 1 per group), history (metrics are EMF lines, no call),
    // and the instance types seen for the first time (one DescribeInstanceTypes, cached for the container's life).
    const bound = reads + SERVICES + 1 + 2 + 1 + 1;
    const total = aws.count();
    const counts = Object.fromEntries([...aws.calls.entries()].sort());
    process.stdout.write(`tick on ${n} instances / ${tasks} tasks / ${SERVICES} services: ${total} calls ${JSON.stringify(counts)}\n`);
    expect(total).toBeLessThanOrEqual(bound);
    expect(total).toBeLessThan(n / 5);
    expect(aws.count('DescribeContainerInstances')).toBe(ceil(n, 100));
    expect(aws.count('DescribeServices')).toBe(ceil(SERVICES, 10));
    expect(aws.emf).toHaveLength(1);
  }, 60_000);
});
