import { INTERRUPTED_ATTRIBUTE, SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import { handleInterruption } from '../../handlers/interruption';
import { BASE_ENV, FakeAws, awsError, context, instanceArn, throttling } from './fake-aws';
import { sample, sqs } from './events';

const I1 = 'i-0a1b2c3d4e5f60001';
const I2 = 'i-0a1b2c3d4e5f60002';
const I3 = 'i-0a1b2c3d4e5f60003';

/**
 * demo-spot: I1, I2, I3 InService, desired 3. Each runs 4 web tasks (512 CPU / 1024 MiB) and has
 * 2048 CPU left (I2 and I3: `othersRemainingCpu`), so the reference task (512/1024) fits 4 times per
 * instance.
 */
function world(othersRemainingCpu = 2048): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 3, max: 10, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 0, max: 5, type: 'm5.xlarge' });
  aws.service('web', { desired: 12 });
  for (const id of [I1, I2, I3]) {
    aws.instance({ id, group: 'demo-spot', remainingCpu: id === I1 ? 2048 : othersRemainingCpu, remainingMemory: 10_904 });
    for (let k = 0; k < 4; k++) aws.task(id, { service: 'web' });
  }
  return aws;
}

describe('interruption handler', () => {
  it('Spot warning: DRAINING within the invocation, terminate without decrement, replacement counted once', async () => {
    const aws = world();
    const result = await handleInterruption(sample('interruption/spot-warning.json'), context());
    expect(aws.statusChanges).toEqual([{ ids: [I1], status: 'DRAINING' }]);
    expect(aws.terminated).toEqual([{ id: I1, decrement: false }]);
    // The ASG's own replacement (desired − live members) covers the 4 displaced tasks: no extra instance.
    expect(result.decision?.scaleOut).toEqual([]);
    expect(aws.desired).toEqual([]);
    expect(aws.metric('InterruptionWarnings')).toEqual([1]);
    // DRAINING is the first mutating call of the invocation.
    expect(aws.count('UpdateContainerInstancesState')).toBe(1);
  });

  it('hibernate and stop take the instance away like terminate', async () => {
    const aws = world();
    await handleInterruption(sample('interruption/spot-warning.hibernate.json'), context());
    expect(aws.terminated).toEqual([{ id: I1, decrement: false }]);
  });

  it('a storm in one SQS batch makes one read of the cluster and one decision', async () => {
    const aws = world();
    const result = await handleInterruption(sample('interruption/storm.sqs.json'), context());
    expect(result.warnings).toEqual([I1, I2]);
    expect(aws.statusChanges).toEqual([{ ids: [I1, I2], status: 'DRAINING' }]);
    expect(aws.count('ListServices')).toBe(1);
    expect(aws.count('DescribeAutoScalingGroups')).toBe(1);
    expect(aws.terminated.map((t) => t.id)).toEqual([I1, I2]);
    expect(aws.metric('InterruptionWarnings')).toEqual([2]);
  });

  it('scales out beyond the replacements when the remaining capacity cannot take the displaced tasks', async () => {
    const aws = world();
    const ctx = context({ ...BASE_ENV, SHORTAGE_THRESHOLD: '20', EXCESS_THRESHOLD: '30' });
    const result = await handleInterruption(sample('interruption/storm.sqs.json'), ctx);
    expect(result.decision?.scaleOut.length).toBeGreaterThan(0);
    expect(aws.desired.length).toBe(1);
    expect(aws.desired[0]).toEqual({ group: 'demo-spot', desired: 4 });
  });

  it('duplicate delivery: the second warning terminates nothing and adds no capacity', async () => {
    const aws = world();
    const ctx = context();
    await handleInterruption(sample('interruption/spot-warning.json'), ctx);
    const second = await handleInterruption(sample('interruption/spot-warning.json'), ctx);
    expect(aws.terminated).toHaveLength(1);
    expect(second.terminated).toEqual([]);
    expect(aws.desired).toEqual([]);
  });

  it('instance of another cluster (not registered here): dropped with a log line, nothing changed', async () => {
    const aws = new FakeAws().group('demo-spot').group('demo-ondemand');
    const ctx = context();
    const result = await handleInterruption(sample('interruption/spot-warning.json'), ctx);
    expect(result.foreign).toEqual([I1]);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(ctx.lines.some((l) => /not in this cluster/.test(l.message))).toBe(true);
  });

  it.each([
    ['ignore', [], [1]],
    ['count', [], [1]],
    ['drain', [{ id: I1, decrement: false }], [1]],
    ['replace', [], [1]],
    ['move', [], [1]],
  ])('rebalance recommendation with REBALANCE_POLICY=%s', async (policy, terminated, counted) => {
    const aws = world();
    await handleInterruption(sample('interruption/rebalance.json'), context({ ...BASE_ENV, REBALANCE_POLICY: policy }));
    expect(aws.terminated).toEqual(terminated);
    expect(aws.metric('RebalanceRecommendations')).toEqual(counted);
    expect(aws.statusChanges.length).toBe(policy === 'drain' || policy === 'move' ? 1 : 0);
  });

  describe('REBALANCE_POLICY=move', () => {
    const env = { ...BASE_ENV, REBALANCE_POLICY: 'move', SPOT_RESERVE_INSTANCES: '0', SHORTAGE_THRESHOLD: '6', EXCESS_THRESHOLD: '30' };

    it('launches the replacement, drains the instance for scale-in (its service tasks move now) and neither terminates it nor stops its standalone task', async () => {
      const aws = world();
      aws.task(I1, { family: 'nightly-report' });
      const result = await handleInterruption(sample('interruption/rebalance.json'), context(env));
      expect(result.replaced).toEqual([I1]);
      expect(aws.desired).toEqual([{ group: 'demo-spot', desired: 4 }]);
      expect(aws.statusChanges).toEqual([{ ids: [expect.stringContaining(I1.slice(2))], status: 'DRAINING' }]);
      expect(aws.attributeChanges.map((c) => c.name)).toEqual(['headroom.rebalance', SCALE_IN_ATTRIBUTE]);
      expect(aws.terminated).toEqual([]);
      expect(aws.stopped).toEqual([]);
    });

    it.each([
      // I2 and I3 hold 4 free reference tasks each: I1's 4 web tasks fit, the move starts at once.
      ['fit on the other active instances: drained at once', 2048, [I1]],
      // I2 and I3 are full: the replacement launches and I1 stays ACTIVE until its room has registered
      // (a tick drains it then), so no web task stops before it has a place (launch before drain).
      ['do not fit yet: not drained until the replacement registers', 0, []],
    ])('its service tasks %s', async (_rule, remainingCpu, drained) => {
      const aws = world(remainingCpu);
      const result = await handleInterruption(sample('interruption/rebalance.json'), context({ ...env, SHORTAGE_THRESHOLD: '0', EXCESS_THRESHOLD: '30' }));
      expect(result.replaced).toEqual([I1]);
      expect(aws.statusChanges.flatMap((c) => c.ids)).toEqual(drained.map((id) => expect.stringContaining(id.slice(2))));
      expect(aws.attributeChanges[0]?.name).toBe('headroom.rebalance');
      expect(aws.desired).toEqual(remainingCpu === 0 ? [{ group: 'demo-spot', desired: 4 }] : []);
    });

    it('the warning that follows stops the standalone task and terminates the instance with a decrement', async () => {
      const aws = world();
      aws.task(I1, { family: 'nightly-report' });
      const ctx = context(env);
      await handleInterruption(sample('interruption/rebalance.json'), ctx);
      await handleInterruption(sample('interruption/spot-warning.json'), ctx);
      expect(aws.stopped).toHaveLength(1);
      expect(aws.terminated).toEqual([{ id: I1, decrement: true }]);
      expect(aws.desired).toHaveLength(1);
    });
  });

  describe('REBALANCE_POLICY=replace', () => {
    const env = { ...BASE_ENV, REBALANCE_POLICY: 'replace', SPOT_RESERVE_INSTANCES: '0' };

    it('launches the replacement at once, without draining, and marks the instance', async () => {
      const aws = world();
      const result = await handleInterruption(sample('interruption/rebalance.json'), context(env));
      expect(result.replaced).toEqual([I1]);
      expect(aws.statusChanges).toEqual([]);
      expect(aws.terminated).toEqual([]);
      // I1's 4 tasks need a place: I2 and I3 have 4 free copies each, minus the 2 reference tasks → 1 replacement
      // is not required by packing alone; the decision runs as if I1 were gone
      expect(result.decision?.summary.activeInstances).toBe(2);
      expect(aws.attributeChanges).toEqual([{ name: 'headroom.rebalance', value: expect.any(String), ids: [expect.stringContaining(I1.slice(2))] }]);
    });

    it('launches a replacement when the rest cannot hold the tasks of the recommended instance', async () => {
      const aws = world();
      const result = await handleInterruption(sample('interruption/rebalance.json'), context({ ...env, SHORTAGE_THRESHOLD: '6', EXCESS_THRESHOLD: '30' }));
      expect(result.decision?.scaleOut.map((a) => a.group)).toEqual(['demo-spot']);
      expect(aws.desired).toEqual([{ group: 'demo-spot', desired: 4 }]);
      expect(aws.statusChanges).toEqual([]);
    });

    it('a repeated recommendation for a replaced instance launches nothing more', async () => {
      const aws = world();
      const ctx = context({ ...env, SHORTAGE_THRESHOLD: '6', EXCESS_THRESHOLD: '30' });
      await handleInterruption(sample('interruption/rebalance.json'), ctx);
      const calls = aws.count('DescribeAutoScalingGroups');
      const second = await handleInterruption(sample('interruption/rebalance.json'), ctx);
      expect(second.replaced).toEqual([]);
      expect(aws.desired).toHaveLength(1);
      expect(aws.count('DescribeAutoScalingGroups')).toBe(calls);
    });

    it('the warning for a replaced instance drains it and terminates it with a decrement (its replacement is already there)', async () => {
      const aws = world();
      const ctx = context({ ...env, SHORTAGE_THRESHOLD: '6', EXCESS_THRESHOLD: '30' });
      await handleInterruption(sample('interruption/rebalance.json'), ctx);
      await handleInterruption(sample('interruption/spot-warning.json'), ctx);
      expect(aws.statusChanges).toEqual([{ ids: [expect.stringContaining(I1.slice(2))], status: 'DRAINING' }]);
      expect(aws.terminated).toEqual([{ id: I1, decrement: true }]);
      expect(aws.desired).toHaveLength(1);
    });
  });

  it('a late warning for an instance already gone costs one lookup and changes nothing', async () => {
    const aws = new FakeAws().group('demo-spot', { desired: 0, max: 5, type: 'm5.xlarge' }).group('demo-ondemand');
    await handleInterruption(sample('interruption/spot-warning.json'), context());
    expect(aws.mutatingCalls()).toEqual([]);
    expect(aws.count('DescribeAutoScalingGroups')).toBe(0);
  });

  it('instance in no configured group: DRAINING and a drain check with the two-minute deadline', async () => {
    const aws = new FakeAws().group('demo-spot', { desired: 0, max: 5, type: 'm5.xlarge' }).group('demo-ondemand');
    aws.service('web', { desired: 1 });
    aws.instance({ id: I1 });
    aws.task(I1, { service: 'web' });
    await handleInterruption(sample('interruption/spot-warning.json'), context());
    expect(aws.statusChanges).toEqual([{ ids: [I1], status: 'DRAINING' }]);
    expect(aws.terminated).toEqual([]);
    expect(aws.sent[0]?.body).toMatchObject({ instanceId: I1, cause: 'interruption', deadline: Date.parse('2025-06-01T12:02:00Z') });
  });

  it('instance already terminating in its group: drained, not terminated again', async () => {
    const aws = world();
    const member = aws.groups[0]?.Instances?.find((i) => i.InstanceId === I1);
    if (member !== undefined) member.LifecycleState = 'Terminating:Wait';
    await handleInterruption(sample('interruption/spot-warning.json'), context());
    expect(aws.count('TerminateInstanceInAutoScalingGroup')).toBe(0);
  });

  it.each([
    ['malformed warning', 'interruption/spot-warning.malformed.json'],
    ['unknown event', 'tick/task-state-change.json'],
  ])('%s: dropped with a log line and no AWS call', async (_name, file) => {
    const aws = world();
    const ctx = context();
    const result = await handleInterruption(sample(file), ctx);
    expect(result.drained).toEqual([]);
    expect(aws.count()).toBe(0);
    expect(ctx.lines.filter((l) => l.message === 'event dropped')).toHaveLength(1);
  });

  it('throttling then success: the invocation throws (EventBridge retries), the retry acts', async () => {
    const aws = world();
    aws.failNext('DescribeAutoScalingGroups', throttling());
    const ctx = context();
    await expect(handleInterruption(sample('interruption/spot-warning.json'), ctx)).rejects.toThrow('Rate exceeded');
    await handleInterruption(sample('interruption/spot-warning.json'), ctx);
    expect(aws.terminated).toEqual([{ id: I1, decrement: false }]);
  });

  it('throttling from an SQS batch reports every record for redelivery', async () => {
    const aws = world();
    aws.failNext('ListContainerInstances', throttling());
    const result = await handleInterruption(sqs(sample('interruption/spot-warning.json')), context());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'msg-1' }]);
  });

  it('dry run: decides and publishes metrics, changes nothing', async () => {
    const aws = world();
    const ctx = context({ ...BASE_ENV, DRY_RUN: 'true' });
    const result = await handleInterruption(sample('interruption/spot-warning.json'), ctx);
    expect(result.decision).toBeDefined();
    expect(aws.mutatingCalls()).toEqual([]);
    expect(aws.emf.length).toBeGreaterThan(0);
    expect(ctx.lines.some((l) => /dry run/.test(l.message))).toBe(true);
  });
});

