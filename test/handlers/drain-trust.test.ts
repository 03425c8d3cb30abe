/**
 * The drain queue obeys only Headroom's own checks: a check is acted on only for a configured group,
 * the configured hook and its own instance; a check without a lifecycle action never starts a drain;
 * duplicate lifecycle events start one chain of checks (the instance carries the chain token, stale
 * checks are dropped).
 */
import { handleDrain } from '../../handlers/drain';
import { DRAIN_CHAIN_ATTRIBUTE } from '../../core/drain-chain';
import { handleLifecycle } from '../../handlers/lifecycle';
import type { DrainCheck } from '../../handlers/app/ports';
import { FakeAws, NOW, context, instanceArn } from './fake-aws';
import { sample, sqs } from './events';

const I1 = 'i-0a1b2c3d4e5f60001';
const I2 = 'i-0a1b2c3d4e5f60002';
const START = Date.parse('2025-06-01T12:00:00Z');
const check = (): DrainCheck => JSON.parse(sample<{ Records: Array<{ body: string }> }>('drain/check.sqs.json').Records[0]?.body ?? '') as DrainCheck;

function world(): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 3, max: 10 }).group('demo-ondemand');
  aws.instance({ id: I1, group: 'demo-spot', lifecycleState: 'Terminating:Wait', status: 'DRAINING' });
  aws.instance({ id: I2, group: 'demo-spot' });
  aws.service('web', { desired: 2 });
  aws.hookPending(I1, 'headroom-demo');
  aws.task(I1, { service: 'web' });
  aws.task(I2, { family: 'nightly-report' });
  return aws;
}

describe('drain checks are acted on only when they are ours', () => {
  it.each<[string, (c: DrainCheck) => DrainCheck, RegExp]>([
    ['a group that is not configured', (c) => ({ ...c, hook: { ...(c.hook as NonNullable<DrainCheck['hook']>), group: 'someone-else' } }), /not a configured group/],
    ['another hook', (c) => ({ ...c, hook: { ...(c.hook as NonNullable<DrainCheck['hook']>), hookName: 'their-hook' } }), /not the configured hook/],
    ["another instance's hook", (c) => ({ ...c, hook: { ...(c.hook as NonNullable<DrainCheck['hook']>), instanceId: I2 } }), /hook of i-0a1b2c3d4e5f60002/],
  ])('%s: dropped with a line naming the message, nothing completed or stopped', async (_name, change, reason) => {
    const aws = world();
    const ctx = context(undefined, START + 900_000);
    const result = await handleDrain(sqs(change(check())), ctx);
    expect(result.batchItemFailures).toEqual([]);
    expect(aws.mutatingCalls()).toEqual([]);
    const line = ctx.lines.find((l) => l.data?.messageId === 'msg-1');
    expect(String(line?.data?.reason)).toMatch(reason);
  });

  it('a check without a lifecycle action never starts a drain: a healthy ACTIVE instance is left alone', async () => {
    const aws = world();
    const forged: DrainCheck = { kind: 'drain-check', instanceId: I2, cause: 'interruption', startedAt: NOW - 600_000, deadline: NOW - 1 };
    const result = await handleDrain(sqs(forged), context());
    expect(result.dropped).toEqual(['msg-1']);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(aws.stopped).toEqual([]);
  });
});

describe('duplicate lifecycle events start one drain chain', () => {
  it('the instance carries the newest chain token; the older chain is dropped at its next check', async () => {
    const aws = world();
    const ci = aws.instances.get(instanceArn(I1));
    if (ci !== undefined) ci.status = 'ACTIVE';
    const ctx = context();
    await handleLifecycle(sample('lifecycle/terminate.json'), ctx);
    await handleLifecycle(sample('lifecycle/terminate.json'), ctx);
    expect(aws.sent).toHaveLength(2);
    const [first, second] = aws.sent.map((s) => s.body.chain);
    expect(first).not.toEqual(second);
    expect(aws.instances.get(instanceArn(I1))?.attributes?.find((a) => a.name === DRAIN_CHAIN_ATTRIBUTE)?.value).toBe(second);
    aws.sent.length = 0;
    ctx.clock.now = NOW + 30_000;
    const result = await handleDrain(sqs(...[first, second].map((chain) => ({ ...check(), chain }))), ctx);
    expect(result.outcomes).toHaveLength(1);
    expect(aws.sent.map((s) => s.body.chain)).toEqual([second]);
  });
});
