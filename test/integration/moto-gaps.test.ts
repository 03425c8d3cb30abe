/**
 * Pins every moto gap the suite works around (moto-gaps.md): each case asserts moto still behaves
 * that way, so the day moto closes a gap this file fails and the workaround can go. None of these
 * cases says anything about Headroom; the behaviour moto lacks is covered by the fakes named in
 * moto-gaps.md.
 */
import {
  CompleteLifecycleActionCommand,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, ListMetricsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeSpotPriceHistoryCommand } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  PutAttributesCommand,
  StartTaskCommand,
} from '@aws-sdk/client-ecs';
import { clients, describeMoto, MOTO_ENDPOINT, unique } from './moto';
import { setTaskProgression } from './moto-server';
import { AZ, buildWorld, desiredCapacity, groupMembers, HOOK_NAME, INSTANCE_TYPE, place, REGISTERED, register, type World } from './world';

const c = clients();

function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

describeMoto('moto gaps (each pinned, so a fixed gap shows up here)', () => {
  let world: World;
  let group: string;
  let ids: string[];
  beforeAll(async () => {
    group = unique('gaps-g');
    world = await buildWorld(c, { cluster: unique('gaps'), groups: [{ name: group, size: 4 }], services: { web: 3, worker: 1 }, extraServices: 10 });
    ids = [...(world.groups.get(group) ?? [])];
  });

  it('CompleteLifecycleAction and RecordLifecycleActionHeartbeat are not implemented (HTTP 500)', async () => {
    const hook = { AutoScalingGroupName: group, LifecycleHookName: HOOK_NAME, InstanceId: ids[0] };
    const complete = await c.asg.send(new CompleteLifecycleActionCommand({ ...hook, LifecycleActionResult: 'CONTINUE' })).then(() => 'ok', (e: unknown) => status(e));
    const heartbeat = await c.asg.send(new RecordLifecycleActionHeartbeatCommand(hook)).then(() => 'ok', (e: unknown) => status(e));
    expect({ complete, heartbeat }).toEqual({ complete: 500, heartbeat: 500 });
  });

  it('a terminate lifecycle hook does not hold the instance in Terminating:Wait: it leaves the group at once', async () => {
    const victim = ids[3] as string;
    await c.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: true }));
    const members = await groupMembers(c, group);
    expect(members.find((m) => m.id === victim)).toBeUndefined();
    expect(members.map((m) => m.state)).not.toContain('Terminating:Wait');
  });

  it('a new member is InService at once and no launch activity is recorded', async () => {
    const before = new Set((await groupMembers(c, group)).map((m) => m.id));
    await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: before.size + 1 }));
    const added = (await groupMembers(c, group)).filter((m) => !before.has(m.id));
    expect(added.map((m) => m.state)).toEqual(['InService']);
    const activities = await c.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: group }));
    expect((activities.Activities ?? []).filter((a) => /^Launching/i.test(a.Description ?? ''))).toEqual([]);
  });

  it('services place no tasks, and report pendingCount = desiredCount whatever runs', async () => {
    const before = await c.ecs.send(new ListTasksCommand({ cluster: world.cluster }));
    expect(before.taskArns ?? []).toHaveLength(0);
    await place(c, world, 'web', ids.slice(0, 3), { service: 'web' });
    const svc = (await c.ecs.send(new DescribeServicesCommand({ cluster: world.cluster, services: ['web'] }))).services?.[0];
    expect({ running: svc?.runningCount, pending: svc?.pendingCount, desired: svc?.desiredCount }).toEqual({ running: 0, pending: 3, desired: 3 });
  });

  it('DescribeTasks advances a task one state per call unless the state manager is manual', async () => {
    const [task] = await place(c, world, 'batch', ids.slice(0, 1));
    const describe = async (): Promise<string | undefined> => (await c.ecs.send(new DescribeTasksCommand({ cluster: world.cluster, tasks: [task as string] }))).tasks?.[0]?.lastStatus;
    expect([await describe(), await describe()]).toEqual(['RUNNING', 'RUNNING']);
    await setTaskProgression(MOTO_ENDPOINT as string, 'immediate');
    try {
      expect(await describe()).not.toBe('RUNNING');
    } finally {
      await setTaskProgression(MOTO_ENDPOINT as string, 'manual');
    }
  });

  it('PutAttributes with targetType and a full container instance ARN fails; the same ARN without targetType works', async () => {
    const arn = world.arn.get(ids[0] as string) as string;
    const withType = await c.ecs
      .send(new PutAttributesCommand({ cluster: world.cluster, attributes: [{ name: 'probe', value: '1', targetType: 'container-instance', targetId: arn }] }))
      .then(() => 'ok', (e: unknown) => (e as Error).name);
    expect(withType).toBe('TargetNotFoundException');
    await c.ecs.send(new PutAttributesCommand({ cluster: world.cluster, attributes: [{ name: 'probe', value: '1', targetId: arn }] }));
    const ci = (await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: [arn] }))).containerInstances?.[0];
    expect(ci?.attributes?.find((a) => a.name === 'probe')?.value).toBe('1');
  });

  it('gzip-compressed request bodies fail (the SDK compresses PutMetricData unless told not to)', async () => {
    const gzip = new CloudWatchClient({ disableRequestCompression: false, requestMinCompressionSizeBytes: 0 });
    const put = new PutMetricDataCommand({ Namespace: `Probe/${world.cluster}`, MetricData: [{ MetricName: 'Probe', Value: 1 }] });
    await expect(gzip.send(put)).rejects.toBeDefined();
    await expect(c.cw.send(put)).resolves.toBeDefined();
  });

  it('RegisterContainerInstance ignores totalResources: every instance registers 4096 CPU / 7482 MiB', async () => {
    const out = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: [world.arn.get(ids[0] as string) as string] }));
    const reg = out.containerInstances?.[0]?.registeredResources ?? [];
    expect({ cpu: reg.find((r) => r.name === 'CPU')?.integerValue, memory: reg.find((r) => r.name === 'MEMORY')?.integerValue }).toEqual(REGISTERED);
    // Registering again with twice the resources changes nothing.
    const [again] = (await register(c, world.cluster, [ids[2] as string], { cpu: 2 * REGISTERED.cpu, memory: 2 * REGISTERED.memory })).values();
    const big = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: [again as string] }));
    expect(big.containerInstances?.[0]?.registeredResources?.find((r) => r.name === 'CPU')?.integerValue).toBe(REGISTERED.cpu);
  });

  it('List* calls ignore maxResults and ListContainerInstances ignores filter: everything comes in one page', async () => {
    const services = await c.ecs.send(new ListServicesCommand({ cluster: world.cluster, maxResults: 10 }));
    expect((services.serviceArns ?? []).length).toBeGreaterThan(10);
    expect(services.nextToken).toBeUndefined();
    const filtered = await c.ecs.send(new ListContainerInstancesCommand({ cluster: world.cluster, filter: `ec2InstanceId == ${ids[0]}` }));
    expect((filtered.containerInstanceArns ?? []).length).toBeGreaterThan(1);
  });

  it('StartTask drops networkConfiguration, so awsvpc tasks can only be started with RunTask', async () => {
    const start = c.ecs.send(
      new StartTaskCommand({ cluster: world.cluster, taskDefinition: world.taskDefinition.worker, containerInstances: [world.arn.get(ids[0] as string) as string], networkConfiguration: world.network }),
    );
    await expect(start).rejects.toThrow(/Network Configuration must be provided/);
  });

  /** A fresh group from the world's launch template (one zone unless told otherwise). */
  const newGroup = async (name: string, opts: { min: number; max: number; desired: number; zones?: string[]; weights?: Record<string, string> }): Promise<void> => {
    const template = { LaunchTemplateName: `${world.cluster}-lt`, Version: '$Latest' };
    await c.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        MinSize: opts.min,
        MaxSize: opts.max,
        DesiredCapacity: opts.desired,
        AvailabilityZones: opts.zones ?? [AZ],
        ...(opts.weights !== undefined
          ? { MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: template, Overrides: Object.entries(opts.weights).map(([InstanceType, WeightedCapacity]) => ({ InstanceType, WeightedCapacity })) } } }
          : { LaunchTemplate: template }),
      }),
    );
  };

  it('SetDesiredCapacity outside [min, max] is not refused (AWS answers ValidationError)', async () => {
    const name = unique('gaps-bounds');
    await newGroup(name, { min: 1, max: 2, desired: 1 });
    const above = await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 5 })).then(() => 'ok', (e: unknown) => (e as Error).name);
    const afterAbove = await desiredCapacity(c, name);
    const below = await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 0 })).then(() => 'ok', (e: unknown) => (e as Error).name);
    expect({ above, afterAbove, below, afterBelow: await desiredCapacity(c, name) }).toEqual({ above: 'ok', afterAbove: 5, below: 'ok', afterBelow: 0 });
  });

  it('TerminateInstanceInAutoScalingGroup with the decrement at min is not refused (AWS answers ValidationError)', async () => {
    const name = unique('gaps-min');
    await newGroup(name, { min: 1, max: 3, desired: 1 });
    const [only] = await groupMembers(c, name);
    const answer = await c.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: only?.id, ShouldDecrementDesiredCapacity: true })).then(() => 'ok', (e: unknown) => (e as Error).name);
    expect({ answer, desired: await desiredCapacity(c, name) }).toEqual({ answer: 'ok', desired: 0 });
  });

  it('launches are not balanced across the group zones: all land in one (AWS spreads them evenly)', async () => {
    const name = unique('gaps-zones');
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
    await newGroup(name, { min: 0, max: 10, desired: 6, zones });
    const out = await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
    const perZone = zones.map((z) => (out.AutoScalingGroups?.[0]?.Instances ?? []).filter((i) => i.AvailabilityZone === z).length);
    expect(perZone.sort()).toEqual([0, 0, 6]);
  });

  it('weights are honoured on launch only: a decrement lowers desired by 1 and members carry no WeightedCapacity', async () => {
    const name = unique('gaps-weights');
    await newGroup(name, { min: 0, max: 20, desired: 4, weights: { [INSTANCE_TYPE]: '2' } });
    const out = await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
    const members = out.AutoScalingGroups?.[0]?.Instances ?? [];
    const [first] = members;
    const decrement = await c.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: first?.InstanceId, ShouldDecrementDesiredCapacity: true }));
    // Desired 4 in units of weight 2: two instances, as on AWS; then the decrement takes 1, not 2.
    expect({ launched: members.length, weights: members.map((m) => m.WeightedCapacity), desiredAfterDecrement: await desiredCapacity(c, name), decrement: decrement.$metadata.httpStatusCode }).toEqual({ launched: 2, weights: [undefined, undefined], desiredAfterDecrement: 3, decrement: 200 });
  });

  it('container instances never carry version, so the adapters\' version cache is never exercised here', async () => {
    const out = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: [world.arn.get(ids[0] as string) as string] }));
    expect(out.containerInstances?.[0]).toBeDefined();
    expect(out.containerInstances?.[0]?.version).toBeUndefined();
  });
});

