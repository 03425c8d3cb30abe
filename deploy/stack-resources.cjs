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

const { createHash } = require('node:crypto');

/**
 * Everything this stack names after its cluster, so that N clusters are N stacks that never share
 * a name: `headroom-<cluster>` for the stack, the functions (and so their log groups and
 * EventBridge rules), the IAM role and the lifecycle hooks. An ECS cluster name allows up to 255
 * letters, digits, `-` and `_`; a Lambda function name at most 64 characters and a CloudFormation
 * stack name no `_`
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-using-console-create-stack-parameters.html),
 * so a name that had to be shortened or changed ends in a hash of the whole cluster name and two
 * clusters never collide.
 */
const PREFIX_MAX = 40;
function prefixFor(cluster) {
  const safe = String(cluster).replace(/[^A-Za-z0-9-]/g, '-');
  const plain = `headroom-${safe}`;
  if (safe === String(cluster) && plain.length <= PREFIX_MAX) return plain;
  const hash = createHash('sha256').update(String(cluster)).digest('hex').slice(0, 8);
  return `${plain.slice(0, PREFIX_MAX - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}
module.exports.prefixFor = prefixFor;

const prefix = async (resolveVariable) => prefixFor(await resolveVariable('param:cluster'));
const hookNameOf = async (resolveVariable) => {
  const given = String((await resolveVariable('param:hookName')) ?? '').trim();
  return given !== '' ? given : await prefix(resolveVariable);
};

/** `headroom-<cluster>`: the stack name and the stem of every named resource. */
module.exports.prefix = async ({ resolveVariable }) => prefix(resolveVariable);
/** The terminate lifecycle hook name: the `hookName` parameter, or `headroom-<cluster>`. */
module.exports.hookName = async ({ resolveVariable }) => hookNameOf(resolveVariable);

const names = async (resolveVariable) =>
  String(await resolveVariable('param:asgNames'))
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');

const logicalId = (name, k) => `HeadroomDrainHook${k}${name.replace(/[^A-Za-z0-9]/g, '').slice(0, 40)}`;

module.exports.hooks = async ({ resolveVariable }) => {
  const groups = await names(resolveVariable);
  const heartbeat = Number(await resolveVariable('param:hookHeartbeatSeconds'));
  const hookName = await hookNameOf(resolveVariable);
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
