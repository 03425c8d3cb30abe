/**
 * `serverless package` offline (no AWS credentials) and checks of the generated CloudFormation
 * template: resource types and properties against the CloudFormation registry schemas
 * (@aws-cdk/aws-service-spec), IAM least privilege, and the stack's own invariants.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REDELIVERY_SECONDS } from '../../handlers/drain-step';
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
    const arns = asgWrite.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));
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
    expect((template.Resources.DrainQueue as Resource).Properties.VisibilityTimeout).toBeGreaterThan(drainTimeout);
    // A failed drain check comes back after the visibility timeout: the heartbeat margin covers that much.
    expect((template.Resources.DrainQueue as Resource).Properties.VisibilityTimeout).toBeLessThanOrEqual(REDELIVERY_SECONDS);
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    for (const m of mappings) expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('EventBridge rules: retry policy and dead-letter queue on every target; patterns scoped to the cluster and groups', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toHaveLength(4);
    for (const r of rules) for (const t of r.Targets) {
      expect(t.RetryPolicy).toBeDefined();
      expect(t.DeadLetterConfig.Arn).toBeDefined();
    }
    const placement = rules.find((r) => r.EventPattern?.['detail-type']?.[0] === 'ECS Service Action');
    expect(JSON.stringify(placement?.EventPattern.detail.clusterArn)).toContain('cluster/test-cluster');
    const lifecycle = rules.find((r) => r.EventPattern?.['detail-type']?.[0] === 'EC2 Instance-terminate Lifecycle Action');
    expect(lifecycle?.EventPattern.detail.AutoScalingGroupName).toEqual(['spot-a', 'ondemand-b']);
    // Auto Scaling sends one event per hook: only the stack's own hook is drained and completed.
    expect(lifecycle?.EventPattern.detail.LifecycleHookName).toEqual(['headroom-test-cluster']);
    expect(rules.some((r) => r.ScheduleExpression === 'rate(1 minute)')).toBe(true);
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
    const send = statements().filter(({ where, s }) => where === 'IamRoleLambdaExecution' && [s.Action].flat().includes('sqs:SendMessage'));
    expect(send.map(({ s }) => s.Resource)).toEqual(expect.arrayContaining([{ 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] }]));
  });

  it('dashboard and alarms: dead letters, tasks stopped by termination, sustained pending tasks, handler errors', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const metrics = alarms.map((a) => a.MetricName ?? 'expression');
    expect(metrics).toEqual(expect.arrayContaining(['ApproximateNumberOfMessagesVisible', 'TasksStoppedByTermination', 'PendingTasks', 'expression']));
    const body = JSON.stringify((template.Resources.Dashboard as Resource).Properties.DashboardBody);
    for (const m of ['SchedulableTasks', 'PendingTasks', 'ActiveInstances', 'DrainSeconds', 'TasksStoppedByTermination']) expect(body).toContain(m);
  });
});
