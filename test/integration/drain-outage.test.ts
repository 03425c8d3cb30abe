/**
 * Never stuck, never silent, on moto: a drain whose chain of checks dies in an outage (every
 * receive the queue allows fails, the check is dead-lettered) is revived by the next tick after
 * it, and goes on to complete; a tick whose optional read (the headroom history) fails still scales
 * out and reports the degraded read in CloudWatch.
 *
 * The drain queue gets a real redrive policy (moto moves a message to the dead-letter queue after
 * `maxReceiveCount` receives) and a one-second visibility timeout, so the outage takes seconds. moto
 * has no Terminating:Wait and no lifecycle heartbeat/completion (moto-gaps.md): the Auto Scaling port
 * reports the drained member in Terminating:Wait and records those two calls; everything else is
 * the real adapters on moto.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DRAIN_CHAIN_ATTRIBUTE } from '../../core/drain-chain';
import { HeadroomError } from '../../core/errors';
import { chainSilentSeconds } from '../../core/redelivery';
import { handleDrain } from '../../handlers/drain';
import { handleLifecycle } from '../../handlers/lifecycle';
import { handleTick } from '../../handlers/tick';
import { CloudWatchMetrics } from '../../handlers/aws/cloudwatch';
import type { SqsEnvelope } from '../../handlers/app/context';
import { scheduled, terminateLifecycleAction } from './events';
import { hooksFake } from './hooks-fake';
import { clients, context, describeMoto, eventually, metricValues, unique } from './moto';
import { buildWorld, desiredCapacity, HOOK_NAME, place, type World } from './world';

const c = clients();
const CHECK_SECONDS = 5;
const MAX_RECEIVES = 3;

/** Receive what is visible (waiting up to `timeoutMs`), without deleting: the event source mapping's view. */
async function receiveBatch(queueUrl: string, timeoutMs: number): Promise<SqsEnvelope & { handles: Map<string, string> }> {
  const until = Date.now() + timeoutMs;
  const handles = new Map<string, string>();
  const records: Array<{ messageId: string; body: string }> = [];
  while (records.length === 0 && Date.now() < until) {
    const out = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of out.Messages ?? []) {
      records.push({ messageId: m.MessageId as string, body: m.Body as string });
      handles.set(m.MessageId as string, m.ReceiptHandle as string);
    }
  }
  return { Records: records, handles };
}

/** Delete what the handler did not report as failed (what the event source mapping does). */
async function settle(queueUrl: string, batch: Awaited<ReturnType<typeof receiveBatch>>, failed: ReadonlyArray<{ itemIdentifier: string }>): Promise<void> {
  const keep = new Set(failed.map((f) => f.itemIdentifier));
  for (const [id, handle] of batch.handles) if (!keep.has(id)) await c.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: handle }));
}

async function depth(queueUrl: string): Promise<number> {
  const out = await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessagesNotVisible'] }));
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
}

