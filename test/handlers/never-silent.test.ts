/**
 * Never stuck, never silent: one chain of drain checks per instance across invocations, drains
 * revived after an outage, races between a read and its act, and every task lost or stopped
 * accounted for.
 */
import { DRAIN_CHAIN_ATTRIBUTE, DRAIN_STEP_ATTRIBUTE, chainId, doneToken, stepToken } from '../../core/drain-chain';
import { chainSilentSeconds } from '../../core/redelivery';
import { SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import { handleDrain } from '../../handlers/drain';
import { handleInterruption } from '../../handlers/interruption';
import { handleLifecycle } from '../../handlers/lifecycle';
import { handleTick } from '../../handlers/tick';
import type { DrainCheck } from '../../handlers/app/ports';
import { FakeAws, NOW, awsError, context, instanceArn } from './fake-aws';
import { sample, sqs } from './events';

const I1 = 'i-0a1b2c3d4e5f60001';
const I2 = 'i-0a1b2c3d4e5f60002';
const START = Date.parse('2025-06-01T12:00:00Z');
const check = (): DrainCheck => JSON.parse(sample<{ Records: Array<{ body: string }> }>('drain/check.sqs.json').Records[0]?.body ?? '') as DrainCheck;
const attribute = (aws: FakeAws, id: string, name: string): string | undefined => aws.instances.get(instanceArn(id))?.attributes?.find((a) => a.name === name)?.value;

/** I1 in Terminating:Wait on Headroom's hook, DRAINING, one web task left; its marks as given. */
function draining(marks: Record<string, string> = {}): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 2, max: 10 }).group('demo-ondemand');
  aws.instance({ id: I1, group: 'demo-spot', lifecycleState: 'Terminating:Wait', status: 'DRAINING', attributes: marks });
  aws.service('web', { desired: 2 });
  aws.hookPending(I1, 'headroom-demo');
  aws.task(I1, { service: 'web' });
  return aws;
}

describe('one chain of drain checks per instance, across invocations', () => {
  it('a duplicate delivery of one check to a second invocation is dropped once the first has stepped', async () => {
    const aws = draining({ [DRAIN_STEP_ATTRIBUTE]: 's0' });
    const copy = { ...check(), step: 's0' };
    const first = await handleDrain(sqs(copy), context(undefined, START + 60_000));
    expect(first.outcomes).toHaveLength(1);
    const second = await handleDrain(sqs(structuredClone(copy)), context(undefined, START + 61_000));
    expect(second.outcomes).toEqual([]);
    expect(second.dropped).toEqual(['msg-1']);
    // One re-check in all, carrying the token the instance now holds: one chain.
    expect(aws.sent).toHaveLength(1);
    expect(aws.sent[0]?.body.step).toBe(attribute(aws, I1, DRAIN_STEP_ATTRIBUTE));
  });

  it('when both copies stepped before either wrote its token, the copy whose token lost is dropped at its next step', async () => {
    const aws = draining({ [DRAIN_STEP_ATTRIBUTE]: 'winner' });
    const result = await handleDrain(sqs({ ...check(), step: 'loser' }), context(undefined, START + 90_000));
    expect(result.outcomes).toEqual([]);
    expect(aws.sent).toEqual([]);
  });

  it('a check whose step token could not be written fails its record, so the redelivered copy (old token) carries the chain on', async () => {
    const aws = draining({ [DRAIN_STEP_ATTRIBUTE]: 's0' });
    aws.failNext('PutAttributes', awsError('ThrottlingException', 'Rate exceeded'), 20);
    const result = await handleDrain(sqs({ ...check(), step: 's0' }), context(undefined, START + 60_000));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'msg-1' }]);
    expect(attribute(aws, I1, DRAIN_STEP_ATTRIBUTE)).toBe('s0');
  });

  it('duplicates of one lifecycle notification in one batch are merged before acting: one DRAINING call, one first check', async () => {
    const aws = draining();
    const ci = aws.instances.get(instanceArn(I1));
    if (ci !== undefined) ci.status = 'ACTIVE';
    const body = JSON.parse(sample<{ Records: Array<{ body: string }> }>('lifecycle/terminate.sqs.json').Records[0]?.body ?? '') as unknown;
    const batch = sqs(...Array.from({ length: 10 }, () => structuredClone(body)));
    const result = await handleLifecycle(batch, context());
    expect(result.batchItemFailures).toEqual([]);
    expect(aws.count('UpdateContainerInstancesState')).toBe(1);
    expect(aws.sent).toHaveLength(1);
    expect(result.dropped.filter((d) => d.startsWith('duplicate'))).toHaveLength(9);
  });

  it('a half-done interruption that is retried sends no second drain check', async () => {
    const aws = new FakeAws().group('demo-spot', { desired: 0, max: 5, type: 'm5.xlarge' }).group('demo-ondemand');
    aws.service('web', { desired: 1 });
    aws.instance({ id: I1 });
    aws.task(I1, { service: 'web' });
    // The first attempt sends the check, then fails scaling out for the task I1 leaves behind.
    aws.failNext('SetDesiredCapacity', awsError('ThrottlingException', 'Rate exceeded'), 1);
    const batch = sqs(sample('interruption/spot-warning.json'));
    const first = await handleInterruption(batch, context());
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'msg-1' }]);
    expect(aws.sent.filter((s) => s.body.instanceId === I1)).toHaveLength(1);
    await handleInterruption(structuredClone(batch), context());
    expect(aws.sent.filter((s) => s.body.instanceId === I1)).toHaveLength(1);
    expect(aws.desired).toEqual([{ group: 'demo-spot', desired: 1 }]);
  });
  it('an interruption whose chain mark ECS refuses (10 custom attributes already) still sends its check, and says a retried batch may send a second', async () => {
    const aws = new FakeAws().group('demo-spot', { desired: 0, max: 5, type: 'm5.xlarge' }).group('demo-ondemand');
    aws.service('web', { desired: 1 });
    aws.instance({ id: I1, attributes: Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`team.tag-${k}`, 'x'])) });
    aws.task(I1, { service: 'web' });
    const ctx = context();
    await handleInterruption(sqs(sample('interruption/spot-warning.json')), ctx);
    expect(aws.sent.filter((s) => s.body.instanceId === I1)).toHaveLength(1);
    expect(ctx.lines.filter((l) => l.level === 'warn' && l.message.startsWith('marking the drain chain failed')).map((l) => l.data?.instanceId)).toEqual([I1]);
  });
});

