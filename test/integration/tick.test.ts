/**
 * The tick on moto: the real handler (`handleTick`) and adapters read the cluster, decide and act
 * through the AWS APIs, and publish the per-tick metrics, which are read back from CloudWatch.
 *
 * Numbers: every instance registers 4096 CPU / 7482 MiB (moto); the reference task is 512 CPU /
 * 1024 MiB (the `web` family), so an empty instance holds 7 of them and one with 7 `web` tasks none.
 */
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeContainerInstancesCommand, PutAttributesCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import { handleTick } from '../../handlers/tick';
import { scheduled } from './events';
import { clients, context, describeMoto, metricValues, unique } from './moto';
import { buildWorld, desiredCapacity, groupMembers, place, register, type World } from './world';

const c = clients();
const THRESHOLDS = { TASK_CPU: '512', TASK_MEMORY: '1024', SHORTAGE_THRESHOLD: '2', EXCESS_THRESHOLD: '10' };

async function statuses(world: World, ids: readonly string[]): Promise<Record<string, string>> {
  const out = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: ids.map((id) => world.arn.get(id) as string) }));
  return Object.fromEntries((out.containerInstances ?? []).map((i) => [i.ec2InstanceId as string, i.status as string]));
}

/** Mark an instance as Headroom's scale-in drain, in the form moto accepts (moto-gaps.md). */
async function markScaleIn(world: World, id: string): Promise<void> {
  const arn = world.arn.get(id) as string;
  await c.ecs.send(new PutAttributesCommand({ cluster: world.cluster, attributes: [{ name: SCALE_IN_ATTRIBUTE, value: new Date().toISOString(), targetId: arn }] }));
  await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: world.cluster, containerInstances: [arn], status: 'DRAINING' }));
}

describeMoto('tick: scale-out', () => {
  let world: World;
  let group: string;
  beforeAll(async () => {
    group = unique('out-g');
    world = await buildWorld(c, { cluster: unique('out'), groups: [{ name: group, size: 2, max: 10 }], services: { web: 14 } });
    await place(c, world, 'web', world.groups.get(group) ?? [], { service: 'web', count: 7 });
  });

  it('in dry run plans the scale-out and changes nothing', async () => {
    const ctx = context({ ...world.env, ...THRESHOLDS, DRY_RUN: 'true' });
    const result = await handleTick(scheduled(), ctx);
    expect(result.status).toBe('planned');
    expect(result.status !== 'dropped' && result.decision.scaleOut.map((a) => [a.group, a.count])).toEqual([[group, 1]]);
    expect(await desiredCapacity(c, group)).toBe(2);
  });

  it('reads a full cluster, decides one more instance and sets the desired capacity', async () => {
    const ctx = context({ ...world.env, ...THRESHOLDS });
    const result = await handleTick(scheduled(), ctx);
    if (result.status === 'dropped') throw new Error(result.reason);
    expect(result.decision.summary).toMatchObject({ schedulableTasks: 0, activeInstances: 2 });
    expect(result.decision.scaleOut).toEqual([expect.objectContaining({ group, count: 1, desired: 3 })]);
    expect(result.decision.lowerBound).toBe(1);
    expect(await desiredCapacity(c, group)).toBe(3);
  });

  it('repeated once the new instance has registered with ECS, asks for nothing more', async () => {
    // moto puts a new member InService at once and records no launch activity (moto-gaps.md), so
    // "capacity on its way" is left to the core's tests; here the instance registers, as the ECS
    // agent does once it boots.
    const members = (await groupMembers(c, group)).map((m) => m.id);
    expect(members).toHaveLength(3);
    const fresh = members.filter((id) => !world.arn.has(id));
    expect(fresh).toHaveLength(1);
    await register(c, world.cluster, fresh);
    const ctx = context({ ...world.env, ...THRESHOLDS });
    const result = await handleTick(scheduled(), ctx);
    if (result.status === 'dropped') throw new Error(result.reason);
    expect(result.decision.summary).toMatchObject({ activeInstances: 3, schedulableTasks: 7 });
    expect(result.decision.scaleOut).toEqual([]);
    expect(await desiredCapacity(c, group)).toBe(3);
  });
});

