import { handleDrain } from '../../handlers/drain';
import { REDELIVERY_SECONDS } from '../../core/redelivery';
import type { DrainCheck } from '../../handlers/app/ports';
import { BASE_ENV, FakeAws, NOW, context, throttling } from './fake-aws';
import { sample, sqs } from './events';

const I1 = 'i-0a1b2c3d4e5f60001';
const START = Date.parse('2025-06-01T12:00:00Z');

function world(): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 2, max: 10 }).group('demo-ondemand');
  aws.instance({ id: I1, group: 'demo-spot', lifecycleState: 'Terminating:Wait', status: 'DRAINING' });
  aws.service('web', { desired: 2 }).service('agent', { daemon: true });
  aws.hookPending(I1, 'headroom-demo');
  return aws;
}

const check = (): DrainCheck => JSON.parse(sample<{ Records: Array<{ body: string }> }>('drain/check.sqs.json').Records[0]?.body ?? '') as DrainCheck;

describe('drain handler', () => {
  it('re-enqueues while service tasks are not STOPPED, without heartbeat while the hook has time', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    const result = await handleDrain(sample('drain/check.sqs.json'), context(BASE_ENV, START + 60_000));
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes[0]?.phase).toBe('wait');
    expect(aws.sent).toEqual([{ body: { ...check(), heartbeatSeconds: 600, remaining: 1, step: expect.stringMatching(/^1748779260-[0-9a-f]{8}$/) }, delay: 30 }]);
    // The instance carries the step token of the check it waits for (core/drain-chain.ts).
    expect(aws.attributeChanges.at(-1)).toMatchObject({ name: 'headroom.drain-step', value: aws.sent[0]?.body.step });
    expect(aws.heartbeats).toEqual([]);
    expect(aws.completed).toEqual([]);
  });

  // The hook expires at +600 s. A check that fails comes back after each visibility timeout, up to
  // maxReceiveCount receives: the last one runs up to REDELIVERY_SECONDS after the first. At +300 s
  // a margin of one redelivery (60 s) would not heartbeat yet, and a check failing from then on
  // would find the hook gone; the margin covers every redelivery the queue allows.
  it.each([
    ['100 s before it expires (within two checks)', 500_000],
    ['300 s before it expires (within every redelivery the queue allows and two checks)', 300_000],
  ])('heartbeats the hook %s and carries the new expiry forward', async (_when, after) => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    const now = START + after;
    expect(now + (REDELIVERY_SECONDS + 2 * 30) * 1000).toBeGreaterThan(START + 600_000);
    await handleDrain(sample('drain/check.sqs.json'), context(BASE_ENV, now));
    expect(aws.heartbeats).toEqual([I1]);
    expect(aws.sent[0]?.body.hookExpiresAt).toBe(now + 600_000);
  });

  it('completes the hook with CONTINUE when only daemon and STOPPED tasks are left', async () => {
    const aws = world();
    aws.task(I1, { service: 'agent' });
    aws.task(I1, { service: 'web', lastStatus: 'STOPPED' });
    await handleDrain(sample('drain/check.sqs.json'), context(BASE_ENV, START + 95_000));
    expect(aws.completed).toEqual([I1]);
    expect(aws.sent).toEqual([]);
    expect(aws.metric('DrainSeconds')).toEqual([95]);
    expect(aws.metric('TasksStoppedByTermination')).toEqual([0]);
  });

  it('at the drain timeout with STANDALONE_TASK_POLICY=wait stops nothing and completes', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    aws.task(I1, { family: 'nightly-report' });
    await handleDrain(sample('drain/check.sqs.json'), context({ ...BASE_ENV, STANDALONE_TASK_POLICY: 'wait' }, START + 900_000));
    expect(aws.stopped).toHaveLength(0);
    expect(aws.completed).toEqual([I1]);
    expect(aws.metric('TasksStoppedByTermination')).toEqual([2]);
  });

  it('at the drain timeout with STANDALONE_TASK_POLICY=stop stops the standalone task and re-checks; the hook completes only on a later check, after the stop timeout', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    aws.task(I1, { family: 'nightly-report' });
    const first = await handleDrain(sample('drain/check.sqs.json'), context({ ...BASE_ENV, STANDALONE_TASK_POLICY: 'stop' }, START + 900_000));
    expect(first.outcomes[0]?.phase).toBe('stopping');
    expect(aws.stopped).toHaveLength(1);
    expect(aws.completed).toEqual([]);
    expect(aws.sent).toHaveLength(1);
    expect(aws.metric('TasksStoppedByTermination')).toEqual([]);
    // 30 s stop timeout + one 30 s check later: complete whatever is left.
    await handleDrain(sample('drain/check.sqs.json'), context({ ...BASE_ENV, STANDALONE_TASK_POLICY: 'stop' }, START + 960_000));
    expect(aws.completed).toEqual([I1]);
  });

  it('hook already completed: the completion answers "no active lifecycle action" and the chain ends', async () => {
    const aws = world();
    aws.pendingHooks.clear();
    const result = await handleDrain(sample('drain/check.sqs.json'), context());
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes[0]?.did).toEqual(['complete:gone']);
    expect(aws.sent).toEqual([]);
  });

  it('hook expired under a busy drain: the heartbeat answers gone, no re-enqueue, tasks reported lost', async () => {
    const aws = world();
    aws.pendingHooks.clear();
    aws.task(I1, { service: 'web' });
    const result = await handleDrain(sample('drain/check.sqs.json'), context(BASE_ENV, START + 580_000));
    expect(result.outcomes[0]?.phase).toBe('gone');
    expect(aws.sent).toEqual([]);
    expect(aws.metric('TasksStoppedByTermination')).toEqual([1]);
  });

  it('out-of-order delivery: a check arriving after the instance was deregistered completes (gone) and stops', async () => {
    const aws = world();
    aws.instances.clear();
    aws.pendingHooks.clear();
    const result = await handleDrain(sample('drain/check.sqs.json'), context());
    expect(result.outcomes[0]?.did).toEqual(['complete:gone']);
    expect(aws.statusChanges).toEqual([]);
    expect(aws.sent).toEqual([]);
  });

  it('duplicate delivery in one batch: two checks for one instance are merged into one step', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    const body = check();
    const result = await handleDrain(sqs(body, body), context());
    expect(result.outcomes).toHaveLength(1);
    expect(result.dropped).toEqual(['msg-2']);
    expect(aws.sent).toHaveLength(1);
  });

  it('a check with no hook (interruption of an instance in no group) just waits for its deadline', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    const body: DrainCheck = { kind: 'drain-check', instanceId: I1, cause: 'interruption', startedAt: NOW, deadline: NOW + 120_000 };
    await handleDrain(sqs(body), context(BASE_ENV, NOW + 30_000));
    expect(aws.sent[0]?.delay).toBe(30);
    expect(aws.count('CompleteLifecycleAction') + aws.count('RecordLifecycleActionHeartbeat')).toBe(0);
  });

  it('malformed messages are logged and dropped, never reported as failures', async () => {
    const aws = world();
    const ctx = context();
    const result = await handleDrain(sample('drain/malformed.sqs.json'), ctx);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.dropped).toHaveLength(2);
    expect(ctx.lines.filter((l) => l.message === 'malformed drain check dropped')).toHaveLength(2);
    expect(aws.count()).toBe(0);
  });

  it('throttling then success: only the failing record is reported, its redelivery succeeds', async () => {
    const aws = world();
    aws.instance({ id: 'i-0a1b2c3d4e5f60009', group: 'demo-spot', lifecycleState: 'Terminating:Wait', status: 'DRAINING' });
    aws.hookPending('i-0a1b2c3d4e5f60009', 'headroom-demo');
    const other: DrainCheck = { ...check(), instanceId: 'i-0a1b2c3d4e5f60009', hook: { group: 'demo-spot', hookName: 'headroom-demo', instanceId: 'i-0a1b2c3d4e5f60009' } };
    aws.failNext('CompleteLifecycleAction', throttling());
    const ctx = context();
    const first = await handleDrain(sqs(check(), other), ctx);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'msg-1' }]);
    expect(aws.completed).toEqual(['i-0a1b2c3d4e5f60009']);
    const second = await handleDrain(sqs(check()), ctx);
    expect(second.batchItemFailures).toEqual([]);
    expect(aws.completed).toEqual(['i-0a1b2c3d4e5f60009', I1]);
  });

  it('a transient error reading the cluster fails the whole batch for redelivery', async () => {
    const aws = world();
    aws.failNext('ListContainerInstances', throttling());
    const result = await handleDrain(sample('drain/check.sqs.json'), context());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'c1b2c3d4-0000-4000-8000-000000000001' }]);
  });

  it('dry run: plans the step, makes no mutating call', async () => {
    const aws = world();
    aws.task(I1, { service: 'web' });
    const result = await handleDrain(sample('drain/check.sqs.json'), context({ ...BASE_ENV, DRY_RUN: "true" }, START + 550_000));
    expect(result.outcomes[0]?.did).toEqual(['would heartbeat', 'would recheck']);
    expect(aws.mutatingCalls()).toEqual([]);
  });
});
