/**
 * Builds a cluster in moto through the AWS SDK, the way it exists in an account: an EC2 launch
 * template, Auto Scaling groups with a terminate lifecycle hook, an ECS cluster whose container
 * instances are those groups' EC2 instances (registered with an instance identity document and
 * total resources, as the ECS agent does), task definitions in bridge (dynamic and static host
 * port) and awsvpc network modes, REPLICA and DAEMON services, and the drain queue.
 *
 * moto registers every container instance as 4096 CPU units / 7482 MiB whatever `totalResources`
 * says (moto-gaps.md): the groups use c5.xlarge (4 vCPU, 8 GiB), which is what that looks like,
 * and `totalResources` sends the same numbers. Free resources are arranged the way ECS arranges
 * them: tasks started on chosen instances (StartTask) reserve CPU, memory and host ports.
 */
import { CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  type ContainerDefinition,
  type NetworkMode,
} from '@aws-sdk/client-ecs';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { Clients } from './moto';

export const INSTANCE_TYPE = 'c5.xlarge';
/** What moto registers for every container instance (and what we tell it in `totalResources`). */
export const REGISTERED = { cpu: 4096, memory: 7482 } as const;
export const HOOK_NAME = 'headroom-drain';
export const AZ = 'us-east-1a';
/** An AMI moto knows. */
const AMI = 'ami-12c6146b';

/** Task definition families of every world, by what they exercise. */
export const FAMILIES = {
  /** bridge, dynamic host port */
  web: { networkMode: 'bridge', container: { cpu: 512, memoryReservation: 1024, portMappings: [{ containerPort: 80, hostPort: 0 }] } },
  /** bridge, static host port 8080 */
  api: { networkMode: 'bridge', container: { cpu: 1024, memory: 2048, portMappings: [{ containerPort: 8080, hostPort: 8080 }] } },
  /** awsvpc (an ENI per task) */
  worker: { networkMode: 'awsvpc', container: { cpu: 256, memory: 512 } },
  /** the daemon */
  agent: { networkMode: 'bridge', container: { cpu: 128, memory: 256 } },
  /** standalone (RunTask / StartTask, no service) */
  batch: { networkMode: 'bridge', container: { cpu: 512, memory: 1024 } },
} as const satisfies Record<string, { networkMode: NetworkMode; container: Partial<ContainerDefinition> }>;
export type Family = keyof typeof FAMILIES;

export interface GroupSpec {
  readonly name: string;
  readonly size: number;
  readonly min?: number;
  readonly max?: number;
}

export interface WorldSpec {
  readonly cluster: string;
  readonly groups: readonly GroupSpec[];
  /** EC2 instances outside every group, registered with the cluster. */
  readonly unmanaged?: number;
  /** Services: REPLICA with this desired count (moto does not place their tasks), plus the daemon. */
  readonly services?: Partial<Record<Exclude<Family, 'batch' | 'agent'>, number>>;
  /** Extra REPLICA services of the web family (for pagination past 10 per DescribeServices). */
  readonly extraServices?: number;
}

export interface World {
  readonly cluster: string;
  readonly queueUrl: string;
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly unmanaged: readonly string[];
  /** Container instance ARN by EC2 instance id. */
  readonly arn: ReadonlyMap<string, string>;
  readonly taskDefinition: Readonly<Record<Family, string>>;
  readonly network: { awsvpcConfiguration: { subnets: string[]; securityGroups: string[] } };
  /** Environment of the functions for this world (add thresholds per test). */
  readonly env: Record<string, string>;
}

async function members(c: Clients, group: string): Promise<string[]> {
  const out = await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  return (out.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => i.InstanceId as string).sort();
}

export async function groupMembers(c: Clients, group: string): Promise<Array<{ id: string; state: string }>> {
  const out = await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  return (out.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => ({ id: i.InstanceId as string, state: i.LifecycleState as string }));
}

export async function desiredCapacity(c: Clients, group: string): Promise<number | undefined> {
  const out = await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  return out.AutoScalingGroups?.[0]?.DesiredCapacity;
}

/** Register EC2 instances with the cluster as the ECS agent does; returns container instance ARNs. */
export async function register(c: Clients, cluster: string, instanceIds: readonly string[], total: { cpu: number; memory: number } = REGISTERED): Promise<Map<string, string>> {
  const arns = new Map<string, string>();
  for (const id of instanceIds) {
    const out = await c.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster,
        instanceIdentityDocument: JSON.stringify({ instanceId: id, region: 'us-east-1', availabilityZone: AZ, instanceType: INSTANCE_TYPE, accountId: '123456789012' }),
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: total.cpu },
          { name: 'MEMORY', type: 'INTEGER', integerValue: total.memory },
          { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
        ],
      }),
    );
    arns.set(id, out.containerInstance?.containerInstanceArn as string);
  }
  return arns;
}

