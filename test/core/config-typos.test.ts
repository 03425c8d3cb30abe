/** Configuration typos and look-alikes are reported, never silently ignored or half-accepted. */
import { loadConfig } from '../../core/config';
import { ConfigError } from '../../core/errors';

type Env = Record<string, string | undefined>;
const BASE: Env = { CLUSTER_NAME: 'prod', ASG_NAMES: 'spot,on-demand' };
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/headroom-prod-drain';

function problems(e: Env): string[] {
  try {
    loadConfig(e);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('unknown variables that look like ours are errors listing the known names', () => {
  it.each([
    ['DRYRUN', 'DRY_RUN'],
    ['SHORTAGE_THRESHOLDS', 'SHORTAGE_THRESHOLD'],
    ['shortage_threshold', 'SHORTAGE_THRESHOLD'],
    ['DRAIN_TIMEOUT', 'DRAIN_TIMEOUT_SECONDS'],
    ['ASG_NAME', 'ASG_NAMES'],
    ['REBALANCE_POLICIES', 'REBALANCE_POLICY'],
    ['STANDALONE_TASKS_POLICY', 'STANDALONE_TASK_POLICY'],
  ])('%s (meant %s)', (typo, meant) => {
    const ps = problems({ ...BASE, [typo]: 'true' });
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatch(new RegExp(`^${typo}: unknown variable; did you mean ${meant}\\?`));
    expect(ps[0]).toContain('CLUSTER_NAME, ASG_NAMES, DRAIN_QUEUE_URL');
  });

  it.each(['PATH', 'AWS_REGION', 'AWS_LAMBDA_FUNCTION_NAME', 'NODE_OPTIONS', 'TZ', 'LAMBDA_TASK_ROOT', 'HOME', 'LANG'])('%s, a variable of the platform, is left alone', (name) => {
    expect(problems({ ...BASE, [name]: 'x' })).toEqual([]);
  });
});

describe('DRAIN_QUEUE_URL must be an SQS queue URL of the function region', () => {
  it.each<[string, Env, RegExp | undefined]>([
    ['an SQS URL of the region', { DRAIN_QUEUE_URL: QUEUE, AWS_REGION: 'eu-west-1' }, undefined],
    ['an SQS URL when the region is unknown (tests, the simulator)', { DRAIN_QUEUE_URL: QUEUE }, undefined],
    ['a queue of another region', { DRAIN_QUEUE_URL: QUEUE, AWS_REGION: 'us-east-1' }, /region eu-west-1, not the function's region us-east-1/],
    ['any other URL', { DRAIN_QUEUE_URL: 'https://example.com/111122223333/q' }, /not an SQS queue URL/],
    ['a queue ARN', { DRAIN_QUEUE_URL: 'arn:aws:sqs:eu-west-1:111122223333:q' }, /not an SQS queue URL/],
  ])('%s', (_name, extra, problem) => {
    const ps = problems({ ...BASE, ...extra });
    if (problem === undefined) expect(ps).toEqual([]);
    else expect(ps.join('\n')).toMatch(problem);
  });

  it('the queue URL gives the stack account (used to drop events of other accounts)', () => {
    expect(loadConfig({ ...BASE, DRAIN_QUEUE_URL: QUEUE }).account).toBe('111122223333');
  });
});

describe('ASG_NAMES lists names, not ARNs or patterns', () => {
  it.each([
    ['an ARN', 'arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:0f2c:autoScalingGroupName/spot'],
    ['a wildcard pattern', 'spot-*'],
    ['a single-character pattern', 'spot-?'],
  ])('%s is refused', (_name, group) => {
    expect(problems({ ...BASE, ASG_NAMES: `on-demand,${group}` }).join('\n')).toMatch(/^ASG_NAMES: .*name/);
  });
});

describe('the Lambda runtime environment is never mistaken for a typo', () => {
  // Reserved and defined runtime variables (Lambda developer guide, "Defined runtime environment variables").
  const runtime = [
    '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
    'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
    'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
    'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', 'AWS_XRAY_CONTEXT_MISSING', 'AWS_XRAY_DAEMON_ADDRESS',
    'AWS_LAMBDA_DOTNET_PREJIT', 'TZ', 'LANG', 'PATH', 'LD_LIBRARY_PATH', 'NODE_PATH', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'HOME', 'SHLVL', 'PWD',
  ];
  it('every runtime variable set at once: no problem', () => {
    expect(problems({ ...BASE, ...Object.fromEntries(runtime.map((n) => [n, 'x'])) })).toEqual([]);
  });
});