describe('interruption batches fail per record', () => {
  // The storm sample carries I1 twice (messages 1 and 3, a duplicate delivery) and I2 once (message 2).
  const MSG1 = 'a1b2c3d4-0000-4000-8000-000000000001';
  const MSG3 = 'a1b2c3d4-0000-4000-8000-000000000003';

  it('a transient error on one instance fails only its record; the other instance is drained and terminated', async () => {
    const aws = world();
    aws.failNext('TerminateInstanceInAutoScalingGroup', throttling());
    const result = await handleInterruption(sample('interruption/storm.sqs.json'), context());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: MSG1 }, { itemIdentifier: MSG3 }]);
    expect(aws.terminated.map((t) => t.id)).toEqual([I2]);
    expect(aws.statusChanges).toEqual([{ ids: [I1, I2], status: 'DRAINING' }]);
  });

  it('a permanent error (AccessDenied terminating one instance) fails that record alone, with an error line and PermanentFailures; the others go on', async () => {
    const aws = world();
    aws.failNext('TerminateInstanceInAutoScalingGroup', awsError('AccessDeniedException', 'not authorized', 400));
    const ctx = context();
    const result = await handleInterruption(sample('interruption/storm.sqs.json'), ctx);
    // Never deleted as done: redelivered until the dead-letter queue (alarmed) holds it.
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: MSG1 }, { itemIdentifier: MSG3 }]);
    expect(aws.terminated.map((t) => t.id)).toEqual([I2]);
    const errors = ctx.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.data).toMatchObject({ messageIds: [MSG1, MSG3], category: 'permanent' });
    expect(aws.metric('PermanentFailures')).toEqual([2]);
  });
});

