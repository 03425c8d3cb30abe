/**
 * Tasks waiting with no instance (PROVISIONING) while headroom of the reference shape is ample: a
 * job larger than the reference task is seen through the `ECS Task State Change` (PROVISIONING)
 * event, and the following ticks keep reading the waiting tasks while any is left.
 */
import { handleTick, PROVISIONING_EVENT_DEBOUNCE_SECONDS } from '../../handlers/tick';
import { FakeAws, context } from './fake-aws';
import { sample } from './events';

const id = (n: number): string => `i-0a1b2c3d4e5f${String(n).padStart(5, '0')}`;

/** Four m5.xlarge with two web tasks each (512 CPU): 24 reference tasks of headroom, far above the threshold. */
function ample(): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 4, max: 20, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 0, max: 5, type: 'm5.large' });
  aws.service('web', { desired: 8, running: 8 });
  for (let k = 1; k <= 4; k++) {
    aws.instance({ id: id(k), group: 'demo-spot', remainingCpu: 4096 - 1024, remainingMemory: 15_000 - 2048 });
    for (let t = 0; t < 2; t++) aws.task(id(k), { service: 'web' });
  }
  // A job bigger than any instance's free room (a whole m5.xlarge).
  aws.taskDefinition('big', 4096, 12_000);
  return aws;
}

describe('tick: tasks waiting for capacity while reference-shape headroom is ample', () => {
  it('the schedule alone lists no task with nothing known to wait (a steady tick reads no task)', async () => {
    const aws = ample();
    aws.provisioningTask('big');
    const result = await handleTick(sample('tick/scheduled.json'), context());
    expect(result.status).toBe('acted');
    expect(aws.count('ListTasks')).toBe(0);
    expect(aws.desired).toEqual([]);
  });

  it('a PROVISIONING event of this cluster ticks, lists the waiting job and scales out for it', async () => {
    const aws = ample();
    aws.provisioningTask('big');
    const result = await handleTick(sample('tick/task-provisioning.json'), context());
    expect(result.status === 'acted' && result.trigger).toBe('task waiting for capacity (PROVISIONING)');
    expect(aws.count('ListTasks')).toBeGreaterThan(0);
    expect(aws.desired).toEqual([{ group: 'demo-spot', desired: 5 }]);
    expect(aws.metric('PendingTasks')).toEqual([1]);
  });

  it.each([
    ['a scheduled tick publishes the headroom sample the scale-in window reads', 'tick/scheduled.json', [24]],
    ['a PROVISIONING-event tick publishes no headroom sample (it runs when jobs arrive, not evenly in time)', 'tick/task-provisioning.json', []],
  ])('%s', async (_name, file, samples) => {
    const aws = ample();
    await handleTick(sample(file), context());
    expect(aws.metric('SchedulableTasks')).toEqual(samples);
    expect(aws.metric('PendingTasks')).toHaveLength(1);
  });

  it('a PROVISIONING event of another cluster is dropped without an AWS call', async () => {
    const aws = ample();
    const result = await handleTick(sample('tick/task-provisioning.other-cluster.json'), context());
    expect(result.status).toBe('dropped');
    expect(aws.count()).toBe(0);
  });

  it.each<[string, (detail: Record<string, unknown>) => void]>([
    ['no clusterArn', (d) => delete d.clusterArn],
    ['a clusterArn that is not an ECS cluster ARN', (d) => (d.clusterArn = 'demo')],
    ['no lastStatus', (d) => delete d.lastStatus],
    ['a lastStatus that is not a string', (d) => (d.lastStatus = 7)],
  ])('a malformed PROVISIONING event (%s) is logged once and dropped: no AWS call, nothing remembered', async (_name, spoil) => {
    const aws = ample();
    aws.provisioningTask('big');
    const ctx = context();
    const event = sample<{ detail: Record<string, unknown> }>('tick/task-provisioning.json');
    spoil(event.detail);
    const result = await handleTick(event, ctx);
    expect(result.status).toBe('dropped');
    expect(result.status === 'dropped' && result.reason).toMatch(/ECS Task State Change/);
    expect(aws.count()).toBe(0);
    expect(ctx.lines.filter((l) => l.message === 'event dropped')).toHaveLength(1);
    // Nothing marked due: the next scheduled tick (ample headroom) reads no task.
    ctx.clock.now += 60_000;
    await handleTick(sample('tick/scheduled.json'), ctx);
    expect(aws.count('ListTasks')).toBe(0);
  });

  it('following ticks keep reading the waiting tasks while any is left (a failed launch is seen again), then stop', async () => {
    const aws = ample();
    const job = aws.provisioningTask('big');
    const ctx = context();
    await handleTick(sample('tick/task-provisioning.json'), ctx);
    const listed = aws.count('ListTasks');
    ctx.clock.now += 60_000;
    await handleTick(sample('tick/scheduled.json'), ctx);
    expect(aws.count('ListTasks')).toBeGreaterThan(listed);
    expect(aws.metric('PendingTasks')).toEqual([1, 1]);
    // The job got its instance: the next tick reads it gone, the one after reads no task.
    aws.tasks.delete(job);
    ctx.clock.now += 60_000;
    await handleTick(sample('tick/scheduled.json'), ctx);
    const afterGone = aws.count('ListTasks');
    ctx.clock.now += 60_000;
    await handleTick(sample('tick/scheduled.json'), ctx);
    expect(aws.count('ListTasks')).toBe(afterGone);
  });

  it.each([
    ['within the debounce window: dropped, and the next scheduled tick reads the waiting tasks', PROVISIONING_EVENT_DEBOUNCE_SECONDS - 1, 'dropped'],
    ['after the debounce window: ticks again', PROVISIONING_EVENT_DEBOUNCE_SECONDS + 1, 'acted'],
  ])('a second PROVISIONING event %s', async (_name, afterSeconds, status) => {
    const aws = ample();
    const ctx = context();
    await handleTick(sample('tick/task-provisioning.json'), ctx);
    const job = aws.provisioningTask('big');
    ctx.clock.now += afterSeconds * 1000;
    expect((await handleTick(sample('tick/task-provisioning.json'), ctx)).status).toBe(status);
    // Whichever way, the job is read by the next scheduled tick (the memo marks it due).
    ctx.clock.now += 60_000;
    const before = aws.count('ListTasks');
    await handleTick(sample('tick/scheduled.json'), ctx);
    expect(aws.count('ListTasks')).toBeGreaterThan(before);
    expect(aws.tasks.has(job)).toBe(true);
  });
});
