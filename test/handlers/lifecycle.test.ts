import { ConfigError } from '../../core/errors';
import { handleLifecycle } from '../../handlers/lifecycle';
import { lambdaEntry } from '../../handlers/runtime';
import { awsPorts } from '../../handlers/aws/ports';
import { BASE_ENV, FakeAws, NOW, context, memoryLogger, throttling } from './fake-aws';
import { sample, sqs } from './events';

const I1 = 'i-0a1b2c3d4e5f60001';
const I2 = 'i-0a1b2c3d4e5f60002';

/** demo-spot holds I1 in Terminating:Wait with a pending hook; demo-ondemand holds I2 likewise. */
function world(opts: { registered?: boolean; hookPending?: boolean } = {}): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 2, max: 10 }).group('demo-ondemand', { desired: 1, max: 10 });
  aws.instance({ id: I1, group: 'demo-spot', lifecycleState: 'Terminating:Wait', ...(opts.registered === false ? { status: 'NONE' } : {}) });
  aws.instance({ id: I2, group: 'demo-ondemand', lifecycleState: 'Terminating:Wait' });
  aws.service('web', { desired: 4 }).service('agent', { daemon: true, desired: 2 });
  if (opts.hookPending !== false) {
    aws.hookPending(I1, 'headroom-demo');
    aws.hookPending(I2, 'headroom-demo');
  }
  return aws;
}

