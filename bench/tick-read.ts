/**
 * The read cost of a real tick: `handleTick` with the real adapters. ECS goes through the real SDK
 * client to the in-process endpoint (`ecs-endpoint.ts`) serving the synthetic cluster's pages;
 * Auto Scaling and CloudWatch are the real adapters over aws-sdk-client-mock (their calls are
 * counted, their payloads are small). Three ticks per cluster:
 *   cold    the first tick of a fresh Lambda container (every cache empty),
 *   steady  a warm tick whose metric history shows no excess held (no scale-in candidate),
 *   scaleIn a warm tick whose history shows excess held for the window (scale-in considered),
 *           after 1 % of the instances changed (new `version`, one task replaced each).
 * `readMs` times the steady tick's reads after 10 % of the instances changed since the previous
 * run (`READ_CHURN_PERCENT`), in a container that has read `WARM_READS` times already; responses
 * go through the SDK's own deserializer. `parseMs` (`JSON.parse` of the same bodies) is reported
 * beside it for scale only.
 * Peak heap: the largest `heapUsed` sampled every 2 ms during a tick, minus `heapUsed` after a
 * full GC before it (the fixture and the endpoint's serialised objects are not counted).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstanceTypesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../core/config';
import { AwsAutoScaling } from '../handlers/aws/autoscaling';
import { CloudWatchMetrics } from '../handlers/aws/cloudwatch';
import { Ec2InstanceCatalog } from '../handlers/aws/ec2';
import { EcsContainerService, clearReadCaches } from '../handlers/aws/ecs/ecs';
import { noQueue } from '../handlers/aws/sqs';
import { CLIENT_OPTIONS } from '../handlers/aws/util';
import type { HandlerContext } from '../handlers/app/context';
import type { Logger } from '../handlers/app/ports';
import { readForTick } from '../handlers/app/act';
import { handleInterruption } from '../handlers/interruption';
import { handleTick } from '../handlers/tick';
import { startEcsEndpoint } from './ecs-endpoint';
import { buildSyntheticCluster, type SyntheticCluster } from './synthetic-cluster';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface TickMeasure {
  readonly calls: number;
  readonly byOperation: Record<string, number>;
  readonly ms: number;
  readonly peakHeapMB: number;
}

export interface ReadCurvePoint {
  readonly instances: number;
  readonly tasks: number;
  readonly services: number;
  readonly groups: number;
  readonly cold: TickMeasure;
  readonly steady: TickMeasure;
  readonly scaleIn: TickMeasure;
  /** The first tick considering scale-in (task cache cold), for the peak heap. */
  readonly scaleInFirst: TickMeasure;
  /** One interruption-queue batch of Spot warnings (1 per 42 instances, 118 at 5,000), warm. */
  readonly storm: TickMeasure & { readonly warnings: number };
  /**
   * Time of the steady tick's reads alone (`readMs`: while a port read is in flight), median of
   * runs, READ_CHURN_PERCENT of the instances changed before each.
   */
  readonly readMs: number;
  /** The steady tick's whole read function (reads and the headroom computed between them), median. */
  readonly readPhaseMs: number;
  /** `JSON.parse` of the response bodies the steady tick received, median of runs (one after each read). */
  readonly parseMs: number;
  readonly readBytes: number;
}

/**
 * Share of the container instances that change between two steady ticks in `readMs` (a task placed
 * or stopped on each): a busy cluster. 50,000 tasks living two hours on average are 417
 * replacements a minute, each changing up to two of the 5,000 instances, 17 %; a day-long average
 * life gives 1.4 %.
 */
export const READ_CHURN_PERCENT = 10;
/**
 * Untimed reads (READ_CHURN_PERCENT changed before each) before the timed ones. A Lambda container
 * serving one tick a minute runs hundreds of ticks in its life, so its read path (the SDK's
 * middleware and deserializer, the reader) is JIT-optimised code; right after the first ticks it
 * still runs partly unoptimised.
 */
