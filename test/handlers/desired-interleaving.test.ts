/**
 * Two writers of desired capacity: the tick (reserved concurrency 1) and interruption invocations
 * (SQS, concurrent). Each decides from a read that may be stale by the time it writes; a scale-out
 * must never lower desired capacity below what the other already set. Interleaved at a chosen await
 * point with the fake's `hold`: one invocation reads, the other runs to the end, then the first acts.
 */
import { handleInterruption } from '../../handlers/interruption';
import { handleTick } from '../../handlers/tick';
import { BASE_ENV, FakeAws, context } from './fake-aws';
import { sample } from './events';

const ids = [1, 2, 3].map((k) => `i-0a1b2c3d4e5f6000${k}`);
const env = { ...BASE_ENV, SHORTAGE_THRESHOLD: '20', EXCESS_THRESHOLD: '30', SCALE_IN_ENABLED: 'false' };

function world(): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 3, max: 10, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 0, max: 5, type: 'm5.xlarge' });
  aws.service('web', { desired: 12 });
  for (const id of ids) {
    aws.instance({ id, group: 'demo-spot', remainingCpu: 2048, remainingMemory: 10_904 });
    for (let k = 0; k < 4; k++) aws.task(id, { service: 'web' });
  }
  return aws;
}

async function until(cond: () => boolean): Promise<void> {
  for (let k = 0; k < 1000 && !cond(); k++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error('the held call was never reached');
}

type Run = (aws: FakeAws) => Promise<unknown>;
const tick: Run = () => handleTick(sample('tick/scheduled.json'), context(env));
const storm: Run = () => handleInterruption(sample('interruption/storm.sqs.json'), context(env));

describe('a scale-out from a stale read never lowers desired capacity', () => {
  it.each<[string, Run, Run]>([
    ['tick reads, interruption scales out, tick acts', tick, storm],
    ['interruption reads, tick scales out, interruption acts', storm, tick],
  ])('%s', async (_name, first, second) => {
    const aws = world();
    const release = aws.hold('DescribeScalingActivities');
    const stale = first(aws);
    await until(() => aws.count('DescribeScalingActivities') > 0);
    await second(aws);
    const afterSecond = aws.groups[0]?.DesiredCapacity ?? 0;
    release();
    await stale;
    const final = aws.groups[0]?.DesiredCapacity ?? 0;
    expect(afterSecond).toBeGreaterThan(3);
    expect(final).toBeGreaterThanOrEqual(afterSecond);
    // Every write raised or kept the value it replaced.
    let current = 3;
    for (const w of aws.desired) {
      expect(w.desired).toBeGreaterThanOrEqual(current);
      current = w.desired;
    }
  });
});
