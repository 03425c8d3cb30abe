/**
 * `npm run plan` without AWS: its ports can only read (checked on the type and on the objects),
 * flags override the environment, and bad settings or flags stop it before any read.
 */
import { loadConfig } from '../../core/config';
import { AwsAutoScaling } from '../../handlers/aws/autoscaling';
import { CloudWatchMetrics } from '../../handlers/aws/cloudwatch';
import { Ec2InstanceCatalog } from '../../handlers/aws/ec2';
import { EcsContainerService } from '../../handlers/aws/ecs/ecs';
import { SqsDrainQueue } from '../../handlers/aws/sqs';
import { main, parsePlanArgs, planEnv } from '../../cli/plan';
import { awsReadOnlyPorts, READ_METHODS, type ReadOnlyPorts } from '../../cli/plan-ports';

/** Every method the AWS adapters have (reads and writes). */
function adapterMethods(cls: { prototype: object }): string[] {
  return Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== 'constructor');
}

const WRITES = [...adapterMethods(EcsContainerService), ...adapterMethods(AwsAutoScaling), ...adapterMethods(CloudWatchMetrics), ...adapterMethods(SqsDrainQueue), ...adapterMethods(Ec2InstanceCatalog)].filter(
  (m) => !(Object.values(READ_METHODS) as ReadonlyArray<readonly string[]>).some((reads) => reads.includes(m)),
);

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('plan ports are read-only', () => {
  const ports = awsReadOnlyPorts(loadConfig({ CLUSTER_NAME: 'c', ASG_NAMES: 'a' }), log);

  it('the adapters do have write methods (so the check below can fail)', () => {
    expect(WRITES).toEqual(expect.arrayContaining(['setStatus', 'setAttribute', 'stopTasks', 'setDesiredCapacity', 'terminateInstance', 'completeLifecycleAction', 'heartbeat', 'publish', 'enqueue']));
  });

  it.each(Object.entries(READ_METHODS))('%s exposes exactly its read methods, frozen, and no write method anywhere on it', (port, reads) => {
    const view = ports[port as keyof typeof READ_METHODS] as object;
    expect(Object.keys(view).sort()).toEqual([...reads].sort());
    expect(Object.isFrozen(view)).toBe(true);
    for (const write of WRITES) expect(write in view).toBe(false);
  });

  it('has no queue and nothing else to write through', () => {
    expect(Object.keys(ports).sort()).toEqual(['autoScaling', 'catalog', 'ecs', 'log', 'metrics', 'now', 'setup']);
    expect(Object.isFrozen(ports)).toBe(true);
  });

  it('has no write method on the type', () => {
    const typeOnly = (p: ReadOnlyPorts): void => {
      // @ts-expect-error no UpdateContainerInstancesState
      void p.ecs.setStatus;
      // @ts-expect-error no PutAttributes / DeleteAttributes
      void p.ecs.setAttribute;
      // @ts-expect-error no StopTask
      void p.ecs.stopTasks;
      // @ts-expect-error no SetDesiredCapacity
      void p.autoScaling.setDesiredCapacity;
      // @ts-expect-error no TerminateInstanceInAutoScalingGroup
      void p.autoScaling.terminateInstance;
      // @ts-expect-error no CompleteLifecycleAction
      void p.autoScaling.completeLifecycleAction;
      // @ts-expect-error no RecordLifecycleActionHeartbeat
      void p.autoScaling.heartbeat;
      // @ts-expect-error no PutMetricData
      void p.metrics.publish;
      // @ts-expect-error no SendMessage
      void p.queue;
    };
    // The exact key sets, checked by the compiler.
    const keys: Record<keyof ReadOnlyPorts['ecs'] | keyof ReadOnlyPorts['autoScaling'] | keyof ReadOnlyPorts['catalog'] | keyof ReadOnlyPorts['metrics'], true> = { snapshot: true, tasksOf: true, describeGroups: true, launchTemplate: true, instanceTypes: true, history: true };
    expect(Object.keys(keys)).toHaveLength(6);
    expect(typeof typeOnly).toBe('function');
  });
});

describe('plan arguments and configuration', () => {
  it('flags override CLUSTER_NAME and ASG_NAMES; other variables pass through', () => {
    const env = planEnv(parsePlanArgs(['--cluster', 'prod', '--asg-names', 'spot,od', '--json']), { CLUSTER_NAME: 'dev', ASG_NAMES: 'x', TASK_CPU: '512' });
    expect(env).toMatchObject({ CLUSTER_NAME: 'prod', ASG_NAMES: 'spot,od', TASK_CPU: '512' });
    expect(planEnv(parsePlanArgs([]), { CLUSTER_NAME: 'dev', ASG_NAMES: 'x' })).toMatchObject({ CLUSTER_NAME: 'dev', ASG_NAMES: 'x' });
  });

  it.each([
    ['an unknown flag', ['--clusetr', 'x'], /clusetr/],
    ['a missing value', ['--cluster'], /cluster/],
  ])('%s is a usage error (exit 2), nothing read', async (_name, argv, message) => {
    let stderr = '';
    const ports = jest.fn();
    const code = await main(argv, { env: {}, stdout: () => undefined, stderr: (t) => (stderr += t), ports });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(ports).not.toHaveBeenCalled();
  });

  it('invalid settings list every problem (exit 2), nothing read', async () => {
    let stderr = '';
    const ports = jest.fn();
    const code = await main(['--asg-names', 'a'], { env: { SHORTAGE_THRESHOLD: 'many', TASK_CPU: '512' }, stdout: () => undefined, stderr: (t) => (stderr += t), ports });
    expect(code).toBe(2);
    for (const name of ['CLUSTER_NAME', 'SHORTAGE_THRESHOLD', 'TASK_CPU, TASK_MEMORY']) expect(stderr).toContain(name);
    expect(ports).not.toHaveBeenCalled();
  });

  it('--help prints the usage and exits 0', async () => {
    let stdout = '';
    expect(await main(['--help'], { env: {}, stdout: (t) => (stdout += t), stderr: () => undefined })).toBe(0);
    expect(stdout).toMatch(/npm run plan -- \[--cluster NAME\] \[--asg-names A,B\] \[--json\]/);
  });
});