describe('the interrupted mark: a tick between DRAINING and the termination counts the replacement', () => {
  it('an instance terminated without decrement is marked interrupted beside DRAINING', async () => {
    const aws = world();
    await handleInterruption(sample('interruption/spot-warning.json'), context());
    expect(aws.attributeChanges).toEqual([{ name: INTERRUPTED_ATTRIBUTE, value: expect.any(String), ids: [I1] }]);
    expect(aws.terminated).toEqual([{ id: I1, decrement: false }]);
  });

  it('a failed mark is logged and neither retried nor in the way of draining and terminating', async () => {
    const aws = world();
    aws.failNext('PutAttributes', throttling());
    const ctx = context();
    const result = await handleInterruption(sample('interruption/storm.sqs.json'), ctx);
    expect(result.batchItemFailures).toEqual([]);
    expect(aws.statusChanges).toEqual([{ ids: [I1, I2], status: 'DRAINING' }]);
    expect(aws.terminated.map((t) => t.id)).toEqual([I1, I2]);
    expect(ctx.lines.filter((l) => l.level === 'warn' && l.message.startsWith('marking interrupted instances failed'))).toHaveLength(1);
  });
});

describe('interruption of an instance already leaving, and its standalone tasks', () => {
  it('an instance drained for scale-in is terminated with decrement: its surplus capacity is not relaunched', async () => {
    const aws = world();
    const ci = aws.instances.get(instanceArn(I1));
    if (ci !== undefined) {
      ci.status = 'DRAINING';
      ci.attributes = [...(ci.attributes ?? []), { name: SCALE_IN_ATTRIBUTE, value: '2025-06-01T11:55:00.000Z' }];
    }
    await handleInterruption(sample('interruption/spot-warning.json'), context());
    expect(aws.terminated).toEqual([{ id: I1, decrement: true }]);
    expect(aws.groups[0]?.DesiredCapacity).toBe(2);
    // Not marked interrupted: nothing replaces it, so a tick must not count its seat as incoming.
    expect(aws.attributeChanges.filter((c) => c.name === INTERRUPTED_ATTRIBUTE)).toEqual([]);
  });

  it.each([
    ['stop', 1],
    ['wait', 0],
  ])('STANDALONE_TASK_POLICY=%s: standalone tasks get a graceful stop within the notice (%i stopped now)', async (policy, stopped) => {
    const aws = world();
    const batch = aws.task(I1, { family: 'nightly-report' });
    await handleInterruption(sample('interruption/spot-warning.json'), context({ ...BASE_ENV, STANDALONE_TASK_POLICY: policy }));
    expect(aws.stopped).toEqual(stopped === 1 ? [batch] : []);
  });
});

describe('events from another account are dropped', () => {
  it('a Spot warning whose account is not the stack account changes nothing', async () => {
    const aws = world();
    const event = sample('interruption/spot-warning.json');
    event.account = '999999999999';
    const ctx = context();
    const result = await handleInterruption(event, ctx);
    expect(result.drained).toEqual([]);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(ctx.lines.some((l) => l.message === 'event dropped' && /account 999999999999/.test(String(l.data?.reason)))).toBe(true);
  });
});