describeMoto('a drain that outlives an outage', () => {
  let world: World;
  let group: string;
  let target: string;
  let deadLetters: string;
  const leaving = new Set<string>();
  let fake: ReturnType<typeof hooksFake> | undefined;
  /** Contexts share one fake (its records) and may move the clock forward. */
  const ctx = (opts: { down?: boolean; clockAhead?: number } = {}) =>
    context({ ...world.env, DRAIN_CHECK_SECONDS: String(CHECK_SECONDS), TASK_CPU: '512', TASK_MEMORY: '1024', SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '10' }, (ports) => {
      fake ??= hooksFake(ports.autoScaling, leaving);
      const ecs = opts.down === true ? Object.assign(Object.create(ports.ecs) as typeof ports.ecs, { findInstances: async () => Promise.reject(new HeadroomError('transient', 'ECS unreachable (simulated outage)')) }) : ports.ecs;
      return { autoScaling: fake.port, ecs, ...(opts.clockAhead !== undefined ? { now: () => Date.now() + (opts.clockAhead as number) } : {}) };
    });

  beforeAll(async () => {
    group = unique('out-g');
    world = await buildWorld(c, { cluster: unique('outage'), groups: [{ name: group, size: 2, max: 4 }], services: { web: 2 } });
    target = world.groups.get(group)?.[0] as string;
    await place(c, world, 'web', [target], { service: 'web' });
    const dlq = await c.sqs.send(new CreateQueueCommand({ QueueName: `${world.cluster}-drain-dlq` }));
    deadLetters = dlq.QueueUrl as string;
    const arn = (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetters, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn as string;
    await c.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: world.queueUrl, Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: MAX_RECEIVES }) } }),
    );
  });

  it('the chain dies in the outage, the tick after it revives the drain, and the drain completes', async () => {
    // 1. The drain starts: DRAINING, the instance marked with its chain, the first check delayed.
    leaving.add(target);
    const started = await handleLifecycle(terminateLifecycleAction(group, target, HOOK_NAME), ctx());
    expect(started.outcomes.map((o) => o.phase)).toEqual(['start']);

    // 2. The outage: every receive the queue allows fails; the check moves to the dead-letter queue.
    for (let receives = 0; receives < MAX_RECEIVES; receives++) {
      const batch = await receiveBatch(world.queueUrl, (CHECK_SECONDS + 5) * 1000);
      expect(batch.Records).toHaveLength(1);
      const result = await handleDrain(batch, ctx({ down: true }));
      expect(result.batchItemFailures).toHaveLength(1);
      await settle(world.queueUrl, batch, result.batchItemFailures);
      await new Promise((r) => setTimeout(r, 1_200));
    }
    await receiveBatch(world.queueUrl, 1_500); // the receive past maxReceiveCount moves it
    expect(await eventually(() => depth(deadLetters), (n) => n === 1, 10_000)).toBe(1);
    expect(await depth(world.queueUrl)).toBe(0);
    expect(fake?.completed).toEqual([]);

    // 3. After the outage: the chain has been silent longer than a live chain can be; the tick revives it.
    const silentMs = (chainSilentSeconds(CHECK_SECONDS) + 5) * 1000;
    const tick = ctx({ clockAhead: silentMs });
    await handleTick(scheduled(), tick);
    expect(tick.log.lines.filter((l) => l.message.startsWith('drain revived')).map((l) => l.data?.instanceId)).toEqual([target]);
    const ci = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: [world.arn.get(target) as string] }));
    const chain = ci.containerInstances?.[0]?.attributes?.find((a) => a.name === DRAIN_CHAIN_ATTRIBUTE)?.value;

    // 4. The revived check arrives at once: it heartbeats the hook (its expiry is unknown) and waits.
    const revived = await receiveBatch(world.queueUrl, 10_000);
    expect(revived.Records).toHaveLength(1);
    expect(JSON.parse(revived.Records[0]?.body as string)).toMatchObject({ instanceId: target, chain, hook: { group, hookName: HOOK_NAME, instanceId: target } });
    const waited = await handleDrain(revived, ctx({ clockAhead: silentMs }));
    await settle(world.queueUrl, revived, waited.batchItemFailures);
    expect(waited.outcomes.map((o) => [o.phase, o.did[0]])).toEqual([['wait', 'heartbeat']]);
    expect(fake?.heartbeats.map((h) => h.instanceId)).toEqual([target]);

    // 5. ECS moves the web task away (moto does not: the test stops it); the next check completes.
    const listed = await c.ecs.send(new ListTasksCommand({ cluster: world.cluster, containerInstance: world.arn.get(target) }));
    for (const t of (await c.ecs.send(new DescribeTasksCommand({ cluster: world.cluster, tasks: listed.taskArns ?? [] }))).tasks ?? []) {
      await c.ecs.send(new StopTaskCommand({ cluster: world.cluster, task: t.taskArn, reason: 'replaced elsewhere' }));
    }
    const next = await receiveBatch(world.queueUrl, (CHECK_SECONDS + 5) * 1000);
    const done = await handleDrain(next, ctx({ clockAhead: silentMs + CHECK_SECONDS * 1000 }));
    await settle(world.queueUrl, next, done.batchItemFailures);
    expect(done.outcomes.map((o) => o.phase)).toEqual(['complete']);
    expect(fake?.completed.map((h) => h.instanceId)).toEqual([target]);

    // 6. A later tick leaves the ended drain alone, however long the member stays in Terminating:Wait.
    const later = ctx({ clockAhead: 2 * silentMs });
    await handleTick(scheduled(), later);
    expect(later.log.lines.filter((l) => l.message.startsWith('drain revived'))).toEqual([]);
  }, 120_000);
});

describeMoto('a degraded tick', () => {
  let world: World;
  let group: string;
  beforeAll(async () => {
    group = unique('deg-g');
    world = await buildWorld(c, { cluster: unique('degraded'), groups: [{ name: group, size: 2, max: 10 }], services: { web: 14 } });
    await place(c, world, 'web', world.groups.get(group) ?? [], { service: 'web', count: 7 });
  });

  it('the headroom history cannot be read (CloudWatch unreachable): the tick still scales out and reports DegradedReads', async () => {
    const env = { ...world.env, TASK_CPU: '512', TASK_MEMORY: '1024', SHORTAGE_THRESHOLD: '2', EXCESS_THRESHOLD: '10' };
    // The real CloudWatch adapter on an endpoint nobody listens on: GetMetricData fails for real.
    const unreachable = new CloudWatchMetrics(new CloudWatchClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }), world.env.METRICS_NAMESPACE as string, world.cluster);
    const tick = context(env, (ports) => ({ metrics: { publish: ports.metrics.publish, history: (name, from, to) => unreachable.history(name, from, to) } }));
    const result = await handleTick(scheduled(), tick);
    if (result.status === 'dropped') throw new Error(result.reason);
    expect(result.decision.scaleOut).toEqual([expect.objectContaining({ group, count: 1, desired: 3 })]);
    expect(await desiredCapacity(c, group)).toBe(3);
    expect(tick.log.lines.filter((l) => l.level === 'warn' && /optional read failed: SchedulableTasks history/.test(l.message))).toHaveLength(1);
    expect(await metricValues(c, world, 'DegradedReads', 'Sum')).toEqual([1]);
  });
});
