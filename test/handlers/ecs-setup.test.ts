import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeCapacityProvidersCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsAutoScaling } from '../../handlers/aws/autoscaling';
import { clusterStatus, describeCapacityProviders, groupNameOf } from '../../handlers/aws/ecs/ecs-setup';

const ecs = mockClient(ECSClient);
const asg = mockClient(AutoScalingClient);
const asgArn = (name: string): string => `arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:0a1b2c3d-0000-0000-0000-000000000000:autoScalingGroupName/${name}`;

describe('the cluster capacity providers, read for the deployment check', () => {
  beforeEach(() => ecs.reset());

  it('reads the cluster\'s provider names, then each provider\'s managed settings (10 names per call)', async () => {
    const names = Array.from({ length: 12 }, (_, k) => `cp-${k}`);
    ecs.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'demo', capacityProviders: names }] });
    ecs.on(DescribeCapacityProvidersCommand).callsFake((input: { capacityProviders: string[] }) => ({
      capacityProviders: input.capacityProviders.map((name, k) => ({
        name,
        autoScalingGroupProvider: { autoScalingGroupArn: asgArn(`g-${name}`), managedScaling: { status: k === 0 ? 'ENABLED' : 'DISABLED' }, managedTerminationProtection: 'DISABLED', managedDraining: k === 1 ? 'ENABLED' : 'DISABLED' },
      })),
    }));
    const providers = await describeCapacityProviders(ecs as unknown as ECSClient, 'demo');
    expect(ecs.commandCalls(DescribeCapacityProvidersCommand).map((c) => c.args[0].input.capacityProviders?.length)).toEqual([10, 2]);
    expect(providers).toHaveLength(12);
    expect(providers[0]).toEqual({ name: 'cp-0', group: 'g-cp-0', managedScaling: true, managedTerminationProtection: false, managedDraining: false });
    expect(providers[1]).toEqual({ name: 'cp-1', group: 'g-cp-1', managedScaling: false, managedTerminationProtection: false, managedDraining: true });
  });

  it('a cluster without capacity providers makes one call', async () => {
    ecs.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'demo' }] });
    expect(await describeCapacityProviders(ecs as unknown as ECSClient, 'demo')).toEqual([]);
    expect(ecs.commandCalls(DescribeCapacityProvidersCommand)).toHaveLength(0);
  });

  it.each([
    ['an active cluster', { clusters: [{ clusterName: 'demo', status: 'ACTIVE' }] }, 'ACTIVE'],
    ['a deleted cluster', { clusters: [{ clusterName: 'demo', status: 'INACTIVE' }] }, 'INACTIVE'],
    ['an unknown name (ECS answers with a failure)', { clusters: [], failures: [{ arn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/demo', reason: 'MISSING' }] }, 'MISSING'],
    ['an empty answer', {}, 'MISSING'],
  ])('the status of %s is %s', async (_name, answer, status) => {
    ecs.on(DescribeClustersCommand).resolves(answer);
    expect(await clusterStatus(ecs as unknown as ECSClient, 'demo')).toBe(status);
  });

  it.each([
    [asgArn('demo-spot'), 'demo-spot'],
    ['demo-spot', 'demo-spot'],
  ])('the group of %s is %s', (value, name) => {
    expect(groupNameOf(value)).toBe(name);
  });
});

describe('the managed groups\' suspended processes come with the tick\'s own DescribeAutoScalingGroups', () => {
  beforeEach(() => asg.reset());

  it.each<[string, Array<{ ProcessName?: string }> | undefined, readonly string[] | undefined]>([
    ['AlarmNotification suspended (the recommended setup)', [{ ProcessName: 'AlarmNotification' }], ['AlarmNotification']],
    ['several suspended', [{ ProcessName: 'ScheduledActions' }, { ProcessName: 'AlarmNotification' }], ['ScheduledActions', 'AlarmNotification']],
    ['none suspended: the field is left out', [], undefined],
    ['no SuspendedProcesses in the response', undefined, undefined],
  ])('%s', async (_name, suspended, expected) => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{ AutoScalingGroupName: 'demo-spot', MinSize: 0, MaxSize: 4, DesiredCapacity: 1, AvailabilityZones: ['eu-west-1a'], DefaultCooldown: 300, HealthCheckType: 'EC2', CreatedTime: new Date(0), ...(suspended !== undefined ? { SuspendedProcesses: suspended } : {}) }],
    });
    asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
    const [state] = await new AwsAutoScaling(new AutoScalingClient({ region: 'eu-west-1' }), () => 0).describeGroups(['demo-spot']);
    expect(state?.suspendedProcesses).toEqual(expected);
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(1);
  });
});