describe('lifecycle handler', () => {
  it('sets the instance DRAINING and enqueues a delayed drain check while service tasks remain', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    aws.task(I1, { service: 'agent' });
    const ctx = context();
    const result = await handleLifecycle(sample('lifecycle/terminate.json'), ctx);
    expect(result.outcomes.map((o) => o.phase)).toEqual(['start']);
    expect(aws.statusChanges).toEqual([{ ids: [I1], status: 'DRAINING' }]);
    expect(aws.sent).toHaveLength(1);
    expect(aws.sent[0]?.delay).toBe(30);
    expect(aws.sent[0]?.body).toMatchObject({ kind: 'drain-check', instanceId: I1, cause: 'lifecycle', hook: { group: 'demo-spot', hookName: 'headroom-demo', instanceId: I1, token: '5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d' }, heartbeatSeconds: 600 });
    const started = Date.parse('2025-06-01T12:00:00Z');
    expect(aws.sent[0]?.body.deadline).toBe(started + 900_000);
    expect(aws.completed).toEqual([]);
  });

  it('completes the hook at once when only daemon tasks are left, and reports the drain time', async () => {
    const aws = world();
    aws.task(I1, { service: 'agent' });
    aws.task(I1, { service: 'web', lastStatus: 'STOPPED' });
    const ctx = context();
    await handleLifecycle(sample('lifecycle/terminate.json'), ctx);
    expect(aws.completed).toEqual([I1]);
    expect(aws.sent).toEqual([]);
    expect(aws.metric('DrainSeconds')).toEqual([5]);
    expect(aws.metric('TasksStoppedByTermination')).toEqual([0]);
  });

  it('counts a task as gone only when STOPPED: a STOPPING task keeps the hook open', async () => {
    const aws = world();
    aws.task(I1, { service: 'web', lastStatus: 'RUNNING', desiredStatus: 'STOPPED' });
    await handleLifecycle(sample('lifecycle/terminate.json'), context());
    expect(aws.completed).toEqual([]);
    expect(aws.sent).toHaveLength(1);
  });

  it('instance already terminated (no container instance): completes the hook, nothing to drain', async () => {
    const aws = world({ registered: false });
    await handleLifecycle(sample('lifecycle/terminate.json'), context());
    expect(aws.completed).toEqual([I1]);
    expect(aws.statusChanges).toEqual([]);
    expect(aws.sent).toEqual([]);
  });

  it('hook already completed: "No active Lifecycle Action found" counts as done', async () => {
    const aws = world({ hookPending: false });
    const result = await handleLifecycle(sample('lifecycle/terminate.json'), context());
    expect(result.outcomes[0]?.did).toContain('complete:gone');
    expect(aws.count('CompleteLifecycleAction')).toBe(1);
  });

  it('duplicate delivery: the second event changes no state again and keeps one DRAINING call', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    const ctx = context();
    await handleLifecycle(sample('lifecycle/terminate.json'), ctx);
    await handleLifecycle(sample('lifecycle/terminate.json'), ctx);
    expect(aws.statusChanges).toHaveLength(1);
    expect(aws.sent.map((s) => s.body.instanceId)).toEqual([I1, I1]);
  });

  it('warm-pool destination drains like a termination (cause warm-pool)', async () => {
    const aws = world();
    aws.task(I2, { service: 'web' });
    await handleLifecycle(sample('lifecycle/terminate.warm-pool.json'), context());
    expect(aws.statusChanges).toEqual([{ ids: [I2], status: 'DRAINING' }]);
    expect(aws.sent[0]?.body).toMatchObject({ cause: 'warm-pool', hook: { group: 'demo-ondemand' } });
  });

  it.each([
    ['flat Auto Scaling notification body from SQS', 'lifecycle/terminate.sqs.json'],
    ['SNS-wrapped notification body from SQS', 'lifecycle/terminate.sns.sqs.json'],
  ])('accepts the %s', async (_name, file) => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    const result = await handleLifecycle(sample(file), context());
    expect(result.batchItemFailures).toEqual([]);
    expect(aws.statusChanges).toEqual([{ ids: [I1], status: 'DRAINING' }]);
    expect(aws.sent[0]?.body).toMatchObject({ instanceId: I1, hook: { token: '5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d' } });
  });

  it.each([
    ['a group that is not configured', 'lifecycle/terminate.other-group.json', /not a configured group/],
    ['a launch transition', 'lifecycle/launch.json', /launch lifecycle action/],
    ['autoscaling:TEST_NOTIFICATION', 'lifecycle/test-notification.sqs.json', /TEST_NOTIFICATION/],
    ['malformed bodies', 'lifecycle/malformed.sqs.json', /not JSON|EC2InstanceId/],
    ['an event of another kind', 'interruption/spot-warning.json', /not a lifecycle event/],
  ])('drops %s with a log line and no AWS call', async (_name, file, reason) => {
    const aws = world();
    const ctx = context();
    const result = await handleLifecycle(sample(file), ctx);
    expect(result.outcomes).toEqual([]);
    expect(result.dropped.some((d) => reason.test(d))).toBe(true);
    expect(aws.count()).toBe(0);
    expect(ctx.lines.filter((l) => l.message === 'event dropped').length).toBe(result.dropped.length);
  });

  it('throttling then success (SQS): the record fails, its redelivery succeeds', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    aws.failNext('DescribeContainerInstances', throttling());
    const ctx = context();
    const first = await handleLifecycle(sample('lifecycle/terminate.sqs.json'), ctx);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'b1b2c3d4-0000-4000-8000-000000000001' }]);
    expect(aws.statusChanges).toEqual([]);
    const second = await handleLifecycle(sample('lifecycle/terminate.sqs.json'), ctx);
    expect(second.batchItemFailures).toEqual([]);
    expect(aws.statusChanges).toEqual([{ ids: [I1], status: 'DRAINING' }]);
  });

  it('throttling then success (EventBridge): the invocation throws so EventBridge retries it', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    aws.failNext('UpdateContainerInstancesState', throttling());
    const ctx = context();
    await expect(handleLifecycle(sample('lifecycle/terminate.json'), ctx)).rejects.toThrow('Rate exceeded');
    await handleLifecycle(sample('lifecycle/terminate.json'), ctx);
    expect(aws.statusChanges).toEqual([{ ids: [I1], status: 'DRAINING' }]);
    expect(aws.sent).toHaveLength(1);
  });

  it('dry run: reads and plans, makes no mutating call', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    const ctx = context({ ...BASE_ENV, DRY_RUN: 'true' });
    const result = await handleLifecycle(sample('lifecycle/terminate.json'), ctx);
    expect(result.outcomes[0]?.did).toEqual(['would set-draining', 'would recheck']);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(aws.count('DescribeContainerInstances')).toBe(1);
  });

  it('invalid configuration: the Lambda entry throws one ConfigError listing every problem and calls nothing', async () => {
    const aws = world();
    const lines: Parameters<typeof memoryLogger>[0] = [];
    const entry = lambdaEntry(handleLifecycle, { CLUSTER_NAME: 'bad name!', SHORTAGE_THRESHOLD: 'many' }, { name: 'lifecycle', requireDrainQueue: true, log: memoryLogger(lines), ports: awsPorts });
    const error = await entry(sample('lifecycle/terminate.json')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['CLUSTER_NAME', 'ASG_NAMES', 'SHORTAGE_THRESHOLD', 'DRAIN_QUEUE_URL']) expect(problems).toContain(name);
    await expect(entry(sample('lifecycle/terminate.json'))).rejects.toBeInstanceOf(ConfigError);
    expect(aws.count()).toBe(0);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('a late lifecycle event (after its drain timeout) still sets DRAINING first and gives the tasks a whole timeout', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    const now = NOW + 901_000;
    const ctx = context(BASE_ENV, now);
    const result = await handleLifecycle(sample('lifecycle/terminate.json'), ctx);
    expect(result.outcomes[0]?.phase).toBe('start');
    expect(aws.statusChanges).toEqual([{ ids: [I1], status: 'DRAINING' }]);
    expect(aws.completed).toEqual([]);
    expect(aws.sent[0]?.body.deadline).toBe(now + 900_000);
    expect(aws.metric('TasksStoppedByTermination')).toEqual([]);
  });

  it('keeps the event time: a redelivery after the drain timeout of an instance already DRAINING completes at once', async () => {
    const aws = world();
    const ci = [...aws.instances.values()].find((c) => c.ec2InstanceId === I1);
    if (ci !== undefined) ci.status = 'DRAINING';
    aws.task(I1, { service: 'web' });
    const result = await handleLifecycle(sample('lifecycle/terminate.json'), context(BASE_ENV, NOW + 901_000));
    expect(result.outcomes[0]?.phase).toBe('timeout');
    expect(aws.completed).toEqual([I1]);
    expect(aws.metric('TasksStoppedByTermination')).toEqual([1]);
  });
});

describe('the lifecycle handler obeys only its own hook, as sent', () => {
  const body = (): Record<string, unknown> => JSON.parse(sample<{ Records: Array<{ body: string }> }>('lifecycle/terminate.sqs.json').Records[0]?.body ?? '{}') as Record<string, unknown>;

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['another hook on a configured group', { LifecycleHookName: 'someone-elses-hook' }, /hook someone-elses-hook, not the configured hook headroom-demo/],
    ['a padded hook name (not trimmed into ours)', { LifecycleHookName: 'headroom-demo ' }, /not the configured hook/],
    ['a padded group name (not trimmed into ours)', { AutoScalingGroupName: ' demo-spot' }, /not a configured group/],
    ['another account', { AccountId: '999999999999' }, /account 999999999999/],
  ])('drops %s with one log line naming the message, and calls nothing', async (_name, change, reason) => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    const ctx = context();
    const result = await handleLifecycle(sqs({ ...body(), ...change }), ctx);
    expect(result.outcomes).toEqual([]);
    expect(result.dropped).toEqual([expect.stringMatching(reason)]);
    expect(aws.count()).toBe(0);
    const lines = ctx.lines.filter((l) => l.message === 'event dropped');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.data?.messageId).toBe('msg-1');
  });
});