describeMoto('moto gaps of npm run record (each pinned)', () => {
  it('has no Pricing API: GetProducts fails', async () => {
    await expect(new PricingClient({ region: 'us-east-1', maxAttempts: 1 }).send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', Filters: [{ Type: 'TERM_MATCH', Field: 'instanceType', Value: 'm5.large' }] }))).rejects.toThrow();
  });

  it('DescribeSpotPriceHistory gives one fixed price for every type, whatever StartTime asks', async () => {
    const out = await c.ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['m5.large', 'c5.xlarge'], StartTime: new Date(Date.now() - 3_600_000), ProductDescriptions: ['Linux/UNIX'] }));
    const history = out.SpotPriceHistory ?? [];
    expect(history.length).toBeGreaterThan(0);
    expect(new Set(history.map((h) => h.SpotPrice))).toEqual(new Set(['0.00001']));
    expect(history.every((h) => (h.Timestamp?.getTime() ?? 0) < Date.now() - 3_600_000)).toBe(true);
  });

  it('publishes no Container Insights metric for a cluster with running tasks', async () => {
    const cluster = unique('gaps-ci');
    const world = await buildWorld(c, { cluster, groups: [{ name: unique('gaps-ci-g'), size: 1 }], services: { web: 1 } });
    await place(c, world, 'web', [...(world.groups.values())].flat(), { service: 'web' });
    const metrics = await c.cw.send(new ListMetricsCommand({ Namespace: 'ECS/ContainerInsights', Dimensions: [{ Name: 'ClusterName', Value: cluster }] }));
    expect(metrics.Metrics ?? []).toEqual([]);
  });
});