describe('drains that outlive an outage', () => {
  const silent = chainSilentSeconds(30);
  it.each<[string, boolean, Record<string, string>]>([
    ['its chain silent for longer than a live chain can be', true, { [DRAIN_CHAIN_ATTRIBUTE]: chainId(NOW - 3_600_000, 'ab'), [DRAIN_STEP_ATTRIBUTE]: stepToken(NOW - (silent + 60) * 1000, 'cd') }],
    ['no chain at all (the lifecycle event never reached Headroom)', true, {}],
    ['its chain stepped a moment ago', false, { [DRAIN_STEP_ATTRIBUTE]: stepToken(NOW - 30_000, 'cd') }],
    ['its drain already ended', false, { [DRAIN_STEP_ATTRIBUTE]: doneToken(NOW - 600_000) }],
  ])('a drain in Terminating:Wait with %s: the tick revives it: %s', async (_name, revived, marks) => {
    const aws = draining(marks);
    const ctx = context();
    await handleTick(sample('tick/scheduled.json'), ctx);
    const sent = aws.sent.filter((s) => s.body.instanceId === I1);
    expect(sent.length).toBe(revived ? 1 : 0);
    expect(aws.metric('DrainsRevived')).toEqual(revived ? [1] : []);
    if (!revived) return;
    // It heartbeats at once (its expiry is unknown), keeps an original deadline it can read, and
    // the instance follows the new chain, so any surviving check of the old one is stale.
    expect(sent[0]?.body).toMatchObject({ hook: { group: 'demo-spot', hookName: 'headroom-demo', instanceId: I1 }, hookExpiresAt: NOW });
    expect(sent[0]?.delay).toBe(0);
    expect(attribute(aws, I1, DRAIN_CHAIN_ATTRIBUTE)).toBe(sent[0]?.body.chain);
    if (marks[DRAIN_CHAIN_ATTRIBUTE] !== undefined) expect(sent[0]?.body.deadline).toBe(Math.floor((NOW - 3_600_000) / 1000) * 1000 + 900_000);
  });
  it('a drain whose marks ECS refuses (10 custom attributes already) is revived once, not every tick, and its check carries no mark, so it is not stale', async () => {
    const full = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`team.tag-${k}`, 'x']));
    const aws = draining(full);
    const ctx = context();
    for (let t = 0; t < 3; t++) {
      ctx.clock.now = NOW + t * 60_000;
      await handleTick(sample('tick/scheduled.json'), ctx);
    }
    const sent = aws.sent.filter((s) => s.body.instanceId === I1);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body.chain).toBeUndefined();
    expect(sent[0]?.body.step).toBeUndefined();
    expect(ctx.lines.filter((l) => l.level === 'error' && l.message.startsWith('drain revived without its step mark')).map((l) => l.data?.instanceId)).toEqual([I1]);
    expect(aws.metric('DrainsRevived')).toEqual([1]);
    // The check it sent is not judged stale: it steps the drain.
    const stepped = await handleDrain(sqs(sent[0]?.body), context(undefined, NOW + 180_000));
    expect(stepped.outcomes.map((o) => o.instanceId)).toEqual([I1]);
  });

  it.each<[string, Record<string, string>, boolean]>([
    // No step mark: the re-enqueued check is never judged by one, so failing the record would fork the chain.
    ['an instance that can hold no step mark (10 custom attributes): the record is done, one chain goes on', Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`team.tag-${k}`, 'x'])), false],
    // An older step mark: the re-enqueued copy would be stale, so the record fails and its redelivery goes on.
    ['an instance holding an older step mark: the record fails for redelivery', { [DRAIN_STEP_ATTRIBUTE]: 's0' }, true],
  ])('a step token ECS does not write: %s', async (_rule, marks, fails) => {
    const aws = draining(marks);
    if (fails) aws.failNext('PutAttributes', awsError('TargetNotFoundException', 'target not found'), 1);
    const ctx = context(undefined, START + 60_000);
    const result = await handleDrain(sqs({ ...check(), ...(marks[DRAIN_STEP_ATTRIBUTE] !== undefined ? { step: marks[DRAIN_STEP_ATTRIBUTE] } : {}) }), ctx);
    expect(result.outcomes.map((o) => o.phase)).toEqual(['wait']);
    expect(aws.sent.filter((m) => m.body.instanceId === I1)).toHaveLength(1);
    expect(result.batchItemFailures.length > 0).toBe(fails);
    if (!fails) expect(ctx.lines.some((l) => l.level === 'warn' && l.message.startsWith('drain step token not written'))).toBe(true);
  });

  it('a revival whose marks ECS refused is tried again once the instance holds other marks (its step changed, then fell silent)', async () => {
    const full = Object.fromEntries(Array.from({ length: 9 }, (_, k) => [`team.tag-${k}`, 'x']));
    const aws = draining({ ...full, [DRAIN_STEP_ATTRIBUTE]: stepToken(NOW - (silent + 60) * 1000, 'cd') });
    aws.failNext('PutAttributes', awsError('AttributeLimitExceededException', 'You can apply up to 10 custom attributes per resource.'), 2);
    const ctx = context();
    await handleTick(sample('tick/scheduled.json'), ctx);
    ctx.clock.now = NOW + 60_000;
    await handleTick(sample('tick/scheduled.json'), ctx);
    expect(aws.sent.filter((s) => s.body.instanceId === I1)).toHaveLength(1);
    // Another writer changed the step mark (still silent): the memory no longer applies.
    const ci = aws.instances.get(instanceArn(I1));
    if (ci !== undefined) ci.attributes = [...(ci.attributes ?? []).filter((a) => a.name !== DRAIN_STEP_ATTRIBUTE), { name: DRAIN_STEP_ATTRIBUTE, value: stepToken(NOW - (silent + 30) * 1000, 'ef') }];
    ctx.clock.now = NOW + 120_000;
    await handleTick(sample('tick/scheduled.json'), ctx);
    const sent = aws.sent.filter((s) => s.body.instanceId === I1);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body.step).toBe(attribute(aws, I1, DRAIN_STEP_ATTRIBUTE));
  });
});

