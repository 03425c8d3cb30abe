/**
 * The events the deployment's EventBridge rules deliver to the handlers, in their documented shapes
 * (see the reference events the handler tests use), stamped with the simulated clock.
 */
import type { SimWorld } from '../../world/sim-world';
import type { SimInstance } from '../../world/world-types';

export const HEADROOM_HOOK_NAME = 'headroom-drain';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function envelope(world: SimWorld, detailType: string, source: string, detail: Record<string, unknown>, resources: string[] = []): Record<string, unknown> {
  return {
    version: '0',
    id: `sim-${world.now.toString(36)}-${detailType.length}`,
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: new Date(world.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources,
    detail,
  };
}

/** The EventBridge schedule's event for a tick. */
export function scheduledEvent(world: SimWorld): Record<string, unknown> {
  return envelope(world, 'Scheduled Event', 'aws.events', {}, [`arn:aws:events:${REGION}:${ACCOUNT}:rule/headroom-tick`]);
}

/** `ECS Service Action` / `SERVICE_TASK_PLACEMENT_FAILURE` for `service`. */
export function placementFailureEvent(world: SimWorld, cluster: string, service: string): Record<string, unknown> {
  return envelope(world, 'ECS Service Action', 'aws.ecs', {
    eventType: 'WARN',
    eventName: 'SERVICE_TASK_PLACEMENT_FAILURE',
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
    createdAt: new Date(world.now).toISOString(),
    reason: 'RESOURCE:MEMORY',
  }, [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${service}`]);
}

/** `ECS Task State Change` with `lastStatus` PROVISIONING. */
export function provisioningEvent(world: SimWorld, cluster: string): Record<string, unknown> {
  return envelope(world, 'ECS Task State Change', 'aws.ecs', {
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    createdAt: new Date(world.now).toISOString(),
  }, [`arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/sim-${world.now.toString(36)}`]);
}

export function spotWarningEvent(world: SimWorld, instance: SimInstance): Record<string, unknown> {
  return envelope(world, 'EC2 Spot Instance Interruption Warning', 'aws.ec2', { 'instance-id': instance.id, 'instance-action': 'terminate' }, [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instance.id}`]);
}

export function rebalanceEvent(world: SimWorld, instance: SimInstance): Record<string, unknown> {
  return envelope(world, 'EC2 Instance Rebalance Recommendation', 'aws.ec2', { 'instance-id': instance.id }, [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instance.id}`]);
}

/** `EC2 Instance-terminate Lifecycle Action` of the terminate hook. */
export function lifecycleEvent(world: SimWorld, instance: SimInstance): Record<string, unknown> {
  return envelope(world, 'EC2 Instance-terminate Lifecycle Action', 'aws.autoscaling', {
    LifecycleActionToken: instance.hook?.token ?? `token-${instance.id}`,
    AutoScalingGroupName: instance.group.name,
    LifecycleHookName: HEADROOM_HOOK_NAME,
    EC2InstanceId: instance.id,
    LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
  }, [`arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${instance.group.name}`]);
}
