/**
 * What the ECS read path hands out more than once is read, never written. Its caches (service and
 * instance ARNs, task definitions, task reads keyed on instance versions) live across ticks, so a
 * write to anything they share would silently change what later ticks read. Here every output the
 * real ECS client returns and every result of the ECS port is deep-frozen as it is handed out, and
 * the reads, the ticks and the core run over them several times while the cluster changes a little:
 * in strict mode any write to a frozen object throws a TypeError and the test fails. `Date` setters
 * still work on a frozen `Date`, so each date's time is checked unchanged at the end.
 *
 * The cluster is the stateful fake of `fake-aws.ts`, answered over HTTP to a real ECS client
 * (`ecs-canned-client.ts`): the fake's outputs are written as the JSON ECS sends, so the client's
 * own deserializer reads them.
 */
import { types } from 'node:util';
import * as ecsCommands from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Instance } from '../../core/cluster';
import { EcsContainerService } from '../../handlers/aws/ecs/ecs';
import { errorMessage, errorName } from '../../handlers/aws/util';
import { planOf } from '../../handlers/app/act';
import type { ContainerService, Logger, SnapshotOptions } from '../../handlers/app/ports';
import { handleTick } from '../../handlers/tick';
import { clientServing, type Canned } from './ecs-canned-client';
import { sample } from './events';
import { BASE_ENV, CLUSTER, FakeAws, NOW, context, ecsMock, instanceArn, type TestContext } from './fake-aws';

/** Dates met while freezing, with the time each held then. */
type Dates = Map<Date, number>;

/** Freezes every object and array reachable from `value` (a Map's or Set's values walked too). */
function deepFreeze<T>(value: T, dates: Dates, seen = new WeakSet<object>()): T {
  if (value === null || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) return value;
  seen.add(value);
  if (types.isDate(value)) dates.set(value, value.getTime());
  const children = types.isMap(value) || types.isSet(value) ? [...value.values()] : Object.values(value);
  Object.freeze(value);
  for (const child of children) deepFreeze(child, dates, seen);
  return value;
}

/** The dates whose time changed since they were frozen. */
const moved = (dates: Dates): string[] => [...dates].filter(([d, t]) => d.getTime() !== t).map(([, t]) => new Date(t).toISOString());

/**
 * Epoch seconds for dates, as ECS writes timestamps on the wire (JSON 1.1). `types.isDate`: the
 * fake's `structuredClone` makes dates of Node's realm, not of the test's.
 */
function wire(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const v = this[key];
  return types.isDate(v) ? v.getTime() / 1000 : value;
}

type Command = Parameters<ECSClient['send']>[0];
const commands = ecsCommands as unknown as Record<string, (new (input: object) => Command) | undefined>;

/**
 * A real ECS client whose HTTP answers are the fake's answers
 * as JSON; errors as ECS sends them (`__type`). `fake-aws` stubs `send` on every ECSClient: this one
 * gets the SDK's own back. With `dates`, every output it returns is deep-frozen by a middleware
 * that runs last (initialize step, high priority).
 */
function httpClient(dates: Dates | undefined): ECSClient {
  const stubbed = new ecsCommands.ECSClient({ region: 'eu-west-1' });
  const answer = async (operation: string, input: Record<string, unknown>): Promise<Canned> => {
    const C = commands[`${operation}Command`];
    if (C === undefined) throw new Error(`no command ${operation}`);
    try {
      const { $metadata: _ignored, ...out } = ((await stubbed.send(new C(input))) ?? {}) as unknown as Record<string, unknown>;
      return { status: 200, body: JSON.stringify(out, wire) };
    } catch (error) {
      return { status: 400, body: JSON.stringify({ __type: errorName(error), message: errorMessage(error) }) };
    }
  };
  const client = clientServing(answer);
  client.send = (ecsMock.send as unknown as { wrappedMethod: ECSClient['send'] }).wrappedMethod;
  if (dates !== undefined) {
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        deepFreeze(result.output, dates);
        return result;
      },
      { step: 'initialize', name: 'deepFreezeOutputs', priority: 'high' },
    );
  }
  return client;
}

