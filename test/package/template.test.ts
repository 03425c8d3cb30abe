/**
 * `serverless package` offline (no AWS credentials) and checks of the generated CloudFormation
 * template: resource types and properties against the CloudFormation registry schemas
 * (@aws-cdk/aws-service-spec), IAM least privilege, and the stack's own invariants.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DRAIN_QUEUE, REDELIVERY_SECONDS } from '../../core/redelivery';
import { SPOT_NOTICE_SECONDS } from '../../handlers/interruption';
import { loadSpec, validateTemplate, type Spec } from './cfn-schema';
import { packageInto } from './serverless';

type Resource = { Type: string; Properties: Record<string, any> };
type Template = { Resources: Record<string, Resource> };

let template: Template;
let out: string;

beforeAll(() => {
  out = packageInto(['cluster=test-cluster', 'asgNames=spot-a,ondemand-b']);
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 120_000);

afterAll(() => {
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
});

const ofType = (type: string): Array<[string, Resource]> => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

const READ_ONLY = /^[a-z0-9-]+:(Describe|List|Get)[A-Za-z]*$/;

function statements(): Array<{ where: string; s: any }> {
  const all: Array<{ where: string; s: any }> = [];
  for (const [id, r] of ofType('AWS::IAM::Role')) for (const p of r.Properties.Policies ?? []) for (const s of p.PolicyDocument.Statement) all.push({ where: id, s });
  for (const [id, r] of [...ofType('AWS::SQS::QueuePolicy'), ...ofType('AWS::IAM::Policy')]) for (const s of r.Properties.PolicyDocument.Statement) all.push({ where: id, s });
  return all;
}

describe('CloudFormation template from `serverless package`', () => {
  let spec: Spec;
  beforeAll(() => {
    spec = loadSpec();
  });

  it.each(['tick', 'interruption', 'lifecycle', 'drain'])('the %s function zip is at most 400 KB (its clients only, no source maps by default)', (fn) => {
    expect(statSync(join(out, `${fn}.zip`)).size).toBeLessThanOrEqual(400 * 1024);
  });

  it('every resource type, property and attribute exists in the CloudFormation registry schemas', () => {
    expect(validateTemplate(spec, template)).toEqual([]);
  });

  it('the schema check can fail: an unknown property and a wrong type are reported', () => {
    const broken = structuredClone(template);
    const queue = broken.Resources.DrainQueue as Resource;
    queue.Properties.VisibilityTimeout = 'soon';
    queue.Properties.Colour = 'blue';
    expect(validateTemplate(spec, broken)).toEqual(expect.arrayContaining([expect.stringMatching(/VisibilityTimeout/), expect.stringMatching(/unknown property Colour/)]));
  });

  it('IAM least privilege: no mutating action on Resource "*" without a condition', () => {
    const offenders = statements().filter(({ s }) => {
      const actions: string[] = [s.Action].flat();
      const resources: unknown[] = [s.Resource].flat();
      const mutating = actions.some((a) => !READ_ONLY.test(a));
      return s.Effect === 'Allow' && mutating && resources.includes('*') && s.Condition === undefined;
    });
    expect(offenders).toEqual([]);
    expect(statements().some(({ s }) => [s.Action].flat().some((a: string) => a.endsWith(':*')))).toBe(false);
  });

  it('mutating ECS calls are scoped to the cluster and Auto Scaling calls to the configured groups', () => {
    const all = statements().map(({ s }) => s);
    const ecsWrite = all.filter((s) => [s.Action].flat().some((a: string) => /^ecs:(UpdateContainerInstancesState|PutAttributes|DeleteAttributes|StopTask)$/.test(a)));
    expect(ecsWrite.length).toBeGreaterThan(0);
    for (const s of ecsWrite) for (const r of [s.Resource].flat()) expect(JSON.stringify(r)).toMatch(/(cluster|container-instance|task)\/test-cluster/);
    const asgWrite = all.filter((s) => [s.Action].flat().some((a: string) => /^autoscaling:(SetDesiredCapacity|TerminateInstanceInAutoScalingGroup|CompleteLifecycleAction|RecordLifecycleActionHeartbeat)$/.test(a)));
    const arns = [...new Set(asgWrite.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r)))];
    expect(arns).toHaveLength(2);
    expect(arns.join()).toMatch(/autoScalingGroupName\/spot-a/);
    expect(arns.join()).toMatch(/autoScalingGroupName\/ondemand-b/);
    // Metrics are Embedded Metric Format log lines: no function may call PutMetricData.
    expect(all.filter((s) => [s.Action].flat().includes('cloudwatch:PutMetricData'))).toEqual([]);
  });

  it('creates one terminate lifecycle hook per configured group, heartbeat longer than the drain check', () => {
    const hooks = ofType('AWS::AutoScaling::LifecycleHook').map(([, r]) => r.Properties);
    expect(hooks.map((h) => h.AutoScalingGroupName)).toEqual(['spot-a', 'ondemand-b']);
    const fn = (template.Resources.DrainLambdaFunction as Resource).Properties;
    const check = Number(fn.Environment.Variables.DRAIN_CHECK_SECONDS);
    for (const h of hooks) {
      expect(h.LifecycleTransition).toBe('autoscaling:EC2_INSTANCE_TERMINATING');
      expect(h.HeartbeatTimeout).toBe(Number(fn.Environment.Variables.HOOK_HEARTBEAT_SECONDS));
      expect(h.HeartbeatTimeout).toBeGreaterThan(check);
      expect(h.DefaultResult).toBe('CONTINUE');
    }
  });

  it('functions: arm64, a current Node.js runtime, tick with reserved concurrency 1', () => {
    const fns = ofType('AWS::Lambda::Function').map(([id, r]) => [id, r.Properties] as const);
    expect(fns).toHaveLength(4);
    for (const [, p] of fns) {
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      expect(p.Environment.Variables.CLUSTER_NAME).toBe('test-cluster');
      expect(p.Environment.Variables.ASG_NAMES).toBe('spot-a,ondemand-b');
    }
    expect((template.Resources.TickLambdaFunction as Resource).Properties.ReservedConcurrentExecutions).toBe(1);
  });

  it('queues are encrypted, have a dead-letter queue, and the drain queue outlives the drain handler', () => {
    for (const [, q] of ofType('AWS::SQS::Queue')) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    for (const id of ['DrainQueue', 'InterruptionQueue']) expect((template.Resources[id] as Resource).Properties.RedrivePolicy.deadLetterTargetArn).toBeDefined();
    const drainTimeout = (template.Resources.DrainLambdaFunction as Resource).Properties.Timeout;
    const drainQueue = (template.Resources.DrainQueue as Resource).Properties;
    // AWS guidance for SQS event sources: visibility ≥ 6 × the function timeout, maxReceiveCount ≥ 5.
    expect(drainQueue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * drainTimeout);
    expect(drainQueue.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
    // The heartbeat margin (REDELIVERY_SECONDS) is computed from these very numbers.
    expect([drainTimeout, drainQueue.VisibilityTimeout, drainQueue.RedrivePolicy.maxReceiveCount]).toEqual([DRAIN_QUEUE.functionTimeoutSeconds, DRAIN_QUEUE.visibilityTimeoutSeconds, DRAIN_QUEUE.maxReceiveCount]);
    expect(REDELIVERY_SECONDS).toBeGreaterThanOrEqual((drainQueue.RedrivePolicy.maxReceiveCount - 1) * drainQueue.VisibilityTimeout + drainTimeout);
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    for (const m of mappings) expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('EventBridge rules: retry policy and dead-letter queue on every target; patterns scoped to the cluster and groups', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toHaveLength(5);
    for (const r of rules) for (const t of r.Targets) {
      expect(t.RetryPolicy).toBeDefined();
      expect(t.DeadLetterConfig.Arn).toBeDefined();
    }
    const placement = rules.find((r) => r.EventPattern?.['detail-type']?.[0] === 'ECS Service Action');
    expect(JSON.stringify(placement?.EventPattern.detail.clusterArn)).toContain('cluster/test-cluster');
    // Tasks waiting for capacity of this cluster only (a task state change of any other status or cluster never ticks).
    const provisioning = rules.find((r) => r.EventPattern?.['detail-type']?.[0] === 'ECS Task State Change');
    expect(provisioning?.EventPattern.detail.lastStatus).toEqual(['PROVISIONING']);
    // A PROVISIONING task already on an instance (awsvpc ENI attach) waits for no capacity.
    expect(provisioning?.EventPattern.detail.containerInstanceArn).toEqual([{ exists: false }]);
    expect(JSON.stringify(provisioning?.EventPattern.detail.clusterArn)).toContain('cluster/test-cluster');
    const lifecycle = rules.find((r) => r.EventPattern?.['detail-type']?.[0] === 'EC2 Instance-terminate Lifecycle Action');
    expect(lifecycle?.EventPattern.detail.AutoScalingGroupName).toEqual(['spot-a', 'ondemand-b']);
    // Auto Scaling sends one event per hook: only the stack's own hook is drained and completed.
    expect(lifecycle?.EventPattern.detail.LifecycleHookName).toEqual(['headroom-test-cluster']);
    expect(rules.some((r) => r.ScheduleExpression === 'rate(1 minute)')).toBe(true);
    // Every event pattern matches the stack's own account only (schedules carry none).
    const patterns = rules.filter((r) => r.EventPattern !== undefined);
    expect(patterns).toHaveLength(4);
    for (const r of patterns) expect(r.EventPattern.account).toEqual([{ Ref: 'AWS::AccountId' }]);
  });

  it('a failed interruption batch is retried while the two-minute Spot notice still runs', () => {
    // SQS hands a failed batch back after the queue's visibility timeout; after the notice the
    // instance is gone and the retry can no longer drain it.
    const visibility = (template.Resources.InterruptionQueue as Resource).Properties.VisibilityTimeout;
    expect(visibility).toBeGreaterThanOrEqual((template.Resources.InterruptionLambdaFunction as Resource).Properties.Timeout);
    expect(visibility).toBeLessThanOrEqual(SPOT_NOTICE_SECONDS / 2);
  });

  it('a lifecycle invocation that keeps failing is not lost silently: its event goes to the events dead-letter queue', () => {
    // EventBridge's own dead-letter queue only receives events it could not deliver; a function error
    // is retried by Lambda's asynchronous invocation and then needs an on-failure destination.
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    const lifecycle = configs.find((c) => JSON.stringify(c.FunctionName).includes('LifecycleLambdaFunction'));
    expect(lifecycle?.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] });
    const send = statements().filter(({ where, s }) => where === 'LifecycleRole' && [s.Action].flat().includes('sqs:SendMessage'));
    expect(send.map(({ s }) => s.Resource)).toEqual(expect.arrayContaining([{ 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] }]));
  });

  it('alarms are deliverable: the topic key is customer managed and lets CloudWatch alarms use it (alias/aws/sns cannot)', () => {
    const topic = (template.Resources.AlarmTopic as Resource).Properties;
    expect(topic.KmsMasterKeyId).not.toBe('alias/aws/sns');
    expect(topic.KmsMasterKeyId).toEqual({ Ref: 'AlarmKey' });
    const key = template.Resources.AlarmKey as Resource;
    expect(key.Type).toBe('AWS::KMS::Key');
    const policy = key.Properties.KeyPolicy.Statement as any[];
    const cw = policy.find((st) => st.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cw?.Effect).toBe('Allow');
    expect([cw?.Action].flat()).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
    // The account keeps control of the key (otherwise it becomes unmanageable).
    expect(policy.some((st) => JSON.stringify(st.Principal).includes(':root') && [st.Action].flat().includes('kms:*'))).toBe(true);
    for (const [, a] of ofType('AWS::CloudWatch::Alarm')) expect(a.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
  });

  it("queue policies: no other account sends drain checks (the account's operators may redrive), only the rule sends interruption events", () => {
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, r]) => r.Properties);
    const denyFor = (queue: string) =>
      policies.flatMap((p) => p.PolicyDocument.Statement as any[]).find((st) => st.Effect === 'Deny' && JSON.stringify(st.Resource) === JSON.stringify({ 'Fn::GetAtt': [queue, 'Arn'] }));
    const drain = denyFor('DrainQueue');
    expect(drain).toMatchObject({ Principal: '*', Action: 'sqs:SendMessage', Condition: { StringNotEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } } });
    // A redrive sends with the operator's own identity: a deny naming only Headroom's roles refused it.
    expect(JSON.stringify(drain.Condition)).not.toContain('PrincipalArn');
    const interruption = denyFor('InterruptionQueue');
    expect(interruption).toMatchObject({ Principal: '*', Action: 'sqs:SendMessage', Condition: { ArnNotEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['InterruptionRule', 'Arn'] } } } });
  });

  it('asynchronous invocations of the tick and the interruption handler are bounded in age and retries', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    for (const fn of ['TickLambdaFunction', 'InterruptionLambdaFunction']) {
      const c = configs.find((x) => JSON.stringify(x.FunctionName).includes(fn));
      expect(c?.MaximumEventAgeInSeconds).toBeLessThanOrEqual(SPOT_NOTICE_SECONDS);
      expect(c?.MaximumRetryAttempts).toBeLessThanOrEqual(1);
    }
  });

  it("the interruption queue follows AWS's guidance for Lambda: visibility ≥ 6 × the function timeout, maxReceiveCount ≥ 5", () => {
    const queue = (template.Resources.InterruptionQueue as Resource).Properties;
    const timeout = (template.Resources.InterruptionLambdaFunction as Resource).Properties.Timeout;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
  });

  it('one role per function, each with only the actions its handler calls', () => {
    const fns = ['Tick', 'Interruption', 'Lifecycle', 'Drain'];
    const roles = fns.map((f) => (template.Resources[`${f}LambdaFunction`] as Resource).Properties.Role);
    expect(roles).toEqual(fns.map((f) => ({ 'Fn::GetAtt': [`${f}Role`, 'Arn'] })));
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    const actionsOf = (role: string): Set<string> => new Set(statements().filter(({ where }) => where === role).flatMap(({ s }) => [s.Action].flat() as string[]));
    const expected: Record<string, { has: string[]; not: string[] }> = {
      // The tick sends revived drain checks; it never consumes, stops tasks or completes hooks.
      // Both reactivate scale-in drains, after reading the targets' lifecycle states (DescribeAutoScalingInstances).
      TickRole: { has: ['autoscaling:SetDesiredCapacity', 'autoscaling:DescribeAutoScalingInstances', 'ecs:ListServices', 'cloudwatch:GetMetricData', 'sqs:SendMessage', 'ecs:DeleteAttributes'], not: ['autoscaling:CompleteLifecycleAction', 'ecs:StopTask', 'sqs:ReceiveMessage'] },
      InterruptionRole: { has: ['autoscaling:TerminateInstanceInAutoScalingGroup', 'autoscaling:DescribeAutoScalingInstances', 'ecs:StopTask', 'sqs:ReceiveMessage', 'ecs:DeleteAttributes'], not: ['autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat', 'cloudwatch:GetMetricData', 'sqs:ChangeMessageVisibility'] },
      // Lifecycle and drain put marks, never remove one.
      LifecycleRole: { has: ['autoscaling:CompleteLifecycleAction', 'sqs:SendMessage', 'ecs:PutAttributes'], not: ['autoscaling:DescribeAutoScalingInstances', 'ecs:DeleteAttributes', 'autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup', 'ecs:ListServices', 'sqs:ReceiveMessage'] },
      DrainRole: { has: ['autoscaling:RecordLifecycleActionHeartbeat', 'sqs:ReceiveMessage', 'ecs:PutAttributes'], not: ['ecs:DeleteAttributes', 'sqs:ChangeMessageVisibility', 'autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup', 'ecs:ListServices', 'cloudwatch:GetMetricData'] },
    };
    for (const [role, { has, not }] of Object.entries(expected)) {
      const actions = actionsOf(role);
      for (const a of has) expect([role, actions.has(a)]).toEqual([role, true]);
      for (const a of not) expect([role, actions.has(a)]).toEqual([role, false]);
    }
  });

  it('ECS reads that accept a resource are scoped to the cluster; list calls carry the ecs:cluster condition', () => {
    const reads = statements().filter(({ s }) => [s.Action].flat().some((a: string) => /^ecs:(List|Describe)/.test(a)));
    expect(reads.length).toBeGreaterThan(0);
    for (const { s } of reads) {
      const actions: string[] = [s.Action].flat();
      if (actions.every((a) => a === 'ecs:DescribeTaskDefinition')) {
        expect(s.Resource).toBe('*'); // no resource-level permission exists for it
        continue;
      }
      if (s.Resource === '*') expect(JSON.stringify(s.Condition?.ArnEquals?.['ecs:cluster'])).toContain('cluster/test-cluster');
      else for (const r of [s.Resource].flat()) expect(JSON.stringify(r)).toMatch(/(cluster|container-instance|task|service)\/test-cluster/);
    }
  });

  it('dashboard and alarms: dead letters, tasks stopped by termination, sustained pending tasks, handler errors', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const metrics = alarms.map((a) => a.MetricName ?? 'expression');
    expect(metrics).toEqual(expect.arrayContaining(['ApproximateNumberOfMessagesVisible', 'TasksStoppedByTermination', 'PendingTasks', 'expression']));
    const body = JSON.stringify((template.Resources.Dashboard as Resource).Properties.DashboardBody);
    for (const m of ['SchedulableTasks', 'PendingTasks', 'ActiveInstances', 'DrainSeconds', 'TasksStoppedByTermination']) expect(body).toContain(m);
  });
});