describeMoto('tick: metrics', () => {
  it('publishes every per-tick metric once, and each reads back from CloudWatch with the decided value', async () => {
    const group = unique('m-g');
    const world = await buildWorld(c, { cluster: unique('m'), groups: [{ name: group, size: 2, max: 10 }], services: { web: 9 } });
    const ids = [...(world.groups.get(group) ?? [])];
    await place(c, world, 'web', ids.slice(0, 1), { service: 'web', count: 7 });
    await place(c, world, 'web', ids.slice(1, 2), { service: 'web', count: 2 });
    const ctx = context({ ...world.env, ...THRESHOLDS });
    const result = await handleTick(scheduled(), ctx);
    if (result.status === 'dropped') throw new Error(result.reason);
    const listed = await c.cw.send(new ListMetricsCommand({ Namespace: world.env.METRICS_NAMESPACE, Dimensions: [{ Name: 'ClusterName', Value: world.cluster }] }));
    const names = new Set((listed.Metrics ?? []).map((m) => m.MetricName));
    for (const name of ['SchedulableTasks', 'PendingTasks', 'ActiveInstances', 'DrainingInstances', 'CpuReservedPercent', 'MemoryReservedPercent', 'InstancesNeeded', 'InstancesLowerBound', 'ScaleOutInstances', 'ScaleInInstances']) {
      expect(names).toContain(name);
    }
    const d = result.decision;
    const read = async (name: string): Promise<number[]> => metricValues(c, world, name, 'Sum');
    expect({
      SchedulableTasks: await read('SchedulableTasks'),
      ActiveInstances: await read('ActiveInstances'),
      CpuReservedPercent: await read('CpuReservedPercent'),
      MemoryReservedPercent: await read('MemoryReservedPercent'),
    }).toEqual({
      SchedulableTasks: [d.summary.schedulableTasks],
      ActiveInstances: [2],
      CpuReservedPercent: [d.summary.cpuReservedPercent],
      MemoryReservedPercent: [d.summary.memoryReservedPercent],
    });
    // The Metrics port reads its own history back (the scale-in stabilisation window's input).
    const now = Date.now();
    const history = await ctx.ports.metrics.history('SchedulableTasks', now - 10 * 60_000, now + 60_000);
    expect(history.map((h) => h.value)).toEqual([d.summary.schedulableTasks]);
  });
});