describe('races between a read and its act', () => {
  it('a stale tick never sets ACTIVE an instance that entered Terminating:Wait since its read', async () => {
    const aws = new FakeAws().group('demo-spot', { desired: 2, max: 2, type: 'm5.xlarge' }).group('demo-ondemand', { max: 0 });
    aws.service('web', { desired: 16, running: 8 });
    aws.instance({ id: I1, group: 'demo-spot', status: 'DRAINING', attributes: { [SCALE_IN_ATTRIBUTE]: new Date(NOW - 60_000).toISOString() } });
    aws.instance({ id: I2, group: 'demo-spot', remainingCpu: 0, remainingMemory: 0 });
    for (let k = 0; k < 8; k++) aws.task(I2, { service: 'web' });
    // The group answers the tick's read with I1 InService, then Auto Scaling starts terminating it.
    const release = aws.hold('DescribeAutoScalingGroups');
    const tick = handleTick(sample('tick/scheduled.json'), context());
    await new Promise((r) => setImmediate(r));
    const member = aws.groups[0]?.Instances?.find((i) => i.InstanceId === I1);
    if (member !== undefined) member.LifecycleState = 'Terminating:Wait';
    release();
    const result = await tick;
    expect(result.status === 'acted' && result.decision.reactivate.map((r) => r.instance)).toEqual([I1]);
    expect(aws.statusChanges.filter((c) => c.status === 'ACTIVE')).toEqual([]);
  });

  it('terminating one scale-in instance fails (AccessDenied): the others are terminated, the failure logged and counted', async () => {
    const aws = new FakeAws().group('demo-spot', { desired: 4, max: 10, type: 'm5.xlarge' }).group('demo-ondemand');
    aws.service('web', { desired: 4, running: 4 });
    const ids = ['i-0a1b2c3d4e5f60011', 'i-0a1b2c3d4e5f60012', 'i-0a1b2c3d4e5f60013', 'i-0a1b2c3d4e5f60014'];
    for (const [k, id] of ids.entries()) {
      const empty = k < 2;
      aws.instance({ id, group: 'demo-spot', ...(empty ? { status: 'DRAINING', attributes: { [SCALE_IN_ATTRIBUTE]: new Date(NOW - 600_000).toISOString() } } : { remainingCpu: 2048, remainingMemory: 7000 }) });
      if (!empty) for (let t = 0; t < 2; t++) aws.task(id, { service: 'web' });
    }
    aws.failNext('TerminateInstanceInAutoScalingGroup', awsError('AccessDeniedException', 'not authorized', 400));
    const ctx = context();
    const result = await handleTick(sample('tick/scheduled.json'), ctx);
    expect(result.status === 'acted' && result.decision.terminate.map((t) => t.instance)).toEqual([ids[0], ids[1]]);
    expect(aws.terminated.map((t) => t.id)).toEqual([ids[1]]);
    expect(aws.metric('PermanentFailures')).toEqual([1]);
    expect(ctx.lines.some((l) => l.level === 'error' && l.data?.instance === ids[0])).toBe(true);
  });
});

