/**
 * The AWS implementation of every port, built once per Lambda container (cold start). Clients use
 * adaptive retries (client-side rate limiting and jittered back-off) so a storm of events does not
 * turn into a storm of throttling errors.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../../core/config';
import type { Logger, Ports } from '../ports';
import { AwsAutoScaling } from './autoscaling';
import { CloudWatchMetrics } from './cloudwatch';
import { EcsContainerService } from './ecs';
import { SqsDrainQueue, noQueue } from './sqs';
import { CLIENT_OPTIONS } from './util';

/** One JSON object per line: CloudWatch Logs Insights reads the fields. */
export function jsonLogger(base: Record<string, unknown> = {}, sink: (line: string) => void = (line) => console.log(line)): Logger {
  const write = (level: string, message: string, data?: Record<string, unknown>): void => sink(JSON.stringify({ level, message, ...base, ...data }));
  return {
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}

/** `metricLine`: where Embedded Metric Format lines go (standard output in Lambda; tests capture them). */
export function awsPorts(config: Config, log: Logger = jsonLogger({ cluster: config.clusterName }), metricLine?: (line: string) => void): Ports {
  const now = (): number => Date.now();
  return {
    ecs: new EcsContainerService(new ECSClient(CLIENT_OPTIONS), config.clusterName, log),
    autoScaling: new AwsAutoScaling(new AutoScalingClient(CLIENT_OPTIONS), now),
    queue: config.drainQueueUrl !== undefined ? new SqsDrainQueue(new SQSClient(CLIENT_OPTIONS), config.drainQueueUrl) : noQueue,
    metrics: new CloudWatchMetrics(new CloudWatchClient(CLIENT_OPTIONS), config.metricsNamespace, config.clusterName, metricLine),
    log,
    now,
  };
}