/** The port over the real adapter; with `dates`, everything it answers is deep-frozen first. */
function ecsPort(log: Logger, dates: Dates | undefined): ContainerService {
  const ecs = new EcsContainerService(httpClient(dates), CLUSTER, log);
  if (dates === undefined) return ecs;
  const frozen = <T>(p: Promise<T>): Promise<T> => p.then((v) => deepFreeze(v, dates));
  return {
    snapshot: (options?: SnapshotOptions) => frozen(ecs.snapshot(options)),
    tasksOf: (arns, options) => frozen(ecs.tasksOf(arns, options)),
    findInstances: (ids) => frozen(ecs.findInstances(ids)),
    setStatus: (arns, status) => ecs.setStatus(arns, status),
    setAttribute: (arns, name, value) => ecs.setAttribute(arns, name, value),
    stopTasks: (ids, reason) => ecs.stopTasks(ids, reason),
  };
}

const INSTANCES = 6;
const id = (k: number): string => `i-0feed00000000000${k}`;
const REGISTERED_AT = new Date(NOW - 86_400_000);

/**
 * Six instances over two groups (4 Spot-named, 2 on-demand), web tasks on the first four, an api
 * task on the fifth, the sixth a scale-in drain whose api task ECS is stopping, one task waiting
 * with no instance. Instances carry a version, task counts and `registeredAt`; tasks `createdAt`.
 */
function world(): FakeAws {
  const aws = new FakeAws().group('demo-spot', { desired: 4, max: 10, type: 'm5.xlarge' }).group('demo-ondemand', { desired: 2, max: 10, type: 'm5.xlarge' }).clusterCounts();
  aws.service('web', { desired: 8 }).service('api', { desired: 2 });
  for (let k = 1; k <= INSTANCES; k++) {
    const drain = k === INSTANCES ? { status: 'DRAINING', attributes: { 'headroom.scale-in': new Date(NOW - 60_000).toISOString() } } : {};
    aws.instance({ id: id(k), group: k <= 4 ? 'demo-spot' : 'demo-ondemand', remainingCpu: 3072, remainingMemory: 13_000, ...drain });
  }
  for (let k = 1; k <= 4; k++) [1, 2].forEach(() => aws.task(id(k), { service: 'web' }));
  aws.task(id(5), { service: 'api' });
  aws.task(id(6), { service: 'api', desiredStatus: 'STOPPED' });
  aws.provisioningTask();
  for (const t of aws.tasks.values()) Object.assign(t, { createdAt: new Date(NOW - 3_600_000) });
  for (const ci of aws.instances.values()) {
    const running = [...aws.tasks.values()].filter((t) => t.containerInstanceArn === ci.containerInstanceArn).length;
    Object.assign(ci, { version: 1, registeredAt: REGISTERED_AT, runningTasksCount: running, pendingTasksCount: 0 });
  }
  // Headroom held above the excess threshold for the whole window: the tick considers scale-in.
  aws.history = Array.from({ length: 15 }, (_, k) => ({ at: NOW - (k + 1) * 60_000, value: 1000 }));
  return aws;
}

