import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeCapacityProvidersCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { describeCapacityProviders, describeSuspendedProcesses, groupNameOf } from '../../handlers/aws/ecs-setup';

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
    [asgArn('demo-spot'), 'demo-spot'],
    ['demo-spot', 'demo-spot'],
  ])('the group of %s is %s', (value, name) => {
    expect(groupNameOf(value)).toBe(name);
  });
});

describe('the managed groups\' suspended processes, read for the deployment check', () => {
  beforeEach(() => asg.reset());

  it('reads SuspendedProcesses of each named group, 100 names per call, following NextToken', async () => {
    const names = Array.from({ length: 102 }, (_, k) => `g-${k}`);
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames: string[]; NextToken?: string }) => {
      // Two pages for the first call: Auto Scaling pages by MaxRecords, whatever the number of names.
      const batch = input.AutoScalingGroupNames;
      const half = input.NextToken === undefined && batch.length > 50 ? batch.slice(0, 50) : input.NextToken !== undefined ? batch.slice(50) : batch;
      return {
        AutoScalingGroups: half.map((name, k) => ({ AutoScalingGroupName: name, SuspendedProcesses: k === 0 ? [{ ProcessName: 'AlarmNotification', SuspensionReason: 'User suspended at 2026-11-22T07:00:00Z' }, { ProcessName: 'ScheduledActions' }] : [] })),
        ...(input.NextToken === undefined && batch.length > 50 ? { NextToken: 'next' } : {}),
      };
    });
    const groups = await describeSuspendedProcesses(new AutoScalingClient({ region: 'eu-west-1' }), names);
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand).map((c) => c.args[0].input.AutoScalingGroupNames?.length)).toEqual([100, 100, 2]);
    expect(groups.map((g) => g.name)).toEqual(names);
    expect(groups[0]).toEqual({ name: 'g-0', suspendedProcesses: ['AlarmNotification', 'ScheduledActions'] });
    expect(groups[1]).toEqual({ name: 'g-1', suspendedProcesses: [] });
    expect(groups[50]).toEqual({ name: 'g-50', suspendedProcesses: ['AlarmNotification', 'ScheduledActions'] });
  });

  it('a group without SuspendedProcesses has none; a name Auto Scaling does not know is left out', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'demo-spot' } as never] });
    expect(await describeSuspendedProcesses(new AutoScalingClient({ region: 'eu-west-1' }), ['demo-spot', 'gone'])).toEqual([{ name: 'demo-spot', suspendedProcesses: [] }]);
  });
});
