/**
 * The drain path on moto: a terminate lifecycle action → the lifecycle function sets DRAINING and
 * sends a delayed drain check to the real SQS queue → the check comes back after its delay → the
 * drain function waits while tasks run, and completes the lifecycle action once they stopped.
 *
 * moto has no CompleteLifecycleAction / RecordLifecycleActionHeartbeat (HTTP 500) and no
 * Terminating:Wait (moto-gaps.md): those two calls go to a recording fake of the Auto Scaling port,
 * every other call to moto through the real adapters.
 */
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { handleDrain } from '../../handlers/drain';
import { parseDrainCheck } from '../../handlers/app/drain-step';
import { handleLifecycle } from '../../handlers/lifecycle';
import { terminateLifecycleAction } from './events';
import { hooksFake } from './hooks-fake';
import { clients, context, describeMoto, unique } from './moto';
import { purge, queueDepth, receive } from './queue';
import { buildWorld, HOOK_NAME, place, type World } from './world';

const c = clients();
const CHECK_SECONDS = 5;

describeMoto('lifecycle and drain through a real delayed queue', () => {
  let world: World;
  let group: string;
  let ids: string[];
  let unregistered: string;
  let fake: ReturnType<typeof hooksFake>;
  const ctx = () =>
    context({ ...world.env, DRAIN_CHECK_SECONDS: String(CHECK_SECONDS) }, (ports) => {
      fake ??= hooksFake(ports.autoScaling);
      return { autoScaling: fake.port };
    });

  beforeAll(async () => {
    group = unique('lc-g');
    world = await buildWorld(c, { cluster: unique('lc'), groups: [{ name: group, size: 3 }], services: { web: 3 } });
    ids = [...(world.groups.get(group) ?? [])];
    await place(c, world, 'web', ids, { service: 'web' });
    await place(c, world, 'agent', ids, { service: 'agent' });
    // A member that never registered with ECS (its agent never started).
    const extra = unique('lc-bare');
    const bare = await buildWorld(c, { cluster: unique('lc-other'), groups: [{ name: extra, size: 1 }] });
    unregistered = bare.groups.get(extra)?.[0] as string;
  });
  beforeEach(async () => purge(c, world.queueUrl));

  it('first step: DRAINING, then a drain check that arrives after its delay; a duplicate delivery is merged by the drain function', async () => {
    const target = ids[0] as string;
    const event = terminateLifecycleAction(group, target, HOOK_NAME);
    const first = await handleLifecycle(event, ctx());
    await handleLifecycle(structuredClone(event), ctx());
    expect(first.outcomes.map((o) => [o.instanceId, o.did])).toEqual([[target, ['set-draining', `recheck:${CHECK_SECONDS}`]]]);
    const ci = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: [world.arn.get(target) as string] }));
    expect(ci.containerInstances?.[0]?.status).toBe('DRAINING');
    // Not visible before its delay; both copies arrive after it.
    expect(await queueDepth(c, world.queueUrl)).toEqual({ visible: 0, delayed: 2 });
    const batch = await receive(c, world.queueUrl, 2, 20_000);
    expect(batch.Records).toHaveLength(2);
    expect(batch.receivedAfterMs).toBeGreaterThanOrEqual((CHECK_SECONDS - 1) * 1000);
    const check = parseDrainCheck(batch.Records[0]?.body as string);
    expect(check).toMatchObject({ kind: 'drain-check', instanceId: target, cause: 'lifecycle', hook: { group, hookName: HOOK_NAME, instanceId: target } });

    // The drain function gets both copies in one batch: one step, one new check.
    const drained = await handleDrain(batch, ctx());
    expect(drained.outcomes.map((o) => [o.instanceId, o.phase])).toEqual([[target, 'wait']]);
    expect(drained.dropped).toHaveLength(1);
    expect(drained.batchItemFailures).toEqual([]);
    expect(await queueDepth(c, world.queueUrl)).toEqual({ visible: 0, delayed: 1 });
    expect(fake.completed).toEqual([]);
  });

  it('completes the lifecycle action once only daemon tasks are left, and publishes DrainSeconds', async () => {
    const target = ids[0] as string;
    const arn = world.arn.get(target) as string;
    const listed = await c.ecs.send(new ListTasksCommand({ cluster: world.cluster, containerInstance: arn }));
    // ECS replaces the service task elsewhere and the daemon keeps running: moto moves nothing, so
    // the test stops the service task the way ECS would.
    const detail = await c.ecs.send(new DescribeTasksCommand({ cluster: world.cluster, tasks: listed.taskArns ?? [] }));
    expect((detail.tasks ?? []).map((t) => t.group).sort()).toEqual(['service:agent', 'service:web']);
    for (const t of detail.tasks ?? []) if (t.group === 'service:web') await c.ecs.send(new StopTaskCommand({ cluster: world.cluster, task: t.taskArn, reason: 'replaced' }));

    const check = { kind: 'drain-check', instanceId: target, cause: 'lifecycle', hook: { group, hookName: HOOK_NAME, instanceId: target }, startedAt: Date.now() - 40_000, deadline: Date.now() + 600_000 };
    const result = await handleDrain({ Records: [{ messageId: 'm-1', body: JSON.stringify(check) }] }, ctx());
    expect(result.outcomes.map((o) => [o.phase, o.did])).toEqual([['complete', ['complete']]]);
    expect(fake.completed).toEqual([{ group, hookName: HOOK_NAME, instanceId: target }]);
    expect(await queueDepth(c, world.queueUrl)).toEqual({ visible: 0, delayed: 0 });
    const metrics = await c.cw.send(new ListMetricsCommand({ Namespace: world.env.METRICS_NAMESPACE }));
    expect((metrics.Metrics ?? []).map((m) => m.MetricName)).toEqual(expect.arrayContaining(['DrainSeconds', 'TasksStoppedByTermination']));
  });

  it('an instance that never registered with ECS has nothing to drain: the action completes at once, nothing is queued', async () => {
    const before = fake.completed.length;
    const result = await handleLifecycle(terminateLifecycleAction(group, unregistered, HOOK_NAME), ctx());
    expect(result.outcomes.map((o) => o.did)).toEqual([['complete']]);
    expect(fake.completed.slice(before).map((h) => h.instanceId)).toEqual([unregistered]);
    expect(await queueDepth(c, world.queueUrl)).toEqual({ visible: 0, delayed: 0 });
  });

  it("another group's lifecycle action is dropped: nothing drains, nothing is queued", async () => {
    const result = await handleLifecycle(terminateLifecycleAction('some-other-group', ids[1] as string, HOOK_NAME), ctx());
    expect(result.outcomes).toEqual([]);
    expect(result.dropped).toHaveLength(1);
    const ci = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: [world.arn.get(ids[1] as string) as string] }));
    expect(ci.containerInstances?.[0]?.status).toBe('ACTIVE');
    expect(await queueDepth(c, world.queueUrl)).toEqual({ visible: 0, delayed: 0 });
  });
});