/** A web task placed on instance k: its remaining CPU and memory drop, ECS bumps its version. */
function place(aws: FakeAws, k: number): void {
  aws.task(id(k), { service: 'web' });
  const ci = aws.instances.get(instanceArn(id(k)));
  if (ci === undefined) throw new Error(`no instance ${k}`);
  ci.remainingResources = (ci.remainingResources ?? []).map((r) => (r.name === 'CPU' || r.name === 'MEMORY' ? { ...r, integerValue: (r.integerValue ?? 0) - (r.name === 'CPU' ? 512 : 1024) } : r));
  Object.assign(ci, { version: (ci.version ?? 0) + 1, runningTasksCount: (ci.runningTasksCount ?? 0) + 1 });
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ROUNDS = 3;

describe('the ECS port’s reads over deep-frozen client outputs and port results', () => {
  type Read = (ecs: ContainerService) => Promise<Instance[]>;
  it.each<[string, Read]>([
    ['snapshot without tasks', async (ecs) => (await ecs.snapshot({ tasks: 'none' })).instances],
    ['snapshot with every task', async (ecs) => (await ecs.snapshot()).instances],
    [
      'snapshot, then tasksOf every instance with the waiting tasks',
      async (ecs) => {
        const { instances } = await ecs.snapshot({ tasks: 'none' });
        const { byInstance, waiting } = await ecs.tasksOf(instances.map((i) => i.arn ?? ''), { waiting: true });
        expect(waiting).toHaveLength(1);
        return instances.map((i) => ({ ...i, tasks: byInstance.get(i.arn ?? '') ?? [] }));
      },
    ],
    ['findInstances of every instance (with tasks, the drain check’s and interruption’s read)', (ecs) => ecs.findInstances(Array.from({ length: INSTANCES }, (_, k) => id(k + 1)))],
  ])('%s: three reads while one instance changes between them; nothing shared is written', async (_read, read: Read) => {
    const aws = world();
    const dates: Dates = new Map();
    const ecs = ecsPort(quiet, dates);
    const rounds: Instance[][] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r > 0) place(aws, r);
      rounds.push(await read(ecs));
    }
    const [first, , last] = rounds.map((instances) => new Map(instances.map((i) => [i.id, i])));
    // What changed was read: instance 1 gained a task in round 2, instance 2 in round 3.
    expect([1, 2].map((k) => last?.get(id(k))?.remaining)).toEqual([
      { cpu: 3072 - 512, memory: 13_000 - 1024 },
      { cpu: 3072 - 512, memory: 13_000 - 1024 },
    ]);
    expect(last?.get(id(3))?.remaining).toEqual(first?.get(id(3))?.remaining);
    expect(dates.size).toBeGreaterThan(0);
    expect(moved(dates)).toEqual([]);
  });
});

describe('ticks (read, decide, act) over deep-frozen client outputs and port results', () => {
  /** Three ticks (scheduled, a PROVISIONING event, scheduled), one instance changing between them. */
  async function ticks(dates: Dates | undefined): Promise<{ plans: unknown[]; statusChanges: unknown; attributes: unknown; errors: unknown[] }> {
    const aws = world();
    const base = context(BASE_ENV);
    const ctx: TestContext = { ...base, ports: { ...base.ports, ecs: ecsPort(base.ports.log, dates) } };
    const plans: unknown[] = [];
    const events = ['tick/scheduled.json', 'tick/task-provisioning.json', 'tick/scheduled.json'];
    for (const [r, event] of events.entries()) {
      if (r > 0) place(aws, r);
      const result = await handleTick(sample(event), ctx);
      if (result.status === 'dropped') throw new Error(`tick dropped: ${result.reason}`);
      plans.push(planOf(result.decision));
    }
    return { plans, statusChanges: aws.statusChanges, attributes: aws.attributeChanges, errors: base.lines.filter((l) => l.level === 'error') };
  }

  it('three ticks act as they do without freezing, no write to a shared object, every date unchanged', async () => {
    const dates: Dates = new Map();
    const frozen = await ticks(dates);
    expect(frozen.errors).toEqual([]);
    expect(frozen).toEqual(await ticks(undefined));
    // The ticks did act (a scale-in drain started, through the real client), so the comparison has content.
    expect(frozen.statusChanges).not.toEqual([]);
    expect(dates.size).toBeGreaterThan(0);
    expect(moved(dates)).toEqual([]);
  });
});
