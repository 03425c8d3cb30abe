/**
 * The AWS implementation of every port, built once per Lambda container (cold start). Clients use
 * adaptive retries (client-side rate limiting and jittered back-off) so a storm of events does not
 * turn into a storm of throttling errors.
 *
 * Each function bundles only the clients it constructs (`awsPortsWith`): the tick never enqueues a
 * drain check (no SQS client), drain checks and lifecycle actions never size a group (no EC2
 * client, whose schemas alone are about half a megabyte of bundle).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { Config } from '../../core/config';
import type { DrainQueue, InstanceCatalog, Logger, Ports } from '../app/ports';
import { AwsAutoScaling } from './autoscaling';
import { CloudWatchMetrics } from './cloudwatch';
import { Ec2InstanceCatalog } from './ec2';
import { EcsContainerService } from './ecs/ecs';
import { sqsQueue } from './sqs';
import { jsonLogger } from './logger';
import { CLIENT_OPTIONS } from './util';

export { jsonLogger };

/** The clients a function uses besides ECS, Auto Scaling and CloudWatch (every function uses those). */
export interface PortChoices {
  readonly queue: (config: Config) => DrainQueue;
  readonly catalog: (now: () => number) => InstanceCatalog;
}

/** Used where no group is sized (drain checks, lifecycle actions): looking one up is a programming error. */
export const noCatalog: InstanceCatalog = {
  launchTemplate: async () => {
    throw new Error('the EC2 instance catalog is not available to this handler');
  },
  instanceTypes: async () => {
    throw new Error('the EC2 instance catalog is not available to this handler');
  },
};

/** EC2 launch templates and instance types, cached for the container's life. */
export function ec2Catalog(now: () => number): InstanceCatalog {
  return new Ec2InstanceCatalog(new EC2Client(CLIENT_OPTIONS), now);
}

/**
 * A ports factory with the drain queue and instance catalog `choices` builds. `metricLine`: where
 * Embedded Metric Format lines go (standard output in Lambda; tests capture them).
 */
export function awsPortsWith(choices: PortChoices): (config: Config, log?: Logger, metricLine?: (line: string) => void) => Ports {
  return (config, log = jsonLogger({ cluster: config.clusterName }), metricLine) => {
    const now = (): number => Date.now();
    return {
      ecs: new EcsContainerService(new ECSClient(CLIENT_OPTIONS), config.clusterName, log),
      autoScaling: new AwsAutoScaling(new AutoScalingClient(CLIENT_OPTIONS), now),
      catalog: choices.catalog(now),
      queue: choices.queue(config),
      metrics: new CloudWatchMetrics(new CloudWatchClient(CLIENT_OPTIONS), config.metricsNamespace, config.clusterName, metricLine),
      log,
      now,
    };
  };
}

/** Every port: the drain queue on SQS when `DRAIN_QUEUE_URL` is set, the EC2 catalog. */
export const awsPorts = /* @__PURE__ */ awsPortsWith({ queue: sqsQueue, catalog: ec2Catalog });