export async function buildWorld(c: Clients, spec: WorldSpec): Promise<World> {
  const { cluster } = spec;
  await c.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: `${cluster}-lt`, LaunchTemplateData: { ImageId: AMI, InstanceType: INSTANCE_TYPE } }));
  const groups = new Map<string, string[]>();
  for (const g of spec.groups) {
    await c.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: g.name,
        LaunchTemplate: { LaunchTemplateName: `${cluster}-lt`, Version: '$Latest' },
        MinSize: g.min ?? 0,
        MaxSize: g.max ?? g.size + 10,
        DesiredCapacity: g.size,
        AvailabilityZones: [AZ],
        LifecycleHookSpecificationList: [{ LifecycleHookName: HOOK_NAME, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 300, DefaultResult: 'CONTINUE' }],
      }),
    );
    groups.set(g.name, await members(c, g.name));
  }
  let unmanaged: string[] = [];
  if ((spec.unmanaged ?? 0) > 0) {
    const out = await c.ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: INSTANCE_TYPE, MinCount: spec.unmanaged, MaxCount: spec.unmanaged, Placement: { AvailabilityZone: AZ } }));
    unmanaged = (out.Instances ?? []).map((i) => i.InstanceId as string).sort();
  }
  await c.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const arn = await register(c, cluster, [...[...groups.values()].flat(), ...unmanaged]);

  // awsvpc tasks need a subnet that exists: the default VPC's subnet in the world's zone.
  const subnets = await c.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: [AZ] }] }));
  const subnet = subnets.Subnets?.[0]?.SubnetId as string;
  const groupsOut = await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }));
  const securityGroup = groupsOut.SecurityGroups?.[0]?.GroupId as string;
  const network = { awsvpcConfiguration: { subnets: [subnet], securityGroups: [securityGroup] } };
  const taskDefinition = {} as Record<Family, string>;
  for (const [family, def] of Object.entries(FAMILIES) as Array<[Family, (typeof FAMILIES)[Family]]>) {
    const out = await c.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-${family}`,
        networkMode: def.networkMode,
        containerDefinitions: [{ name: family, image: 'public.ecr.aws/docker/library/busybox:latest', essential: true, ...def.container } as ContainerDefinition],
      }),
    );
    taskDefinition[family] = out.taskDefinition?.taskDefinitionArn as string;
  }
  for (const [name, desired] of Object.entries(spec.services ?? {}) as Array<[Family, number]>) {
    await c.ecs.send(
      new CreateServiceCommand({ cluster, serviceName: name, taskDefinition: taskDefinition[name], desiredCount: desired, launchType: 'EC2', ...(FAMILIES[name].networkMode === 'awsvpc' ? { networkConfiguration: network } : {}) }),
    );
  }
  for (let k = 0; k < (spec.extraServices ?? 0); k++) {
    await c.ecs.send(new CreateServiceCommand({ cluster, serviceName: `web${k}`, taskDefinition: taskDefinition.web, desiredCount: 1, launchType: 'EC2' }));
  }
  await c.ecs.send(new CreateServiceCommand({ cluster, serviceName: 'agent', taskDefinition: taskDefinition.agent, schedulingStrategy: 'DAEMON', launchType: 'EC2' }));

  const queue = await c.sqs.send(new CreateQueueCommand({ QueueName: `${cluster}-drain` }));
  const env: Record<string, string> = {
    CLUSTER_NAME: cluster,
    ASG_NAMES: spec.groups.map((g) => g.name).join(','),
    // The functions validate the AWS form of the URL; moto finds the queue by its account and name.
    DRAIN_QUEUE_URL: `https://sqs.us-east-1.amazonaws.com/${new URL(queue.QueueUrl as string).pathname.slice(1)}`,
    METRICS_NAMESPACE: `Headroom/${cluster}`,
  };
  return { cluster, queueUrl: queue.QueueUrl as string, groups, unmanaged, arn, taskDefinition, network, env };
}

/**
 * Start `count` tasks of `family` on each of `instanceIds` (StartTask, 10 instances per call), as
 * service `service` (group `service:NAME`) or standalone. moto's services place no tasks of their
 * own (moto-gaps.md), so this is how a service's running tasks come to be. awsvpc tasks go through
 * RunTask (moto's StartTask drops `networkConfiguration`), which puts them on the first ACTIVE
 * instance with room rather than on the ones named.
 */
export async function place(c: Clients, world: World, family: Family, instanceIds: readonly string[], options: { service?: string; count?: number } = {}): Promise<string[]> {
  const taskArns: string[] = [];
  const group = options.service !== undefined ? `service:${options.service}` : `family:${world.cluster}-${family}`;
  const common = { cluster: world.cluster, taskDefinition: world.taskDefinition[family], group, ...(options.service !== undefined ? { startedBy: `ecs-svc/${options.service}` } : {}) };
  if (FAMILIES[family].networkMode === 'awsvpc') {
    const out = await c.ecs.send(new RunTaskCommand({ ...common, count: instanceIds.length * (options.count ?? 1), launchType: 'EC2', networkConfiguration: world.network }));
    return (out.tasks ?? []).map((t) => t.taskArn as string);
  }
  for (let n = 0; n < (options.count ?? 1); n++) {
    for (let k = 0; k < instanceIds.length; k += 10) {
      const batch = instanceIds.slice(k, k + 10).map((id) => world.arn.get(id) as string);
      const out = await c.ecs.send(new StartTaskCommand({ ...common, containerInstances: batch }));
      taskArns.push(...(out.tasks ?? []).map((t) => t.taskArn as string));
    }
  }
  return taskArns;
}
