import { loadConfig, type Config } from '../../core/config';
import { ConfigError, HeadroomError, isRetryable } from '../../core/errors';

type Env = Record<string, string | undefined>;
const BASE: Env = { CLUSTER_NAME: 'prod', ASG_NAMES: 'spot,on-demand' };
const env = (overrides: Env = {}): Env => ({ ...BASE, ...overrides });

/** The problems of an environment loadConfig refuses (fails the test if it accepts it). */
function problems(e: Env, options?: Parameters<typeof loadConfig>[1]): string[] {
  try {
    loadConfig(e, options);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('loadConfig accepted an invalid environment');
}
const names = (ps: string[]): string[] => ps.map((p) => p.slice(0, p.indexOf(':'))).sort();

describe('loadConfig: defaults (README configuration table)', () => {
  it('only the required variables: every other setting takes its documented default', () => {
    const c = loadConfig(env());
    expect(c).toEqual<Config>({
      clusterName: 'prod',
      asgNames: ['spot', 'on-demand'],
      taskShape: 'auto',
      // Chosen by simulation over the suite's tuning half (docs/suite.md, "How the defaults were chosen").
      shortageThreshold: 1,
      excessThreshold: 4,
      scaleInStabilizationSeconds: 300,
      maxScaleInPercent: 10,
      maxScaleOutStep: 50,
      drainTimeoutSeconds: 900,
      drainCheckSeconds: 30,
      metricsNamespace: 'Headroom',
      dryRun: false,
      rebalancePolicy: 'move',
      standaloneTaskPolicy: 'stop',
      groupBackoffSeconds: 300,
      scaleInEnabled: true,
      hookHeartbeatSeconds: 600,
      hookName: 'headroom-drain',
      provisioningTimeoutSeconds: 600,
      spotReserveInstances: 2,
      sparePercent: 100,
      spotReservePercent: 30,
      scaleInWaitSeconds: 3600,
    });
    expect('drainQueueUrl' in c).toBe(false);
  });

  it('blank values count as unset', () => {
    expect(loadConfig(env({ SHORTAGE_THRESHOLD: '  ', TASK_CPU: '', DRY_RUN: '' })).shortageThreshold).toBe(1);
  });
});

describe('loadConfig: values', () => {
  it.each<[string, Env, Partial<Config>]>([
    ['ASG_NAMES keeps the priority order and trims names', { ASG_NAMES: ' b , a,, c ' }, { asgNames: ['b', 'a', 'c'] }],
    ['a configured task shape', { TASK_CPU: '512', TASK_MEMORY: '1024' }, { taskShape: { cpu: 512, memory: 1024 } }],
    ['both auto', { TASK_CPU: 'auto', TASK_MEMORY: 'auto' }, { taskShape: 'auto' }],
    ['thresholds', { SHORTAGE_THRESHOLD: '0', EXCESS_THRESHOLD: '1' }, { shortageThreshold: 0, excessThreshold: 1 }],
    ['DRY_RUN true', { DRY_RUN: 'true' }, { dryRun: true }],
    ['DRY_RUN is case-insensitive and accepts 1/yes', { DRY_RUN: 'YES' }, { dryRun: true }],
    ['SCALE_IN_ENABLED false', { SCALE_IN_ENABLED: 'false' }, { scaleInEnabled: false }],
    ['DRAIN_QUEUE_URL', { DRAIN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/drain' }, { drainQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/drain' }],
    ['policies', { REBALANCE_POLICY: 'drain', STANDALONE_TASK_POLICY: 'WAIT' }, { rebalancePolicy: 'drain', standaloneTaskPolicy: 'wait' }],
    ['REBALANCE_POLICY replace', { REBALANCE_POLICY: 'replace' }, { rebalancePolicy: 'replace' }],
    ['REBALANCE_POLICY count is the older name of ignore', { REBALANCE_POLICY: 'Count' }, { rebalancePolicy: 'ignore' }],
    ['PROVISIONING_TIMEOUT_SECONDS', { PROVISIONING_TIMEOUT_SECONDS: '300' }, { provisioningTimeoutSeconds: 300 }],
    ['SPOT_RESERVE_INSTANCES 0 turns storm insurance off', { SPOT_RESERVE_INSTANCES: '0' }, { spotReserveInstances: 0 }],
    ['SPARE_PERCENT caps the spare of small clusters', { SPARE_PERCENT: '5' }, { sparePercent: 5 }],
    ['REBALANCE_POLICY move', { REBALANCE_POLICY: 'Move' }, { rebalancePolicy: 'move' }],
    ['SPOT_RESERVE_PERCENT caps the storm reserve', { SPOT_RESERVE_PERCENT: '15' }, { spotReservePercent: 15 }],
    ['SPOT_RESERVE_PERCENT 0 insures nothing', { SPOT_RESERVE_PERCENT: '0' }, { spotReservePercent: 0 }],
    ['SCALE_IN_WAIT_SECONDS', { SCALE_IN_WAIT_SECONDS: '7200' }, { scaleInWaitSeconds: 7200 }],
    ['limits at their bounds', { MAX_SCALE_IN_PERCENT: '100', MAX_SCALE_OUT_STEP: '1' }, { maxScaleInPercent: 100, maxScaleOutStep: 1 }],
    ['numbers with surrounding spaces', { MAX_SCALE_OUT_STEP: ' 7 ' }, { maxScaleOutStep: 7 }],
  ])('%s', (_rule, overrides, expected) => {
    expect(loadConfig(env(overrides))).toMatchObject(expected);
  });
});

describe('loadConfig: problems', () => {
  it.each<[string, Env, string]>([
    ['CLUSTER_NAME is required', { CLUSTER_NAME: undefined }, 'CLUSTER_NAME'],
    ['CLUSTER_NAME must be a valid name', { CLUSTER_NAME: 'bad name!' }, 'CLUSTER_NAME'],
    ['ASG_NAMES is required', { ASG_NAMES: undefined }, 'ASG_NAMES'],
    ['ASG_NAMES of only commas is empty', { ASG_NAMES: ' , ,' }, 'ASG_NAMES'],
    ['ASG_NAMES must not list a group twice', { ASG_NAMES: 'a,b,a' }, 'ASG_NAMES'],
    ['TASK_CPU must be a positive number or auto', { TASK_CPU: '0', TASK_MEMORY: '512' }, 'TASK_CPU'],
    ['TASK_MEMORY must be a whole number', { TASK_CPU: '256', TASK_MEMORY: '1.5' }, 'TASK_MEMORY'],
    ['SHORTAGE_THRESHOLD must be a whole number', { SHORTAGE_THRESHOLD: 'two' }, 'SHORTAGE_THRESHOLD'],
    ['SHORTAGE_THRESHOLD must not be negative', { SHORTAGE_THRESHOLD: '-1' }, 'SHORTAGE_THRESHOLD'],
    ['MAX_SCALE_IN_PERCENT at least 1', { MAX_SCALE_IN_PERCENT: '0' }, 'MAX_SCALE_IN_PERCENT'],
    ['MAX_SCALE_IN_PERCENT at most 100', { MAX_SCALE_IN_PERCENT: '101' }, 'MAX_SCALE_IN_PERCENT'],
    ['MAX_SCALE_OUT_STEP at least 1', { MAX_SCALE_OUT_STEP: '0' }, 'MAX_SCALE_OUT_STEP'],
    ['DRAIN_CHECK_SECONDS at most 900 (the SQS delay limit)', { DRAIN_CHECK_SECONDS: '901', DRAIN_TIMEOUT_SECONDS: '7200', HOOK_HEARTBEAT_SECONDS: '1800' }, 'DRAIN_CHECK_SECONDS'],
    ['DRAIN_QUEUE_URL must be a URL', { DRAIN_QUEUE_URL: 'not a url' }, 'DRAIN_QUEUE_URL'],
    ['DRY_RUN must be a boolean', { DRY_RUN: 'maybe' }, 'DRY_RUN'],
    ['STANDALONE_TASK_POLICY must be stop or wait', { STANDALONE_TASK_POLICY: 'kill' }, 'STANDALONE_TASK_POLICY'],
    ['REBALANCE_POLICY must be ignore, replace, move or drain', { REBALANCE_POLICY: 'panic' }, 'REBALANCE_POLICY'],
    ['PROVISIONING_TIMEOUT_SECONDS at least 60 (an instance needs time to register)', { PROVISIONING_TIMEOUT_SECONDS: '10' }, 'PROVISIONING_TIMEOUT_SECONDS'],
    ['SPOT_RESERVE_INSTANCES must not be negative', { SPOT_RESERVE_INSTANCES: '-1' }, 'SPOT_RESERVE_INSTANCES'],
    ['SPARE_PERCENT is a percentage (at most 100)', { SPARE_PERCENT: '101' }, 'SPARE_PERCENT'],
    ['SPARE_PERCENT is a whole number', { SPARE_PERCENT: '2.5' }, 'SPARE_PERCENT'],
    ['SPOT_RESERVE_PERCENT is a percentage (at most 100)', { SPOT_RESERVE_PERCENT: '150' }, 'SPOT_RESERVE_PERCENT'],
    ['SPOT_RESERVE_PERCENT must not be negative', { SPOT_RESERVE_PERCENT: '-5' }, 'SPOT_RESERVE_PERCENT'],
    ['SCALE_IN_WAIT_SECONDS at least 60', { SCALE_IN_WAIT_SECONDS: '10' }, 'SCALE_IN_WAIT_SECONDS'],
    ['SCALE_IN_WAIT_SECONDS at most 30 days', { SCALE_IN_WAIT_SECONDS: '2592001' }, 'SCALE_IN_WAIT_SECONDS'],
    ['METRICS_NAMESPACE must not use the AWS/ prefix', { METRICS_NAMESPACE: 'AWS/ECS' }, 'METRICS_NAMESPACE'],
    ['METRICS_NAMESPACE must not contain a colon', { METRICS_NAMESPACE: 'a:b' }, 'METRICS_NAMESPACE'],
  ])('%s', (_rule, overrides, name) => {
    expect(names(problems(env(overrides)))).toEqual([name]);
  });

  it.each<[string, Env, string]>([
    ['TASK_CPU and TASK_MEMORY are set together', { TASK_CPU: '512' }, 'TASK_CPU, TASK_MEMORY'],
    ['EXCESS_THRESHOLD must exceed SHORTAGE_THRESHOLD', { SHORTAGE_THRESHOLD: '5', EXCESS_THRESHOLD: '5' }, 'EXCESS_THRESHOLD'],
    ['DRAIN_CHECK_SECONDS must be less than DRAIN_TIMEOUT_SECONDS', { DRAIN_CHECK_SECONDS: '60', DRAIN_TIMEOUT_SECONDS: '60' }, 'DRAIN_CHECK_SECONDS'],
    ['HOOK_HEARTBEAT_SECONDS must exceed DRAIN_CHECK_SECONDS and the redelivery window', { HOOK_HEARTBEAT_SECONDS: '280', DRAIN_CHECK_SECONDS: '30' }, 'HOOK_HEARTBEAT_SECONDS'],
    ['DRAIN_TIMEOUT_SECONDS at most 100 × HOOK_HEARTBEAT_SECONDS', { HOOK_HEARTBEAT_SECONDS: '300', DRAIN_TIMEOUT_SECONDS: '30001' }, 'DRAIN_TIMEOUT_SECONDS'],
    // Equal to the hook's global timeout: Auto Scaling continues before the drain's own timeout acts.
    ['DRAIN_TIMEOUT_SECONDS equal to the global timeout (100 × heartbeat) is refused', { HOOK_HEARTBEAT_SECONDS: '300', DRAIN_TIMEOUT_SECONDS: '30000' }, 'DRAIN_TIMEOUT_SECONDS'],
    ['DRAIN_TIMEOUT_SECONDS equal to the 48 h cap is refused', { HOOK_HEARTBEAT_SECONDS: '7200', DRAIN_TIMEOUT_SECONDS: '172800' }, 'DRAIN_TIMEOUT_SECONDS'],
    ['DRAIN_TIMEOUT_SECONDS without room for a check and the redelivery window is refused', { HOOK_HEARTBEAT_SECONDS: '300', DRAIN_TIMEOUT_SECONDS: String(30000 - 30 - 250 + 1) }, 'DRAIN_TIMEOUT_SECONDS'],
  ])('cross-field: %s', (_rule, overrides, name) => {
    expect(names(problems(env(overrides)))).toEqual([name]);
  });

  it.each<[string, Env]>([
    ['a drain timeout that leaves one check and the redelivery window before the global timeout', { HOOK_HEARTBEAT_SECONDS: '300', DRAIN_TIMEOUT_SECONDS: String(30000 - 30 - 250) }],
    ['the smallest heartbeat above one check and the redelivery window', { HOOK_HEARTBEAT_SECONDS: '281', DRAIN_CHECK_SECONDS: '30' }],
  ])('cross-field, accepted: %s', (_rule, overrides) => {
    expect(() => loadConfig(env(overrides))).not.toThrow();
  });

  it('every problem is listed at once, in one error', () => {
    const ps = problems({ ASG_NAMES: 'a,a', SHORTAGE_THRESHOLD: 'x', MAX_SCALE_OUT_STEP: '0', DRY_RUN: 'perhaps', TASK_CPU: '-3', TASK_MEMORY: '512' });
    expect(names(ps)).toEqual(['ASG_NAMES', 'CLUSTER_NAME', 'DRY_RUN', 'MAX_SCALE_OUT_STEP', 'SHORTAGE_THRESHOLD', 'TASK_CPU']);
  });

  it('cross-field problems are listed together with single-variable problems', () => {
    const ps = problems({ ASG_NAMES: 'a', SHORTAGE_THRESHOLD: '20', EXCESS_THRESHOLD: '10', DRAIN_CHECK_SECONDS: '120', DRAIN_TIMEOUT_SECONDS: '60' });
    expect(names(ps)).toEqual(['CLUSTER_NAME', 'DRAIN_CHECK_SECONDS', 'EXCESS_THRESHOLD']);
  });

  it('a problem names the value it got', () => {
    expect(problems(env({ MAX_SCALE_OUT_STEP: 'lots' }))[0]).toContain('"lots"');
  });

  it.each<[string, Env, string[]]>([
    ['requireDrainQueue: a missing DRAIN_QUEUE_URL is a problem', {}, ['DRAIN_QUEUE_URL']],
    ['requireDrainQueue: a blank DRAIN_QUEUE_URL is a problem', { DRAIN_QUEUE_URL: ' ' }, ['DRAIN_QUEUE_URL']],
    ['requireDrainQueue: listed with the other problems', { CLUSTER_NAME: undefined }, ['CLUSTER_NAME', 'DRAIN_QUEUE_URL']],
  ])('%s', (_rule, overrides, expected) => {
    expect(names(problems(env(overrides), { requireDrainQueue: true }))).toEqual(expected);
  });

  it('requireDrainQueue is satisfied by a queue URL; without it the URL is optional', () => {
    expect(loadConfig(env({ DRAIN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/q' }), { requireDrainQueue: true }).drainQueueUrl).toBe('https://sqs.us-east-1.amazonaws.com/111122223333/q');
    expect(() => loadConfig(env())).not.toThrow();
  });

  it('a configuration error is not retryable; any other error is', () => {
    let caught: unknown;
    try {
      loadConfig({});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).category).toBe('configuration');
    expect(isRetryable(caught)).toBe(false);
    expect(isRetryable(new HeadroomError('transient', 'throttled'))).toBe(true);
    expect(isRetryable(new HeadroomError('not-found', 'gone'))).toBe(false);
    expect(isRetryable(new Error('socket hang up'))).toBe(true);
  });
});
