/**
 * Rule: every group can grow from zero with any instance type. The shape of a new instance comes
 * from the group's launch template version / launch configuration / mixed-instances overrides with
 * weights, resolved through EC2 (cached per container), never a built-in table.
 */
import { DescribeLaunchConfigurationsCommand } from '@aws-sdk/client-auto-scaling';
import { launchTimes, toGroupState } from '../../handlers/aws/autoscaling';
import { buildModel } from '../../handlers/app/model';
import type { LaunchTemplateInfo } from '../../handlers/app/ports';
import { handleTick } from '../../handlers/tick';
import { BASE_ENV, FakeAws, NOW, asgMock, context } from './fake-aws';
import { sample } from './events';

const ENV = { ...BASE_ENV, ASG_NAMES: 'pool', TASK_CPU: '1024', TASK_MEMORY: '2048', SPOT_RESERVE_INSTANCES: '0' };

async function tick(aws: FakeAws, env: Record<string, string> = ENV) {
  const ctx = context(env);
  const result = await handleTick(sample('tick/scheduled.json'), ctx);
  if (result.status === 'dropped') throw new Error('dropped');
  return { result, ctx, aws };
}

describe('every group can grow from zero with any instance type', () => {
  it.each<[string, (aws: FakeAws) => void, number]>([
    // m7i.xlarge: 4 vCPU → 4096 CPU; 16384 MiB × 0.94 = 15401 MiB. 10 tasks of 1024 + 2 reference → ⌈12/4⌉ = 3
    [
      'a plain launch template group at 0 members (m7i.xlarge, a type no table knew)',
      (aws) => {
        aws.launchTemplates.set('lt-0abc', { type: 'm7i.xlarge' });
        aws.group('pool', { desired: 0, max: 10, template: 'lt-0abc' });
      },
      3,
    ],
    // weights: m5.xlarge (4 vCPU) = 2 units, m5.2xlarge (8 vCPU) = 4 units: 2048 CPU per unit each; the planned
    // instance is m5.xlarge (first of the equally poor), 3 instances × 2 units = desired 6
    [
      'a mixed-instances group with weights is planned in weight units',
      (aws) => {
        aws.launchTemplates.set('lt-mixed', {});
        aws.group('pool', { desired: 0, max: 40, template: 'lt-mixed', weights: { 'm5.xlarge': 2, 'm5.2xlarge': 4 } });
      },
      6,
    ],
    // c5.xlarge (4 vCPU / 8 GiB → 7700 MiB, weight 1) is poorer per unit in memory than m5.xlarge: plan c5.xlarge,
    // 3 tasks of 2048 MiB each → ⌈12/3⌉ = 4 (m5.xlarge would have needed 3)
    [
      'mixed without weights: the type with the least capacity per unit is planned (conservative)',
      (aws) => {
        aws.launchTemplates.set('lt-mixed', {});
        aws.group('pool', { desired: 0, max: 40, template: 'lt-mixed', weights: { 'm5.xlarge': 1, 'c5.xlarge': 1 } });
      },
      4,
    ],
  ])('%s', async (_rule, setup, desired) => {
    const aws = new FakeAws();
    setup(aws);
    aws.service('web', { cpu: 1024, memory: 2048, desired: 10, running: 0 });
    const { result } = await tick(aws);
    expect(aws.desired).toEqual([{ group: 'pool', desired }]);
    expect(result.decision.scaleOut[0]?.reasons.join(' ')).toMatch(/new .* instance/);
  });

  it('a launch configuration group at 0 members is sized from DescribeLaunchConfigurations', async () => {
    const aws = new FakeAws();
    aws.group('pool', { desired: 0, max: 10 });
    const g = aws.groups[0];
    if (g !== undefined) g.LaunchConfigurationName = 'lc-r5';
    asgMock.on(DescribeLaunchConfigurationsCommand).resolves({ LaunchConfigurations: [{ LaunchConfigurationName: 'lc-r5', InstanceType: 'r5.large', ImageId: 'ami-1', CreatedTime: new Date(0) }] });
    aws.service('web', { cpu: 1024, memory: 1024, desired: 4, running: 0 });
    await tick(aws);
    // r5.large: 2048 CPU → 2 tasks per instance; 4 + 2 reference → 3
    expect(aws.desired).toEqual([{ group: 'pool', desired: 3 }]);
  });

  it.each<[string, Parameters<typeof toGroupState>[0], LaunchTemplateInfo | undefined, boolean]>([
    ['a Spot launch template', { AutoScalingGroupName: 'pool', LaunchTemplate: { LaunchTemplateId: 'lt-1' } } as never, { instanceType: 'm5.xlarge', spot: true }, true],
    ['a mixed policy under 100 % On-Demand above the base', { AutoScalingGroupName: 'pool', MixedInstancesPolicy: { LaunchTemplate: { Overrides: [{ InstanceType: 'm5.xlarge' }] }, InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 0 } } } as never, undefined, true],
    ['a mixed policy at 100 % On-Demand', { AutoScalingGroupName: 'pool', MixedInstancesPolicy: { LaunchTemplate: { Overrides: [{ InstanceType: 'm5.xlarge' }] }, InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 100 } } } as never, undefined, false],
    ['an On-Demand launch template', { AutoScalingGroupName: 'pool', LaunchTemplate: { LaunchTemplateId: 'lt-1' } } as never, { instanceType: 'm5.xlarge' }, false],
  ])('Spot groups: %s', (_rule, asg, template, spot) => {
    const state = toGroupState(asg, undefined);
    const facts = { types: new Map([['m5.xlarge', { vcpus: 4, memoryMiB: 16384 }]]), templates: new Map(template !== undefined ? [['pool', template]] : []) };
    const model = buildModel([], [state], ['pool'], facts);
    expect(model.groups[0]?.spot === true).toBe(spot);
  });

  it('EC2 answers are cached for the container: a second tick makes no EC2 call', async () => {
    const aws = new FakeAws();
    aws.launchTemplates.set('lt-0abc', { type: 'm7i.xlarge' });
    aws.group('pool', { desired: 0, max: 10, template: 'lt-0abc' });
    aws.service('web', { cpu: 1024, memory: 1024, desired: 1, running: 0 });
    const ctx = context({ ...ENV });
    await handleTick(sample('tick/scheduled.json'), ctx);
    const first = aws.count('DescribeInstanceTypes') + aws.count('DescribeLaunchTemplateVersions');
    await handleTick(sample('tick/scheduled.json'), ctx);
    expect(first).toBe(2);
    expect(aws.count('DescribeInstanceTypes') + aws.count('DescribeLaunchTemplateVersions')).toBe(first);
  });

  it('an EC2 failure is logged and the tick still decides from registered members', async () => {
    const aws = new FakeAws();
    aws.launchTemplates.set('lt-0abc', { type: 'no-such.type' });
    aws.group('pool', { desired: 1, max: 10, template: 'lt-0abc' });
    aws.instance({ id: 'i-1', group: 'pool', remainingCpu: 0, remainingMemory: 0, type: 'no-such.type' });
    aws.service('web', { cpu: 1024, memory: 1024, desired: 2, running: 0 });
    const { ctx } = await tick(aws);
    expect(ctx.lines.some((l) => l.level === 'warn' && /EC2 launch template/.test(l.message))).toBe(true);
    // sized from the registered member (4096 CPU): 2 + 2 reference tasks → 1 new instance
    expect(aws.desired).toEqual([{ group: 'pool', desired: 2 }]);
  });

  it('an unregistered member whose launch activity is older than the provisioning timeout no longer counts', async () => {
    const aws = new FakeAws();
    aws.group('pool', { desired: 1, max: 10, type: 'm5.xlarge' });
    aws.instance({ id: 'i-0abc00000000000001', group: 'pool', status: 'NONE' });
    aws.activities.set('pool', [{ ActivityId: 'a1', AutoScalingGroupName: 'pool', Cause: 'c', StartTime: new Date(NOW - 3_600_000), StatusCode: 'Successful', Description: 'Launching a new EC2 instance: i-0abc00000000000001', Progress: 100 }]);
    aws.service('web', { cpu: 1024, memory: 1024, desired: 2, running: 0 });
    await tick(aws);
    expect(aws.desired).toEqual([{ group: 'pool', desired: 2 }]);
  });

  it.each<[string, string, boolean]>([
    ['a launch activity dates its instance', 'Launching a new EC2 instance: i-0abc123', true],
    ['a failed launch names no instance', 'Launching a new EC2 instance.  Status Reason: We currently do not have sufficient capacity', false],
    ['a termination is not a launch', 'Terminating EC2 instance: i-0abc123', false],
  ])('launchTimes: %s', (_rule, description, dated) => {
    const at = new Date(NOW - 60_000);
    const times = launchTimes([{ ActivityId: 'a', AutoScalingGroupName: 'pool', Cause: 'c', StartTime: at, StatusCode: 'Successful', Description: description, Progress: 100 }]);
    expect(times.get('i-0abc123')).toBe(dated ? at.getTime() : undefined);
  });
  it('members of a weighted group carry their type\'s weight (desired counts weight units)', () => {
    const model = buildModel(
      [],
      [
        {
          name: 'pool',
          min: 0,
          max: 40,
          desired: 3,
          availabilityZones: ['us-east-1a'],
          overrides: [
            { instanceType: 'm5.xlarge', weight: 1 },
            { instanceType: 'm5.2xlarge', weight: 2 },
          ],
          members: [
            { instanceId: 'i-big', lifecycleState: 'InService', instanceType: 'm5.2xlarge' },
            { instanceId: 'i-small', lifecycleState: 'Pending', instanceType: 'm5.xlarge' },
          ],
        },
      ],
      ['pool'],
      { types: new Map([['m5.xlarge', { vcpus: 4, memoryMiB: 16384 }], ['m5.2xlarge', { vcpus: 8, memoryMiB: 32768 }]]), templates: new Map() },
    );
    expect(model.groups[0]?.members?.map((m) => [m.id, m.weight ?? 1])).toEqual([
      ['i-big', 2],
      ['i-small', 1],
    ]);
  });
});