describe('every task stopped or lost is accounted for', () => {
  it('a drain that times out names every task it stops, with the reason', async () => {
    const aws = draining();
    aws.task(I1, { family: 'nightly-report' });
    const ctx = context(undefined, START + 950_000);
    await handleDrain(sample('drain/check.sqs.json'), ctx);
    expect(aws.stopped).toHaveLength(1);
    const lines = ctx.lines.filter((l) => l.message === 'stopping task');
    expect(lines.map((l) => [l.data?.task, l.data?.reason])).toEqual([[aws.stopped[0], `Headroom: drain of ${I1} timed out`]]);
  });

  it('tasks lost when someone else ends the drain (an operator abandons the hook, the instance terminates) are counted', async () => {
    const aws = new FakeAws().group('demo-spot').group('demo-ondemand');
    // The instance is gone: deregistered with the termination the operator let through.
    const result = await handleDrain(sqs({ ...check(), remaining: 3 }), context(undefined, START + 120_000));
    expect(result.outcomes[0]?.phase).toBe('gone');
    expect(aws.metric('TasksStoppedByTermination')).toEqual([3]);
  });

  it('a permanent error on one drain check fails that record alone, with PermanentFailures', async () => {
    const aws = draining();
    aws.failNext('SendMessage', awsError('AccessDenied', 'not authorized', 403));
    const result = await handleDrain(sample('drain/check.sqs.json'), context(undefined, START + 60_000));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'c1b2c3d4-0000-4000-8000-000000000001' }]);
    expect(aws.metric('PermanentFailures')).toEqual([1]);
  });
});

describe('an outage of ECS alone does not let the lifecycle action expire', () => {
  it.each([
    ['due for a heartbeat (300 s left)', START + 300_000, [I1]],
    ['with time left (540 s)', START + 60_000, []],
  ])('ECS unreadable, the hook %s: the records fail for redelivery and the hook is heartbeated only when due', async (_name, now, heartbeated) => {
    const aws = draining();
    aws.failNext('ListContainerInstances', awsError('ServerException', 'Service unavailable', 503), 20);
    const result = await handleDrain(sample('drain/check.sqs.json'), context(undefined, now));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'c1b2c3d4-0000-4000-8000-000000000001' }]);
    expect(aws.heartbeats).toEqual(heartbeated);
    expect(aws.sent).toEqual([]);
  });
});
