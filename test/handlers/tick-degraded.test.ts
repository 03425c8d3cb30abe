/**
 * Degrade instead of stopping: a read that feeds only part of the tick's decision (the headroom
 * history, the scaling activities, the tasks read for scale-in) switches that part off when it
 * fails; scale-out goes on, with a warning and the `DegradedReads` metric.
 */
import { handleTick } from '../../handlers/tick';
import { FakeAws, NOW, awsError, context, throttling } from './fake-aws';
import { sample } from './events';

const id = (n: number): string => `i-0a1b2c3d4e5f${String(n).padStart(5, '0')}`;
const denied = (): Error => awsError('AccessDeniedException', 'User is not authorized to perform this action', 403);

/** `n` instances with `tasks` web tasks each, `unplaced` web tasks waiting for a place. */
function cluster(n: number, tasks: number, unplaced = 0): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: n, max: 20, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 0, max: 5, type: 'm5.large' });
  aws.service('web', { desired: n * tasks + unplaced, running: n * tasks });
  for (let k = 1; k <= n; k++) {
    aws.instance({ id: id(k), group: 'demo-spot', remainingCpu: 4096 - 512 * tasks, remainingMemory: 15_000 - 1024 * tasks });
    for (let t = 0; t < tasks; t++) aws.task(id(k), { service: 'web' });
  }
  return aws;
}

/** Excess held for the whole window: without a failure, this tick scales in (tick.test.ts). */
const excessHeld = (aws: FakeAws): void => {
  aws.history = Array.from({ length: 12 }, (_, k) => ({ at: NOW - (k + 1) * 60_000, value: 25 }));
};

describe('a failing optional read degrades the tick instead of stopping it', () => {
  it.each([
    ['GetMetricData (the headroom history), denied', 'GetMetricData', denied, 1],
    ['GetMetricData (the headroom history), throttled on every attempt', 'GetMetricData', throttling, 1],
    // One read per configured group, each reported.
    ['DescribeScalingActivities, denied', 'DescribeScalingActivities', denied, 2],
  ])('%s: scale-out goes on, with a warning and DegradedReads', async (_name, command, error, reads) => {
    const aws = cluster(2, 8, 5);
    aws.failNext(command, error(), 20);
    const ctx = context();
    const result = await handleTick(sample('tick/scheduled.json'), ctx);
    expect(result.status).toBe('acted');
    expect(aws.desired).toEqual([{ group: 'demo-spot', desired: 3 }]);
    expect(aws.metric('DegradedReads')).toEqual([reads]);
    expect(ctx.lines.filter((l) => l.level === 'warn' && /optional read failed/.test(l.message))).toHaveLength(reads);
  });

  it.each([
    ['the history (GetMetricData)', 'GetMetricData'],
    ["every instance's tasks (DescribeTasks)", 'DescribeTasks'],
  ])('no scale-in without %s, even where it would have been allowed; the tick still publishes', async (_name, command) => {
    const aws = cluster(4, 1);
    excessHeld(aws);
    aws.failNext(command, denied(), 20);
    const result = await handleTick(sample('tick/scheduled.json'), context());
    expect(result.status === 'acted' && result.decision.scaleIn).toEqual([]);
    expect(aws.statusChanges).toEqual([]);
    expect(aws.metric('DegradedReads')).toEqual([1]);
    expect(aws.metric('SchedulableTasks')).toHaveLength(1);
  });

  it('every read working: no DegradedReads datum', async () => {
    const aws = cluster(2, 8, 5);
    await handleTick(sample('tick/scheduled.json'), context());
    expect(aws.metric('DegradedReads')).toEqual([]);
  });
});
