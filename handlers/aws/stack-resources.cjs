/**
 * Parts of the CloudFormation stack that repeat per configured Auto Scaling group, generated at
 * package time from the `asgNames` stack parameter (serverless.yml: ${file(...):hooks} and
 * ${file(...):groupArns}).
 *
 * - `hooks`: one terminate lifecycle hook per group (DefaultResult CONTINUE: should Headroom ever be
 *   broken, instances still terminate after the heartbeat timeout). The user does not edit the ASG.
 * - `groupArns`: the groups' ARNs, so Auto Scaling write permissions are scoped to them.
 */
'use strict';

const names = async (resolveVariable) =>
  String(await resolveVariable('param:asgNames'))
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');

const logicalId = (name, k) => `HeadroomDrainHook${k}${name.replace(/[^A-Za-z0-9]/g, '').slice(0, 40)}`;

module.exports.hooks = async ({ resolveVariable }) => {
  const groups = await names(resolveVariable);
  const heartbeat = Number(await resolveVariable('param:hookHeartbeatSeconds'));
  const hookName = String(await resolveVariable('param:hookName'));
  const resources = {};
  groups.forEach((group, k) => {
    resources[logicalId(group, k)] = {
      Type: 'AWS::AutoScaling::LifecycleHook',
      Properties: {
        AutoScalingGroupName: group,
        LifecycleHookName: hookName,
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        HeartbeatTimeout: heartbeat,
        DefaultResult: 'CONTINUE',
        NotificationMetadata: 'headroom',
      },
    };
  });
  return resources;
};

module.exports.groupArns = async ({ resolveVariable }) =>
  (await names(resolveVariable)).map((group) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:autoscaling:\${AWS::Region}:\${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/${group}`,
  }));

module.exports.groupNames = async ({ resolveVariable }) => names(resolveVariable);
