/**
 * Rule: the tick reads what its decision needs (core/read-plan.ts), so a decision the core would
 * make with every task read is made by the real tick too. Two clusters where the tick's reads and
 * the decision once disagreed, through the real tick handler and adapters over the fake AWS APIs:
 * - the median task is larger than every instance: the decision caps the reference shape to the
 *   largest instance, so an empty instance holds one; reads sized by the uncapped shape saw no
 *   headroom, never considered scale-in and never read the tasks it needs;
 * - a min-0 cluster with no work whose empty instance holds exactly `EXCESS_THRESHOLD` reference
 *   tasks: idle, the decision keeps no spare (excess threshold 0), but reads that tested the window
 *   against the configured threshold never read its tasks, so it never became idle, and the
 *   instance stayed all day.
 */
import { handleTick, type TickResult } from '../../handlers/tick';
import { sample } from './events';
import { BASE_ENV, FakeAws, NOW, context, throttling } from './fake-aws';

const id = (n: number): string => `i-0feed0000000${String(n).padStart(4, '0')}`;

/** Excess held for the whole 10-minute window at `value` reference tasks. */
function held(aws: FakeAws, value: number): FakeAws {
  aws.history = Array.from({ length: 12 }, (_, k) => ({ at: NOW - (k + 1) * 60_000, value }));
  return aws;
}

/**
 * Three m5.xlarge instances (4096 CPU); one web task on the first. Most of the demand is a service
 * whose 8192-CPU tasks no instance can hold: the weighted median task is 8192 CPU, capped to 4096.
 */
function medianLargerThanEveryInstance(): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 3, max: 10, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 0, max: 5, type: 'm5.large' });
  aws.service('web', { cpu: 512, memory: 1024, desired: 1 });
  aws.service('render', { cpu: 8192, memory: 2048, desired: 2, running: 0 });
  aws.instance({ id: id(1), group: 'demo-spot', remainingCpu: 4096 - 512, remainingMemory: 15_000 - 1024 });
  aws.task(id(1), { service: 'web' });
  aws.instance({ id: id(2), group: 'demo-spot' });
  aws.instance({ id: id(3), group: 'demo-spot' });
  return held(aws, 2);
}

/** A min-0 group with one empty m5.xlarge (4096 CPU): 4 reference tasks of 1024 CPU, the excess threshold. */
function idleAtExcessThreshold(): FakeAws {
  const aws = new FakeAws().group('demo-spot', { min: 0, desired: 1, max: 10, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 0, max: 5, type: 'm5.large' });
  aws.service('web', { cpu: 1024, memory: 2048, desired: 0 });
  aws.instance({ id: id(1), group: 'demo-spot' });
  return held(aws, 4);
}

const scaledIn = (r: TickResult): string[] => (r.status === 'dropped' ? [] : r.decision.scaleIn.map((a) => a.instance));

describe('the tick reads what its decision needs', () => {
  it.each<[string, () => FakeAws, Record<string, string>, string[]]>([
    ['median task larger than every instance: the capped shape finds a surplus empty instance (the first by id), and the tasks are read', medianLargerThanEveryInstance, { TASK_CPU: 'auto', TASK_MEMORY: 'auto', SHORTAGE_THRESHOLD: '0', EXCESS_THRESHOLD: '1' }, [id(2)]],
    ['min-0 cluster, no work, empty instance holding exactly EXCESS_THRESHOLD reference tasks: it is read, found idle and scaled in', idleAtExcessThreshold, { TASK_CPU: '1024', TASK_MEMORY: '2048', SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '4' }, [id(1)]],
    ['the same with the auto shape (the median of the live tasks: every task is read)', idleAtExcessThreshold, { TASK_CPU: 'auto', TASK_MEMORY: 'auto', SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '4' }, [id(1)]],
  ])('%s', async (_rule, build, env, expected) => {
    const aws = build();
    const result = await handleTick(sample('tick/scheduled.json'), context({ ...BASE_ENV, ...env }));
    expect(scaledIn(result)).toEqual(expected);
    expect(aws.count('ListTasks')).toBeGreaterThan(0);
  });
});

describe('the tick says why it read tasks', () => {
  it('the plan line carries the read plan\'s reasons (here: the cluster may be idle)', async () => {
    idleAtExcessThreshold();
    const ctx = context({ ...BASE_ENV, TASK_CPU: '1024', TASK_MEMORY: '2048', SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '4' });
    await handleTick(sample('tick/scheduled.json'), ctx);
    const line = ctx.lines.find((l) => l.message === 'tick plan');
    expect(line?.data?.['taskReads']).toEqual([expect.stringMatching(/may be idle/)]);
  });

  it('a steady tick that reads no task says nothing about it', async () => {
    const aws = medianLargerThanEveryInstance();
    aws.history = [];
    const ctx = context({ ...BASE_ENV, TASK_CPU: 'auto', TASK_MEMORY: 'auto', SHORTAGE_THRESHOLD: '0', EXCESS_THRESHOLD: '1' });
    await handleTick(sample('tick/scheduled.json'), ctx);
    expect(aws.count('ListTasks')).toBe(0);
    expect(ctx.lines.find((l) => l.message === 'tick plan')?.data).not.toHaveProperty('taskReads');
  });
});

describe('the headroom history is read beside the cluster', () => {
  // The history feeds only scale-in (docs/failure-modes.md): its failure degrades the tick, never stops it.
  it('a failed history read: the tick goes on without scale-in, reads no task for it, and reports the degraded read', async () => {
    const aws = idleAtExcessThreshold();
    aws.failNext('GetMetricData', throttling());
    const result = await handleTick(sample('tick/scheduled.json'), context({ ...BASE_ENV, TASK_CPU: '1024', TASK_MEMORY: '2048', EXCESS_THRESHOLD: '4', SHORTAGE_THRESHOLD: '1' }));
    expect(result.status === 'acted' && result.decision.scaleIn).toEqual([]);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(aws.metric('DegradedReads')).toEqual([1]);
  });
});
