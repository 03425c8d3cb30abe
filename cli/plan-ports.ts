/**
 * The ports `npm run plan` uses: the same AWS adapters as the Lambda functions, with only their
 * read methods exposed. The type has no write method, and the objects built here hold nothing
 * else (not the adapter instances), so neither a type error nor a cast can reach a mutating call.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { CapacityProviderSetup } from '../core/capacity-providers';
import type { Config } from '../core/config';
import { AwsAutoScaling } from '../handlers/aws/autoscaling';
import { CloudWatchMetrics } from '../handlers/aws/cloudwatch';
import { Ec2InstanceCatalog } from '../handlers/aws/ec2';
import { EcsContainerService } from '../handlers/aws/ecs/ecs';
import { clusterStatus, describeCapacityProviders } from '../handlers/aws/ecs/ecs-setup';
import { CLI_CLIENT_OPTIONS } from './sdk-options';
import type { AutoScaling, ContainerService, InstanceCatalog, Logger, Metrics } from '../handlers/app/ports';

/** The read methods, port by port: everything `plan` may call. */
export const READ_METHODS = {
  ecs: ['snapshot', 'tasksOf'],
  autoScaling: ['describeGroups'],
  catalog: ['launchTemplate', 'instanceTypes'],
  metrics: ['history'],
  setup: ['capacityProviders', 'status'],
} as const;

/** What the deployment check reads of the cluster's setup. */
export interface ClusterSetup {
  capacityProviders(): Promise<CapacityProviderSetup[]>;
  /** `ACTIVE` for a cluster that exists and runs; `MISSING`, `INACTIVE`, … otherwise (`clusterStatus`). */
  status(): Promise<string>;
}

type Read<T, K extends keyof T> = { readonly [P in K]: T[P] };

export interface ReadOnlyPorts {
  readonly ecs: Read<ContainerService, (typeof READ_METHODS.ecs)[number]>;
  readonly autoScaling: Read<AutoScaling, (typeof READ_METHODS.autoScaling)[number]>;
  readonly catalog: Read<InstanceCatalog, (typeof READ_METHODS.catalog)[number]>;
  readonly metrics: Read<Metrics, (typeof READ_METHODS.metrics)[number]>;
  readonly setup: Read<ClusterSetup, (typeof READ_METHODS.setup)[number]>;
  readonly log: Logger;
  readonly now: () => number;
}

/** Read-only views over full ports (AWS adapters, or in-memory ones in tests); without `setup`, the cluster exists and has no capacity provider. */
export function readOnly(ports: { ecs: ContainerService; autoScaling: AutoScaling; catalog: InstanceCatalog; metrics: Metrics; setup?: ClusterSetup; log: Logger; now: () => number }): ReadOnlyPorts {
  const setup = ports.setup;
  return Object.freeze({
    ecs: Object.freeze({
      snapshot: (...args: Parameters<ContainerService['snapshot']>) => ports.ecs.snapshot(...args),
      tasksOf: (...args: Parameters<ContainerService['tasksOf']>) => ports.ecs.tasksOf(...args),
    }),
    autoScaling: Object.freeze({ describeGroups: (names: readonly string[]) => ports.autoScaling.describeGroups(names) }),
    catalog: Object.freeze({
      launchTemplate: (...args: Parameters<InstanceCatalog['launchTemplate']>) => ports.catalog.launchTemplate(...args),
      instanceTypes: (...args: Parameters<InstanceCatalog['instanceTypes']>) => ports.catalog.instanceTypes(...args),
    }),
    metrics: Object.freeze({ history: (...args: Parameters<Metrics['history']>) => ports.metrics.history(...args) }),
    setup: Object.freeze({
      capacityProviders: async () => (setup !== undefined ? setup.capacityProviders() : []),
      status: async () => (setup !== undefined ? setup.status() : 'ACTIVE'),
    }),
    log: ports.log,
    now: ports.now,
  });
}

/** The AWS adapters with the caller's credentials (the SDK's default chain), read side only. */
export function awsReadOnlyPorts(config: Config, log: Logger): ReadOnlyPorts {
  const now = (): number => Date.now();
  const ecsClient = new ECSClient(CLI_CLIENT_OPTIONS);
  const ecs = new EcsContainerService(ecsClient, config.clusterName, log);
  const setup: ClusterSetup = { capacityProviders: () => describeCapacityProviders(ecsClient, config.clusterName), status: () => clusterStatus(ecsClient, config.clusterName) };
  const autoScaling = new AwsAutoScaling(new AutoScalingClient(CLI_CLIENT_OPTIONS), now);
  const catalog = new Ec2InstanceCatalog(new EC2Client(CLI_CLIENT_OPTIONS), now);
  const metrics = new CloudWatchMetrics(new CloudWatchClient(CLI_CLIENT_OPTIONS), config.metricsNamespace, config.clusterName);
  return readOnly({ ecs, autoScaling, catalog, metrics, setup, log, now });
}