describeMoto('tick: scale-in, termination and reactivation', () => {
  it('drains the emptiest instance for scale-in and marks it with the scale-in attribute', async () => {
    const group = unique('in-g');
    const world = await buildWorld(c, { cluster: unique('in'), groups: [{ name: group, size: 4, min: 1 }], services: { web: 1 } });
    const ids = [...(world.groups.get(group) ?? [])];
    await place(c, world, 'web', ids.slice(0, 1), { service: 'web' });
    const ctx = context({ ...world.env, ...THRESHOLDS, SCALE_IN_STABILIZATION_SECONDS: '0', MAX_SCALE_IN_PERCENT: '25' });
    const result = await handleTick(scheduled(), ctx);
    if (result.status === 'dropped') throw new Error(result.reason);
    expect(result.decision.scaleIn).toHaveLength(1);
    const chosen = result.decision.scaleIn[0]?.instance as string;
    expect(chosen).not.toBe(ids[0]);
    const after = await statuses(world, ids);
    expect(Object.entries(after).filter(([, s]) => s === 'DRAINING').map(([id]) => id)).toEqual([chosen]);
    // The scale-in mark is on the drained instance (full ARN, no targetType: the form moto accepts).
    const marked = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: [world.arn.get(chosen) as string] }));
    expect(marked.containerInstances?.[0]?.attributes?.find((a) => a.name === SCALE_IN_ATTRIBUTE)?.value).toEqual(expect.any(String));
    expect(await desiredCapacity(c, group)).toBe(4);
  });

  it('terminates an empty scale-in drain with decrement, once', async () => {
    const group = unique('term-g');
    const world = await buildWorld(c, { cluster: unique('term'), groups: [{ name: group, size: 3, min: 1 }], services: { web: 2 } });
    const ids = [...(world.groups.get(group) ?? [])];
    await place(c, world, 'web', ids.slice(0, 2), { service: 'web' });
    const victim = ids[2] as string;
    await markScaleIn(world, victim);
    const env = { ...world.env, ...THRESHOLDS, SCALE_IN_ENABLED: 'false' };
    const result = await handleTick(scheduled(), context(env));
    if (result.status === 'dropped') throw new Error(result.reason);
    expect(result.decision.terminate.map((t) => t.instance)).toEqual([victim]);
    expect(await desiredCapacity(c, group)).toBe(2);
    expect((await groupMembers(c, group)).map((m) => m.id)).not.toContain(victim);
    // Repeated: the instance is in no group any more; nothing is terminated twice.
    const again = await handleTick(scheduled(), context(env));
    if (again.status === 'dropped') throw new Error(again.reason);
    expect(again.decision.terminate).toEqual([]);
    expect(await desiredCapacity(c, group)).toBe(2);
  });

  it('on a shortage reactivates its own scale-in drain (ACTIVE) instead of launching an instance', async () => {
    const group = unique('re-g');
    const world = await buildWorld(c, { cluster: unique('re'), groups: [{ name: group, size: 2, max: 10 }], services: { web: 8 } });
    const ids = [...(world.groups.get(group) ?? [])];
    await place(c, world, 'web', ids.slice(0, 1), { service: 'web', count: 7 });
    await place(c, world, 'web', ids.slice(1, 2), { service: 'web' });
    await markScaleIn(world, ids[1] as string);
    const ctx = context({ ...world.env, ...THRESHOLDS });
    const result = await handleTick(scheduled(), ctx);
    if (result.status === 'dropped') throw new Error(result.reason);
    expect(result.decision.reactivate.map((r) => r.instance)).toEqual([ids[1]]);
    expect(result.decision.scaleOut).toEqual([]);
    expect(await statuses(world, ids)).toEqual({ [ids[0] as string]: 'ACTIVE', [ids[1] as string]: 'ACTIVE' });
    expect(await desiredCapacity(c, group)).toBe(2);
  });

  it("reads instances' lifecycle states with DescribeAutoScalingInstances (the check before a reactivation): group and state per instance, ids in no group absent, more than 50 ids in chunks", async () => {
    const group = unique('life-g');
    const world = await buildWorld(c, { cluster: unique('life'), groups: [{ name: group, size: 2, max: 10 }], services: { web: 1 } });
    const ids = [...(world.groups.get(group) ?? [])];
    const strangers = Array.from({ length: 55 }, (_, k) => `i-0fffffffffff${String(k).padStart(5, '0')}`);
    const states = await context({ ...world.env, ...THRESHOLDS }).ports.autoScaling.lifecycleStates([...strangers, ...ids]);
    expect(Object.fromEntries(states)).toEqual(Object.fromEntries(ids.map((id) => [id, { group, lifecycleState: 'InService' }])));
  });

  it('leaves a drain it did not start alone (no reactivation, no termination)', async () => {
    const group = unique('foreign-g');
    const world = await buildWorld(c, { cluster: unique('foreign'), groups: [{ name: group, size: 2, max: 10 }], services: { web: 7 } });
    const ids = [...(world.groups.get(group) ?? [])];
    await place(c, world, 'web', ids.slice(0, 1), { service: 'web', count: 7 });
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: world.cluster, containerInstances: [world.arn.get(ids[1] as string) as string], status: 'DRAINING' }));
    const result = await handleTick(scheduled(), context({ ...world.env, ...THRESHOLDS }));
    if (result.status === 'dropped') throw new Error(result.reason);
    expect(result.decision.reactivate).toEqual([]);
    expect(result.decision.terminate).toEqual([]);
    expect((await statuses(world, ids))[ids[1] as string]).toBe('DRAINING');
    expect(await desiredCapacity(c, group)).toBe(3);
  });
});
