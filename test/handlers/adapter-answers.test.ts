/**
 * The ECS and Auto Scaling adapters read what the APIs answer: per-instance `failures`, whole-call
 * refusals that must not skip the other instances of a batch, the request shape PutAttributes
 * needs, and the exact "already gone" messages.
 */
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { instanceStatus } from '../../handlers/aws/ecs/ecs-model';
import { handleLifecycle } from '../../handlers/lifecycle';
import { FakeAws, asgMock, awsError, context, instanceArn } from './fake-aws';
import { sample } from './events';

const I = (n: number): string => `i-0a1b2c3d4e5f6${String(n).padStart(4, '0')}`;

describe('ECS write answers', () => {
  it('UpdateContainerInstancesState: one instance ECS cannot move does not hold back the other nine of its batch', async () => {
    const aws = new FakeAws().group('demo-spot').group('demo-ondemand');
    for (let k = 1; k <= 12; k++) aws.instance({ id: I(k), group: 'demo-spot', ...(k === 3 ? { status: 'REGISTERING' } : {}) });
    const ctx = context();
    const result = await ctx.ports.ecs.setStatus(Array.from({ length: 12 }, (_, k) => instanceArn(I(k + 1))), 'DRAINING');
    expect(result.changed).toHaveLength(11);
    expect(result.refused.map((r) => r.arn)).toEqual([instanceArn(I(3))]);
    expect([...aws.instances.values()].filter((c) => c.status === 'DRAINING')).toHaveLength(11);
  });

  it('UpdateContainerInstancesState: `failures` in a 200 answer are reported as refused, not changed', async () => {
    const aws = new FakeAws().group('demo-spot').group('demo-ondemand');
    for (const k of [1, 2]) aws.instance({ id: I(k), group: 'demo-spot' });
    aws.refuseStatus.set(I(2), 'INVALID_STATE');
    const result = await context().ports.ecs.setStatus([instanceArn(I(1)), instanceArn(I(2)), instanceArn(I(9))], 'DRAINING');
    expect(result.changed).toEqual([instanceArn(I(1))]);
    expect(result.refused).toEqual([
      { arn: instanceArn(I(2)), reason: 'INVALID_STATE' },
      { arn: instanceArn(I(9)), reason: 'MISSING' },
    ]);
  });

  it('PutAttributes sends targetType only with a short id, never with a full ARN', async () => {
    const aws = new FakeAws().group('demo-spot').group('demo-ondemand');
    aws.instance({ id: I(1), group: 'demo-spot' });
    const ctx = context();
    await ctx.ports.ecs.setAttribute([instanceArn(I(1))], 'headroom.test', 'x');
    await ctx.ports.ecs.setAttribute([instanceArn(I(1)).split('/').pop() as string], 'headroom.test', 'y');
    const sent = aws.requests.filter((r) => r.command === 'PutAttributes').map((r) => (r.input as { attributes: Array<Record<string, unknown>> }).attributes[0]);
    expect(sent[0]).not.toHaveProperty('targetType');
    expect(sent[1]).toMatchObject({ targetType: 'container-instance' });
  });

  it('a drain never completes the hook while ECS leaves the instance ACTIVE', async () => {
    const aws = new FakeAws().group('demo-spot', { desired: 2, max: 10 }).group('demo-ondemand');
    const id = 'i-0a1b2c3d4e5f60001';
    aws.instance({ id, group: 'demo-spot', lifecycleState: 'Terminating:Wait' });
    aws.hookPending(id, 'headroom-demo');
    aws.refuseStatus.set(id, 'INVALID_STATE');
    await expect(handleLifecycle(sample('lifecycle/terminate.json'), context())).rejects.toThrow(/DRAINING/);
    expect(aws.completed).toEqual([]);
  });
});

describe('Auto Scaling "gone" answers are matched exactly', () => {
  it.each([
    ['No active Lifecycle Action found with instance ID i-0a1b2c3d4e5f60001', 'gone'],
    ['No active Lifecycle Action found with token 5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d', 'gone'],
    ['Lifecycle hook headroom-demo not found for the group', 'error'],
    ['Instance i-0a1b2c3d4e5f60001 is terminating', 'error'],
  ])('CompleteLifecycleAction answering %j is %s', async (message, expected) => {
    const aws = new FakeAws().group('demo-spot');
    aws.failNext('CompleteLifecycleAction', awsError('ValidationError', message));
    const outcome = await context()
      .ports.autoScaling.completeLifecycleAction({ group: 'demo-spot', hookName: 'headroom-demo', instanceId: 'i-0a1b2c3d4e5f60001' })
      .then((r) => r)
      .catch(() => 'error');
    expect(outcome).toBe(expected);
  });

  it.each([
    ['Instance Id not found - No managed instance found for instance ID: i-0a1b2c3d4e5f60001', 'gone'],
    ["Currently, desiredSize equals minSize (1). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.", 'at-min'],
  ])('TerminateInstanceInAutoScalingGroup answering %j is %s', async (message, expected) => {
    const aws = new FakeAws().group('demo-spot');
    aws.failNext('TerminateInstanceInAutoScalingGroup', awsError('ValidationError', message));
    expect(await context().ports.autoScaling.terminateInstance('i-0a1b2c3d4e5f60001', true)).toBe(expected);
  });
});

describe('answers are checked, not trusted', () => {
  it('TerminateInstanceInAutoScalingGroup for an instance that already left InService is gone, not an error', async () => {
    const aws = new FakeAws().group('demo-spot');
    // department-of-veterans-affairs/va.gov-team#65849
    aws.failNext('TerminateInstanceInAutoScalingGroup', awsError('ValidationError', 'The instance i-0a1b2c3d4e5f60001 is not in InService or EnteringStandby or Standby.'));
    expect(await context().ports.autoScaling.terminateInstance('i-0a1b2c3d4e5f60001', true)).toBe('gone');
  });

  it.each([
    ['above the maximum', 50, 10],
    ['below the minimum', 1, 3],
  ])('a desired capacity %s is clamped to the group before it is written', async (_name, asked, written) => {
    const aws = new FakeAws().group('demo-spot', { min: 3, desired: 0, max: 10 });
    await context().ports.autoScaling.setDesiredCapacity('demo-spot', asked);
    // The fake refuses values outside [min, max] like Auto Scaling does; only a clamped write lands.
    expect(aws.desired).toEqual([{ group: 'demo-spot', desired: written }]);
  });

  it('groups DescribeAutoScalingGroups returns but were not asked for are ignored', async () => {
    const aws = new FakeAws().group('demo-spot').group('someone-elses');
    const everything = aws.groups.map((g) => structuredClone(g));
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: everything });
    const groups = await context().ports.autoScaling.describeGroups(['demo-spot']);
    expect(groups.map((g) => g.name)).toEqual(['demo-spot']);
  });

  it.each(['SOMETHING_NEW', undefined])('a container instance in a status Headroom does not know (%s) is not schedulable', (status) => {
    expect(instanceStatus(status)).not.toBe('ACTIVE');
    expect(instanceStatus('ACTIVE')).toBe('ACTIVE');
  });
});
