/**
 * Item: permanent errors mid-drain must surface. An AccessDenied (or an unexpected validation
 * error) while draining is never success: the SQS record fails (redelivered, then dead-lettered and
 * alarmed) and an EventBridge invocation throws (retried, then sent to the on-failure destination).
 */
import { handleDrain } from '../../handlers/drain';
import { handleLifecycle } from '../../handlers/lifecycle';
import { FakeAws, awsError, context } from './fake-aws';
import { sample } from './events';

const I1 = 'i-0a1b2c3d4e5f60001';
const START = Date.parse('2025-06-01T12:00:00Z');
const denied = (): Error => awsError('AccessDeniedException', 'User is not authorized to perform this action', 400);

function world(status = 'DRAINING'): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 2, max: 10 }).group('demo-ondemand');
  aws.instance({ id: I1, group: 'demo-spot', lifecycleState: 'Terminating:Wait', status });
  aws.service('web', { desired: 2 });
  aws.hookPending(I1, 'headroom-demo');
  aws.task(I1, { service: 'web' });
  return aws;
}

describe('permanent errors mid-drain fail the record, never pass for success', () => {
  it.each([
    ['SendMessage (the next drain check)', 'SendMessage', START + 60_000],
    ['RecordLifecycleActionHeartbeat', 'RecordLifecycleActionHeartbeat', START + 550_000],
  ])('drain handler: AccessDenied on %s reports the record as failed', async (_name, command, now) => {
    const aws = world();
    aws.failNext(command, denied());
    const ctx = context(undefined, now);
    const result = await handleDrain(sample('drain/check.sqs.json'), ctx);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'c1b2c3d4-0000-4000-8000-000000000001' }]);
    expect(result.dropped).toEqual([]);
    expect(ctx.lines.some((l) => l.level === 'error' && /AccessDenied/.test(String(l.data?.error)))).toBe(true);
  });

  it('lifecycle handler (EventBridge): AccessDenied on UpdateContainerInstancesState throws so the invocation is retried and dead-lettered', async () => {
    world('ACTIVE').failNext('UpdateContainerInstancesState', denied());
    await expect(handleLifecycle(sample('lifecycle/terminate.json'), context())).rejects.toThrow(/AccessDenied/);
  });

  it('lifecycle handler (SQS): AccessDenied on SendMessage reports the record as failed', async () => {
    world('ACTIVE').failNext('SendMessage', denied());
    const result = await handleLifecycle(sample('lifecycle/terminate.sqs.json'), context());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'b1b2c3d4-0000-4000-8000-000000000001' }]);
  });
});