export const WARM_READS = 20;

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function sampled<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; peakHeapMB: number }> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 2);
  const start = process.hrtime.bigint();
  const value = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { value, ms, peakHeapMB: Math.round((peak - base) / 1e5) / 10 };
}

/** Samples of `SchedulableTasks`: held high for the whole window, or with one dip 3 minutes ago. */
function history(now: number, excessHeld: boolean): Array<{ Timestamp: Date; Value: number }> {
  return Array.from({ length: 15 }, (_, k) => ({ at: now - (k + 1) * 60_000, value: !excessHeld && k === 2 ? 0 : 1_000_000 })).map((s) => ({ Timestamp: new Date(s.at), Value: s.value }));
}

export async function measureReads(size: { instances: number; tasks: number; services: number; seed: number }, runs = 7): Promise<ReadCurvePoint> {
  // The fixture's object graphs are dropped once the endpoint and the mocks hold what they serve
  // (as JSON text), so the collector does not trace them during the measured reads: a Lambda's heap
  // holds only the handler's own state.
  let fixture: SyntheticCluster | undefined = buildSyntheticCluster(size);
  const cluster = { members: fixture.members, groups: fixture.groups, taskCount: fixture.taskCount };
  const endpoint = await startEcsEndpoint({ containerInstances: fixture.containerInstanceObjects, tasks: fixture.taskObjects, services: fixture.services });
  // Instances change between ticks: `churn(p)` replaces one task on p % of them, spread over the
  // pages (a new task ARN, so a new `version`), as placements and stops do on a live cluster. The
  // instances and their tasks are kept as JSON text for it.
  const current = new Map(fixture.containerInstanceObjects.map((ci) => [ci.containerInstanceArn as string, JSON.stringify(ci)]));
  const tasksByCi = new Map<string, string[]>();
  for (const t of fixture.taskObjects) {
    const ci = t.containerInstanceArn as string;
    const list = tasksByCi.get(ci);
    if (list === undefined) tasksByCi.set(ci, [JSON.stringify(t)]);
    else list.push(JSON.stringify(t));
  }
  fixture = undefined;
  const asg = mockClient(AutoScalingClient);
  const cw = mockClient(CloudWatchClient);
  const ec2 = mockClient(EC2Client);
  const specs: Record<string, [number, number]> = { 'm5.xlarge': [4, 16384], 'm5.2xlarge': [8, 32768], 'c5.2xlarge': [8, 16384] };
  ec2.on(DescribeInstanceTypesCommand).callsFake((input: { InstanceTypes?: string[] }) => ({
    InstanceTypes: (input.InstanceTypes ?? []).filter((t) => specs[t] !== undefined).map((t) => ({ InstanceType: t as 'm5.xlarge', VCpuInfo: { DefaultVCpus: specs[t]?.[0] }, MemoryInfo: { SizeInMiB: specs[t]?.[1] } })),
  }));
  const byGroup = new Map<string, typeof cluster.members>();
  for (const m of cluster.members) byGroup.set(m.group, [...(byGroup.get(m.group) ?? []), m]);
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: cluster.groups.map((g) => ({
      AutoScalingGroupName: g.name,
      MinSize: g.min,
      MaxSize: g.max,
      DesiredCapacity: g.desired,
      DefaultCooldown: 300,
      HealthCheckType: 'EC2',
      CreatedTime: new Date(0),
      AvailabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      Instances: (byGroup.get(g.name) ?? []).map((m) => ({ InstanceId: m.id, InstanceType: m.instanceType, LifecycleState: m.lifecycleState as 'InService', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false })),
    })),
  });
  asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
  let excessHeld = false;
  const now = Date.parse('2026-11-21T12:00:00Z');
  cw.on(GetMetricDataCommand).callsFake(() => {
    const h = history(now, excessHeld);
    return { MetricDataResults: [{ Id: 'h', StatusCode: 'Complete', Timestamps: h.map((s) => s.Timestamp), Values: h.map((s) => s.Value) }] };
  });
  cw.on(PutMetricDataCommand).resolves({});

  const config = loadConfig({ CLUSTER_NAME: 'bench', ASG_NAMES: cluster.groups.map((g) => g.name).join(','), DRY_RUN: 'true' });
  const client = new ECSClient({ ...CLIENT_OPTIONS, region: 'us-east-1', endpoint: endpoint.url, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const ctx: HandlerContext = {
    config,
    ports: {
      ecs: new EcsContainerService(client, config.clusterName, quiet),
      autoScaling: new AwsAutoScaling(new AutoScalingClient({ region: 'us-east-1' }), () => now),
      catalog: new Ec2InstanceCatalog(new EC2Client({ region: 'us-east-1' }), () => now),
      queue: noQueue,
      metrics: new CloudWatchMetrics(new CloudWatchClient({ region: 'us-east-1' }), config.metricsNamespace, config.clusterName),
      log: quiet,
      now: () => now,
    },
  };
  const callsNow = (): { calls: number; byOperation: Record<string, number> } => {
    const byOperation: Record<string, number> = Object.fromEntries(endpoint.calls);
    for (const c of [...asg.calls(), ...cw.calls(), ...ec2.calls()]) {
      const name = (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '');
      byOperation[name] = (byOperation[name] ?? 0) + 1;
    }
    return { calls: Object.values(byOperation).reduce((a, b) => a + b, 0), byOperation };
  };
  const resetCalls = (): void => {
    endpoint.reset();
    asg.resetHistory();
    cw.resetHistory();
    ec2.resetHistory();
  };
  const tick = async (): Promise<TickMeasure> => {
    resetCalls();
    const r = await sampled(() => handleTick({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, ctx));
    return { ...callsNow(), ms: Math.round(r.ms * 10) / 10, peakHeapMB: r.peakHeapMB };
  };

  const arns = [...current.keys()];
  let round = 0;
  const churn = (percent: number): void => {
    round++;
    const count = Math.min(arns.length, Math.ceil((arns.length * percent) / 100));
    const offset = (round * 7919) % arns.length;
    for (let k = 0; k < count; k++) {
      const arn = arns[(offset + Math.floor((k * arns.length) / count)) % arns.length] as string;
      const ci = JSON.parse(current.get(arn) as string) as Record<string, unknown>;
      const next = { ...ci, version: (ci.version as number) + 2 };
      const tasks = (tasksByCi.get(arn) ?? []).map((text) => JSON.parse(text) as Record<string, unknown>);
      const last = tasks[tasks.length - 1];
      if (last !== undefined) tasks[tasks.length - 1] = { ...last, taskArn: `${String(last.taskArn).replace(/-r\d+$/, '')}-r${round}` };
      current.set(arn, JSON.stringify(next));
      tasksByCi.set(arn, tasks.map((t) => JSON.stringify(t)));
      endpoint.update(next, tasks);
    }
    endpoint.refresh();
  };

  clearReadCaches();
  const cold = await tick();
  const steady = await tick();
  // readMs: the steady tick's reads, warm, median of runs, after READ_CHURN_PERCENT of the
  // instances changed before each run: the handler's own read function, timed only while a port
  // read is in flight (readPhaseMs: the whole function, with the headroom it computes between reads
  // to decide whether tasks are needed).
  const clock = readClock();
  const { ecs, autoScaling, catalog, metrics } = ctx.ports;
  const readCtx: HandlerContext = {
    ...ctx,
    ports: { ...ctx.ports, ecs: clock.wrap(ecs, ['snapshot', 'tasksOf']), autoScaling: clock.wrap(autoScaling, ['describeGroups']), catalog: clock.wrap(catalog, ['launchTemplate', 'instanceTypes']), metrics: clock.wrap(metrics, ['history']) },
  };
  for (let k = 0; k < WARM_READS; k++) {
    churn(READ_CHURN_PERCENT);
    resetCalls();
    await readForTick(readCtx, now);
  }
  let readBytes = 0;
  const readSamples: number[] = [];
  const phaseSamples: number[] = [];
  const parseSamples: number[] = [];
  for (let k = 0; k < runs; k++) {
    churn(READ_CHURN_PERCENT);
    resetCalls();
    clock.reset();
    const start = process.hrtime.bigint();
    await readForTick(readCtx, now);
    phaseSamples.push(Number(process.hrtime.bigint() - start) / 1e6);
    readSamples.push(clock.ms());
    // parseMs: the bodies this read received, parsed right after it (samples interleaved with the
    // reads', so a busy moment of a shared machine weighs on both sides alike).
    const bodies = [...endpoint.bodies];
    readBytes = bodies.reduce((n, body) => n + body.length, 0);
    const parseStart = process.hrtime.bigint();
    for (const body of bodies) JSON.parse(body);
    parseSamples.push(Number(process.hrtime.bigint() - parseStart) / 1e6);
  }
  const round1 = (ms: number): number => Math.round(ms * 10) / 10;

  // A storm: one SQS batch of Spot warnings, decided once (dry run: reads counted, nothing acted).
  const warnings = Math.max(1, Math.round(cluster.members.length / 42));
  const stormEvent = {
    Records: cluster.members.slice(0, warnings).map((m, k) => ({
      messageId: `m${k}`,
      eventSource: 'aws:sqs',
      body: JSON.stringify({ version: '0', id: `e${k}`, source: 'aws.ec2', 'detail-type': 'EC2 Spot Instance Interruption Warning', time: new Date(now).toISOString(), region: 'us-east-1', resources: [], detail: { 'instance-id': m.id, 'instance-action': 'terminate' } }),
    })),
  };
  resetCalls();
  const stormRun = await sampled(() => handleInterruption(stormEvent, ctx));
  const storm = { ...callsNow(), ms: Math.round(stormRun.ms * 10) / 10, peakHeapMB: stormRun.peakHeapMB, warnings };

  excessHeld = true;
  // The first tick that considers scale-in lists the cluster's tasks (cold task cache); the one
  // measured is the next, after the changes.
  const scaleInFirst = await tick();
  churn(1);
  const scaleIn = await tick();

  asg.restore();
  cw.restore();
  ec2.restore();
  client.destroy();
  await endpoint.close();
  return {
    instances: size.instances,
    tasks: cluster.taskCount,
    services: size.services,
    groups: cluster.groups.length,
    cold,
    steady,
    scaleIn,
    scaleInFirst,
    storm,
    readMs: round1(median(readSamples)),
    readPhaseMs: round1(median(phaseSamples)),
    parseMs: round1(median(parseSamples)),
    readBytes,
  };
}

/**
 * Wall time during which at least one read through the wrapped ports is in flight: the union of
 * their intervals (reads in parallel count once; the handler's computing between reads not at all).
 */
function readClock(): { wrap: <T extends object>(port: T, methods: ReadonlyArray<keyof T & string>) => T; reset: () => void; ms: () => number } {
  let inFlight = 0;
  let since = 0n;
  let total = 0n;
  return {
    wrap<T extends object>(port: T, methods: ReadonlyArray<keyof T & string>): T {
      const timed = Object.create(port) as Record<string, unknown>;
      for (const m of methods) {
        const fn = port[m] as unknown as (...args: unknown[]) => Promise<unknown>;
        timed[m] = async (...args: unknown[]): Promise<unknown> => {
          if (inFlight++ === 0) since = process.hrtime.bigint();
          try {
            return await fn.apply(port, args);
          } finally {
            if (--inFlight === 0) total += process.hrtime.bigint() - since;
          }
        };
      }
      return timed as T;
    },
    reset: () => {
      total = 0n;
    },
    ms: () => Number(total) / 1e6,
  };
}
