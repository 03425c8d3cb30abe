/**
 * The AWS implementation of every port, built once per Lambda container (cold start). Clients use
 * adaptive retries (client-side rate limiting and jittered back-off) so a storm of events does not
 * turn into a storm of throttling errors.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../../core/config';
import type { Logger, Ports } from '../ports';
import { AwsAutoScaling } from './autoscaling';
import { CloudWatchMetrics } from './cloudwatch';
import { Ec2InstanceCatalog } from './ec2';
import { EcsContainerService } from './ecs';
import { SqsDrainQueue, noQueue } from './sqs';
import { CLIENT_OPTIONS } from './util';

/** Longest string and array a log line carries (event text is someone else's input). */
const MAX_STRING = 1000;
const MAX_ITEMS = 50;

/** Bound strings and arrays anywhere in a value, saying how much was cut. */
function bounded(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.length > MAX_STRING) return `${value.slice(0, MAX_STRING)}… (${value.length - MAX_STRING} more characters)`;
  if (Array.isArray(value) && value.length > MAX_ITEMS) return [...value.slice(0, MAX_ITEMS), `… (${value.length - MAX_ITEMS} more items)`];
  return value;
}

/**
 * One JSON object per line: CloudWatch Logs Insights reads the fields. `level`, `message` and the
 * logger's own fields always win over a caller's fields of the same name, and every string and
 * array is bounded, so an event's text can neither forge a line nor flood the log.
 */
export function jsonLogger(base: Record<string, unknown> = {}, sink: (line: string) => void = (line) => console.log(line)): Logger {
  const write = (level: string, message: string, data?: Record<string, unknown>): void => sink(JSON.stringify({ ...data, ...base, level, message }, bounded));
  return {
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}

export function awsPorts(config: Config, log: Logger = jsonLogger({ cluster: config.clusterName })): Ports {
  const now = (): number => Date.now();
  return {
    ecs: new EcsContainerService(new ECSClient(CLIENT_OPTIONS), config.clusterName, log),
    autoScaling: new AwsAutoScaling(new AutoScalingClient(CLIENT_OPTIONS), now),
    catalog: new Ec2InstanceCatalog(new EC2Client(CLIENT_OPTIONS), now),
    queue: config.drainQueueUrl !== undefined ? new SqsDrainQueue(new SQSClient(CLIENT_OPTIONS), config.drainQueueUrl) : noQueue,
    metrics: new CloudWatchMetrics(new CloudWatchClient(CLIENT_OPTIONS), config.metricsNamespace, config.clusterName),
    log,
    now,
  };
}
