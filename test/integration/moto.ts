/**
 * What every integration test shares: whether moto runs, SDK clients pointed at it, a logger that
 * keeps its lines, and a handler context built exactly as the Lambda entry builds it
 * (`loadConfig` + `awsPorts`: the real adapters), with an optional port replaced by a fake where
 * moto lacks the API (see `moto-gaps.md`).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type StandardUnit, type Statistic } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDrainQueue } from '../../handlers/aws/sqs';
import { CLIENT_OPTIONS } from '../../handlers/aws/util';
import { loadConfig } from '../../core/config';
import { awsPorts } from '../../handlers/aws/ports';
import { CloudWatchMetrics } from '../../handlers/aws/cloudwatch';
import type { HandlerContext } from '../../handlers/app/context';
import type { Logger, Ports } from '../../handlers/app/ports';

/** The moto endpoint the global setup started, or undefined when moto is not installed. */
export const MOTO_ENDPOINT = process.env.HEADROOM_MOTO_ENDPOINT;

/** `describe` when moto runs; otherwise the block is skipped (the global setup printed why). */
export const describeMoto: jest.Describe = MOTO_ENDPOINT !== undefined ? describe : describe.skip;

export interface Clients {
  readonly ec2: EC2Client;
  readonly asg: AutoScalingClient;
  readonly ecs: ECSClient;
  readonly sqs: SQSClient;
  readonly cw: CloudWatchClient;
}

/** Clients for building and inspecting the world (the endpoint and credentials come from the environment). */
export function clients(): Clients {
  return { ec2: new EC2Client({}), asg: new AutoScalingClient({}), ecs: new ECSClient({}), sqs: new SQSClient({}), cw: new CloudWatchClient({}) };
}

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly data?: Record<string, unknown>;
}

export function captureLog(): Logger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, data?: Record<string, unknown>) => {
    lines.push({ level, message, ...(data !== undefined ? { data } : {}) });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A handler context over the real AWS adapters (talking to moto), like `lambdaEntry` builds it. */
export function context(env: Record<string, string>, replace: (ports: Ports) => Partial<Ports> = () => ({})): HandlerContext & { log: ReturnType<typeof captureLog> } {
  const log = captureLog();
  const config = loadConfig(env);
  const ports = awsPorts(config, log);
  // The functions accept only the AWS form of the queue URL and the SDK sends to that URL's host:
  // the same adapter gets moto's URL for the same queue (moto-gaps.md).
  const aws = /^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com\/(\d+\/[^/]+)$/.exec(config.drainQueueUrl ?? '');
  const queue = aws?.[1] !== undefined && MOTO_ENDPOINT !== undefined ? { queue: new SqsDrainQueue(new SQSClient(CLIENT_OPTIONS), `${MOTO_ENDPOINT}/${aws[1]}`) } : {};
  const withQueue = { ...ports, ...queue, metrics: emfIntoMoto(config.metricsNamespace, config.clusterName) };
  return { config, ports: { ...withQueue, ...replace(withQueue) }, log };
}

/**
 * The real CloudWatch adapter (EMF writer + GetMetricData history), with CloudWatch Logs' EMF
 * extraction played by this suite: moto has no Logs-to-metrics extraction (moto-gaps.md), so each
 * EMF line the adapter writes is parsed per the EMF specification (`_aws.CloudWatchMetrics[]`:
 * namespace, dimension keys, metric names and units; values as top-level members, a value or an
 * array of values) and put into moto with PutMetricData before `publish` resolves. What the
 * handlers publish is thus read back from CloudWatch through the adapter's own history read.
 */
function emfIntoMoto(namespace: string, cluster: string): Ports['metrics'] {
  const lines: string[] = [];
  const real = new CloudWatchMetrics(new CloudWatchClient(CLIENT_OPTIONS), namespace, cluster, (line) => void lines.push(line));
  const cw = new CloudWatchClient({});
  return {
    history: (name, from, to) => real.history(name, from, to),
    async publish(datums, at) {
      await real.publish(datums, at);
      for (const line of lines.splice(0)) {
        const doc = JSON.parse(line) as Record<string, unknown> & {
          _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
        };
        for (const directive of doc._aws.CloudWatchMetrics) {
          const dims = (directive.Dimensions[0] ?? []).map((key) => ({ Name: key, Value: String(doc[key]) }));
          const data = directive.Metrics.flatMap((m) =>
            [doc[m.Name]].flat().map((v) => ({ MetricName: m.Name, Unit: m.Unit as StandardUnit, Value: Number(v), Dimensions: dims, Timestamp: new Date(doc._aws.Timestamp) })),
          );
          await cw.send(new PutMetricDataCommand({ Namespace: directive.Namespace, MetricData: data }));
        }
      }
    },
  };
}

/** A unique suffix per run: names never collide with (or contain) another file's. */
export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}x`;
}

/** Poll `read` until `ok` holds or `timeoutMs` passes (for SQS delays, which are real seconds). */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    value = await read();
  }
  return value;
}

/** The per-minute values of one of a world's metrics over the last ten minutes, read from CloudWatch. */
export async function metricValues(c: Clients, world: { cluster: string; env: Record<string, string> }, name: string, stat: Statistic): Promise<number[]> {
  const now = Date.now();
  const out = await c.cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(now - 10 * 60_000),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: world.env.METRICS_NAMESPACE, MetricName: name, Dimensions: [{ Name: 'ClusterName', Value: world.cluster }] }, Period: 60, Stat: stat } }],
    }),
  );
  return out.MetricDataResults?.[0]?.Values ?? [];
}
