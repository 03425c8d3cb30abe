/**
 * The AWS implementation of every port, built once per Lambda container (cold start). Clients use
 * adaptive retries (client-side rate limiting and jittered back-off) so a storm of events does not
 * turn into a storm of throttling errors.
 *
 * Each function bundles only the clients it constructs: the tick, which never enqueues a drain
 * check, uses `awsPortsWith(() => noQueue)` and its bundle carries no SQS client.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { Config } from '../../core/config';
import type { DrainQueue, Logger, Ports } from '../ports';
import { AwsAutoScaling } from './autoscaling';
import { CloudWatchMetrics } from './cloudwatch';
import { Ec2InstanceCatalog } from './ec2';
import { EcsContainerService } from './ecs';
import { sqsQueue } from './sqs';
import { jsonLogger } from './logger';
import { CLIENT_OPTIONS } from './util';

export { jsonLogger };

/** A ports factory whose drain queue comes from `queue` (ECS, Auto Scaling and CloudWatch always). */
export function awsPortsWith(queue: (config: Config) => DrainQueue): (config: Config, log?: Logger) => Ports {
  return (config, log = jsonLogger({ cluster: config.clusterName })) => {
    const now = (): number => Date.now();
    return {
      ecs: new EcsContainerService(new ECSClient(CLIENT_OPTIONS), config.clusterName, log),
      autoScaling: new AwsAutoScaling(new AutoScalingClient(CLIENT_OPTIONS), now),
      catalog: new Ec2InstanceCatalog(new EC2Client(CLIENT_OPTIONS), now),
      queue: queue(config),
      metrics: new CloudWatchMetrics(new CloudWatchClient(CLIENT_OPTIONS), config.metricsNamespace, config.clusterName),
      log,
      now,
    };
  };
}

/** Every port, the drain queue on SQS when `DRAIN_QUEUE_URL` is set. */
export const awsPorts = /* @__PURE__ */ awsPortsWith(sqsQueue);
