/**
 * Spot interruption warnings on moto: the real interruption function and adapters. Members of a
 * configured group are set DRAINING and terminated without decrement (Auto Scaling launches their
 * replacements now); an instance in no group gets a drain check of its own on the real queue;
 * ids that are not in the cluster are dropped.
 */
import { DescribeContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { parseDrainCheck } from '../../handlers/app/drain-step';
import { handleInterruption, SPOT_NOTICE_SECONDS } from '../../handlers/interruption';
import { spotWarning } from './events';
import { clients, context, describeMoto, metricValues, unique } from './moto';
import { purge, queueDepth, receive } from './queue';
import { buildWorld, desiredCapacity, groupMembers, place, type World } from './world';

const c = clients();
const FOREIGN = 'i-0123456789abcdef0';
const CHECK_SECONDS = 5;

describeMoto('interruption', () => {
  let world: World;
  let group: string;
  let ids: string[];
  const env = () => ({ ...world.env, DRAIN_CHECK_SECONDS: String(CHECK_SECONDS), TASK_CPU: '512', TASK_MEMORY: '1024' });
  async function statusOf(id: string): Promise<string | undefined> {
    const out = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: [world.arn.get(id) as string] }));
    return out.containerInstances?.[0]?.status;
  }

  beforeAll(async () => {
    group = unique('int-g');
    world = await buildWorld(c, { cluster: unique('int'), groups: [{ name: group, size: 4, max: 10 }], unmanaged: 1, services: { web: 5 } });
    ids = [...(world.groups.get(group) ?? [])];
    await place(c, world, 'web', [...ids, ...world.unmanaged], { service: 'web' });
  });
  beforeEach(async () => purge(c, world.queueUrl));

  it('a storm of warnings: ours DRAINING and terminated without decrement, a foreign id dropped, one decision', async () => {
    const before = await groupMembers(c, group);
    const result = await handleInterruption([spotWarning(ids[0] as string), spotWarning(ids[1] as string), spotWarning(FOREIGN)], context(env()));
    expect([...result.drained].sort()).toEqual([ids[0], ids[1]].sort());
    expect([...result.terminated].sort()).toEqual([ids[0], ids[1]].sort());
    expect(result.foreign).toEqual([FOREIGN]);
    expect(result.decision).toBeDefined();
    expect([await statusOf(ids[0] as string), await statusOf(ids[1] as string), await statusOf(ids[2] as string)]).toEqual(['DRAINING', 'DRAINING', 'ACTIVE']);
    // No decrement: the desired capacity holds and Auto Scaling replaced both.
    expect(await desiredCapacity(c, group)).toBe(before.length);
    const after = (await groupMembers(c, group)).map((m) => m.id);
    expect(after).toHaveLength(before.length);
    expect(after).not.toContain(ids[0]);
    expect(after).not.toContain(ids[1]);
    expect(await metricValues(c, world, 'InterruptionWarnings', 'Sum')).toEqual([2]);
  });

  it('the same storm delivered again terminates nothing more and changes no group', async () => {
    const before = (await groupMembers(c, group)).map((m) => m.id).sort();
    const desired = await desiredCapacity(c, group);
    const result = await handleInterruption([spotWarning(ids[0] as string), spotWarning(ids[1] as string), spotWarning(FOREIGN)], context(env()));
    expect(result.terminated).toEqual([]);
    expect(result.foreign).toEqual([FOREIGN]);
    expect((await groupMembers(c, group)).map((m) => m.id).sort()).toEqual(before);
    expect(await desiredCapacity(c, group)).toBe(desired);
    expect(await statusOf(ids[0] as string)).toBe('DRAINING');
  });

  it('an instance in no configured group: DRAINING and a drain check with the Spot deadline, received after its delay', async () => {
    const lone = world.unmanaged[0] as string;
    const desired = await desiredCapacity(c, group);
    const result = await handleInterruption(spotWarning(lone), context(env()));
    expect(result.drained).toEqual([lone]);
    expect(result.terminated).toEqual([]);
    expect(await statusOf(lone)).toBe('DRAINING');
    expect(await desiredCapacity(c, group)).toBe(desired);
    expect(await queueDepth(c, world.queueUrl)).toEqual({ visible: 0, delayed: 1 });
    const batch = await receive(c, world.queueUrl, 1, 20_000);
    const check = parseDrainCheck(batch.Records[0]?.body as string);
    if (typeof check === 'string') throw new Error(check);
    expect(check).toMatchObject({ instanceId: lone, cause: 'interruption' });
    expect(check.deadline - check.startedAt).toBe(SPOT_NOTICE_SECONDS * 1000);
  });

  it('only foreign ids: nothing in the cluster changes and nothing is queued', async () => {
    const result = await handleInterruption(spotWarning(FOREIGN), context(env()));
    expect(result).toMatchObject({ drained: [], terminated: [], foreign: [FOREIGN] });
    expect(await statusOf(ids[2] as string)).toBe('ACTIVE');
    expect(await queueDepth(c, world.queueUrl)).toEqual({ visible: 0, delayed: 0 });
  });
});
