/**
 * One IAM role per Lambda function, each with only the actions its handler calls (serverless.yml:
 * `${file(./deploy/stack-roles.cjs):roles}`; every function names its role). Built here rather
 * than in YAML because the four roles share statements.
 *
 * Scoping (Service Authorization Reference, "Actions, resources, and condition keys for Amazon
 * Elastic Container Service"): ECS reads that accept a resource are limited to this cluster's
 * container instances, tasks and services; the List calls are limited with the `ecs:cluster`
 * condition key; DescribeTaskDefinition and the Auto Scaling/CloudWatch reads have no resource-level
 * permissions. Writes: this cluster's container instances and tasks, the configured groups, the
 * metrics namespace, the stack's queues.
 */
'use strict';

const { groupArns } = require('./stack-resources.cjs');

const sub = (s) => ({ 'Fn::Sub': s });
const ecsArn = (type, rest) => sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:${type}/${rest}`);

function statements(cluster, namespace, groups) {
  const clusterArn = ecsArn('cluster', cluster);
  const onCluster = { ArnEquals: { 'ecs:cluster': clusterArn } };
  return {
    // The whole-cluster snapshot (tick, interruption): list and describe everything of the cluster.
    snapshot: [
      { Sid: 'EcsListServicesOfCluster', Effect: 'Allow', Action: 'ecs:ListServices', Resource: '*', Condition: onCluster },
      // The cluster's instance and service counts (instances and services are listed only when they changed).
      { Sid: 'EcsDescribeCluster', Effect: 'Allow', Action: 'ecs:DescribeClusters', Resource: clusterArn },
    ],
    // Finding given instances and their tasks (every handler).
    find: [
      { Sid: 'EcsListInstancesOfCluster', Effect: 'Allow', Action: 'ecs:ListContainerInstances', Resource: clusterArn },
      { Sid: 'EcsListTasksOfCluster', Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*', Condition: onCluster },
      { Sid: 'EcsDescribeInstances', Effect: 'Allow', Action: 'ecs:DescribeContainerInstances', Resource: ecsArn('container-instance', `${cluster}/*`) },
      { Sid: 'EcsDescribeTasks', Effect: 'Allow', Action: 'ecs:DescribeTasks', Resource: ecsArn('task', `${cluster}/*`) },
      { Sid: 'EcsDescribeServices', Effect: 'Allow', Action: 'ecs:DescribeServices', Resource: ecsArn('service', `${cluster}/*`) },
      // Task definitions have no resource-level permission for Describe.
      { Sid: 'EcsDescribeTaskDefinition', Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
    ],
    instanceStatus: [{ Sid: 'EcsContainerInstanceStatus', Effect: 'Allow', Action: 'ecs:UpdateContainerInstancesState', Resource: [clusterArn, ecsArn('container-instance', `${cluster}/*`)] }],
    // The scale-in, warm-pool and drain-chain marks: set by every handler that drains; removed only
    // by the tick and the interruption handler (reactivating a scale-in drain unmarks it).
    instanceMarks: [{ Sid: 'EcsContainerInstanceMarks', Effect: 'Allow', Action: 'ecs:PutAttributes', Resource: [clusterArn, ecsArn('container-instance', `${cluster}/*`)] }],
    instanceUnmark: [{ Sid: 'EcsContainerInstanceUnmark', Effect: 'Allow', Action: 'ecs:DeleteAttributes', Resource: [clusterArn, ecsArn('container-instance', `${cluster}/*`)] }],
    stopTask: [{ Sid: 'EcsStopTask', Effect: 'Allow', Action: 'ecs:StopTask', Resource: ecsArn('task', `${cluster}/*`) }],
    // Groups and the shape of their new instances (read-only describes; no resource-level permissions).
    groupsRead: [
      { Sid: 'AutoScalingRead', Effect: 'Allow', Action: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeScalingActivities', 'autoscaling:DescribeLaunchConfigurations'], Resource: '*' },
      { Sid: 'Ec2DescribeLaunchShapes', Effect: 'Allow', Action: ['ec2:DescribeLaunchTemplateVersions', 'ec2:DescribeInstanceTypes'], Resource: '*' },
    ],
    groupsScale: [{ Sid: 'AutoScalingScale', Effect: 'Allow', Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'], Resource: groups }],
    hooks: [{ Sid: 'AutoScalingHooks', Effect: 'Allow', Action: ['autoscaling:RecordLifecycleActionHeartbeat', 'autoscaling:CompleteLifecycleAction'], Resource: groups }],
    // No cloudwatch:PutMetricData: metrics are Embedded Metric Format log lines (handlers/aws/emf.ts).
    metricsRead: [{ Sid: 'MetricsRead', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' }],
    drainSend: [{ Sid: 'DrainQueueSend', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['DrainQueue', 'Arn'] } }],
    // Lambda's asynchronous on-failure destination sends with the function's role.
    deadLetterSend: [{ Sid: 'EventsDeadLetterSend', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] } }],
    // What the SQS event source mapping needs from the function's role (Lambda developer guide,
    // "Using Lambda with Amazon SQS": ReceiveMessage, DeleteMessage, GetQueueAttributes). No
    // ChangeMessageVisibility: no handler calls it, and failed records come back by the visibility timeout.
    consume: (queue) => [{ Sid: `Consume${queue}`, Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: { 'Fn::GetAtt': [queue, 'Arn'] } }],
  };
}

function role(name, logGroup, policy) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: `Headroom ${name} function`,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: `headroom-${name}`,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
              ...policy,
            ],
          },
        },
      ],
    },
  };
}

module.exports.roles = async ({ resolveVariable }) => {
  const cluster = String(await resolveVariable('param:cluster'));
  const namespace = String(await resolveVariable('param:metricsNamespace'));
  const groups = await groupArns({ resolveVariable });
  const s = statements(cluster, namespace, groups);
  return {
    // The tick also re-seeds drain checks whose chain is gone (handlers/app/drain-revival.ts): it sends them.
    TickRole: role('tick', 'TickLogGroup', [...s.snapshot, ...s.find, ...s.instanceStatus, ...s.instanceMarks, ...s.instanceUnmark, ...s.groupsRead, ...s.groupsScale, ...s.metricsRead, ...s.drainSend]),
    InterruptionRole: role('interruption', 'InterruptionLogGroup', [
      ...s.snapshot,
      ...s.find,
      ...s.instanceStatus,
      ...s.instanceMarks,
      ...s.instanceUnmark,
      ...s.stopTask,
      ...s.groupsRead,
      ...s.groupsScale,
      ...s.drainSend,
      ...s.consume('InterruptionQueue'),
    ]),
    LifecycleRole: role('lifecycle', 'LifecycleLogGroup', [...s.find, ...s.instanceStatus, ...s.instanceMarks, ...s.stopTask, ...s.hooks, ...s.drainSend, ...s.deadLetterSend]),
    // The drain function writes the drain-step token of every check it re-enqueues (handlers/app/drain-chain.ts).
    DrainRole: role('drain', 'DrainLogGroup', [...s.find, ...s.instanceStatus, ...s.instanceMarks, ...s.stopTask, ...s.hooks, ...s.drainSend, ...s.consume('DrainQueue')]),
  };
};
