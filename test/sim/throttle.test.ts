/**
 * Per-account API throttling (sim/world/throttle.ts): the token bucket admits a burst, then the refill
 * rate; actions share their category's bucket; every policy that calls AWS draws on it, and a
 * policy over the rate is throttled while one under it is not.
 */
import type { PolicyResult } from '../../sim/run/result';
import { runScenario } from '../../sim/run/run';
import { parseScenario, ScenarioError, type PolicyName } from '../../sim/scenario/scenario';
import { ApiThrottle, DEFAULT_BUCKETS, TokenBucket } from '../../sim/world/throttle';

const T0 = 1_000_000;

describe('token bucket', () => {
  // ECS cluster resource read: burst 100, refill 20/s. The k-th of 500 requests made at one instant
  // is admitted at max(0, (k − 100) / 20) s: the burst at once, then 20 per second.
  it.each([
    [1, 0],
    [100, 0],
    [101, 0.05],
    [120, 1],
    [300, 10],
    [500, 20],
  ])('admits request %i of a 500-request burst after %f s', (k, seconds) => {
    const bucket = new TokenBucket({ burst: 100, ratePerSecond: 20 }, T0);
    let last = { throttled: 0, waitMs: 0 };
    for (let i = 0; i < k; i++) last = bucket.take(1, T0);
    expect(last.waitMs).toBeCloseTo(seconds * 1000, 6);
  });

  it('throttles all but the burst of 500 requests at one instant, admitting the last after 400 / 20 s', () => {
    const bucket = new TokenBucket({ burst: 100, ratePerSecond: 20 }, T0);
    expect(bucket.take(500, T0)).toEqual({ throttled: 400, waitMs: 20_000 });
    // Callers queue behind the debt: the next request waits for its own token after theirs.
    expect(bucket.take(1, T0 + 10_000).waitMs).toBeCloseTo(10_050, 6);
    // Once the debt is repaid and the bucket refilled, a burst goes through again.
    expect(bucket.take(100, T0 + 60_000)).toEqual({ throttled: 0, waitMs: 0 });
  });

  it('never throttles a caller under the refill rate, and never holds more than the burst', () => {
    const bucket = new TokenBucket({ burst: 100, ratePerSecond: 20 }, T0);
    let throttled = 0;
    for (let s = 0; s < 600; s++) throttled += bucket.take(19, T0 + s * 1000).throttled;
    expect(throttled).toBe(0);
    // An hour idle refills to 100, not more: 101 at once throttles one.
    expect(bucket.take(101, T0 + 3_600_000).throttled).toBe(1);
  });
});

describe('the account throttle', () => {
  const fresh = (enabled = true, buckets = {}) => new ApiThrottle({ enabled, buckets }, T0);

  it('shares one bucket between the actions of an ECS category, not across categories', () => {
    const t = fresh();
    expect(t.take('ListTasks', 100, T0).throttled).toBe(0);
    expect(t.take('DescribeContainerInstances', 10, T0).throttled).toBe(10);
    expect(t.take('DescribeServices', 100, T0).throttled).toBe(0);
    expect(t.take('StopTask', 100, T0).throttled).toBe(0);
  });

  it('never throttles SQS SendMessage, nor anything when disabled', () => {
    expect(fresh().take('SendMessage', 10_000, T0)).toEqual({ throttled: 0, waitMs: 0 });
    expect(fresh(false).take('DescribeContainerInstances', 10_000, T0)).toEqual({ throttled: 0, waitMs: 0 });
  });

  it('uses a scenario override instead of the documented default', () => {
    expect(DEFAULT_BUCKETS['autoscaling.modify'].burst).toBe(20);
    const t = fresh(true, { 'autoscaling.modify': { burst: 2, ratePerSecond: 1 } });
    expect(t.take('CompleteLifecycleAction', 5, T0)).toEqual({ throttled: 3, waitMs: 3000 });
  });
});

describe('throttling in a run', () => {
  /** A small cluster on a tight ECS read bucket (3 requests a minute): whoever reads every instance each minute is over it. */
  const scenario = (throttle: unknown) =>
    parseScenario({
      name: 'tight-bucket',
      seed: 5,
      durationMinutes: 120,
      capacityGroups: [{ name: 'od', instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.19, min: 1, max: 10, initial: 3, launchSeconds: 150 }],
      services: [{ name: 'web', cpu: 512, memory: 1024, desired: [[0, 10], [40, 30], [80, 10]] }],
      faults: { throttle },
      policies: ['headroom', 'ugns', 'ecs-cas'],
    });
  const tight = { buckets: { 'ecs.clusterResourceRead': { burst: 3, ratePerSecond: 0.05 } } };
  const byPolicy = (results: readonly PolicyResult[]): Record<string, PolicyResult> => Object.fromEntries(results.map((r) => [r.policy, r]));
  const simulated = ({ instanceHoursPerCpuSecond: _speed, ...rest }: PolicyResult) => rest;
  let throttled: Record<string, PolicyResult>;
  let unthrottled: Record<string, PolicyResult>;

  beforeAll(async () => {
    throttled = byPolicy((await runScenario(scenario(tight), { root: process.cwd() })).runs.map((r) => r.result));
    unthrottled = byPolicy((await runScenario(scenario({ enabled: false }), { root: process.cwd() })).runs.map((r) => r.result));
  });

  it.each<[PolicyName]>([['headroom'], ['ugns']])('throttles %s, which reads every container instance each minute, over the bucket', (policy) => {
    expect(throttled[policy]?.throttledApiCalls).toBeGreaterThan(0);
    expect(unthrottled[policy]?.throttledApiCalls).toBe(0);
  });

  it('does not throttle ecs-cas, whose few calls stay under every bucket', () => {
    expect(throttled['ecs-cas']?.apiCalls).toBeGreaterThan(0);
    expect(throttled['ecs-cas']?.throttledApiCalls).toBe(0);
  });

  it('repeats exactly for the same seed', async () => {
    const again = byPolicy((await runScenario(scenario(tight), { root: process.cwd() })).runs.map((r) => r.result));
    for (const policy of Object.keys(throttled)) expect(simulated(again[policy] as PolicyResult)).toEqual(simulated(throttled[policy] as PolicyResult));
  });
});

describe('throttle settings', () => {
  const base = {
    name: 'tiny',
    seed: 1,
    durationMinutes: 60,
    capacityGroups: [{ name: 'g', instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.1, min: 1, max: 5, initial: 1 }],
  };
  const problems = (faults: unknown, extra: Record<string, unknown> = {}): string[] => {
    try {
      parseScenario({ ...base, ...extra, faults }, 'test.json');
    } catch (e) {
      if (e instanceof ScenarioError) return [...e.problems];
      throw e;
    }
    return [];
  };

  it('is on by default with the documented buckets', () => {
    expect(parseScenario(base).faults.throttle).toEqual({ enabled: true, buckets: {} });
  });

  it('refuses an unknown bucket and lists cross-field problems with type problems', () => {
    expect(problems({ throttle: { buckets: { 'ecs.everything': { burst: 1, ratePerSecond: 1 } } } })).toEqual([expect.stringMatching(/^faults\.throttle\.buckets: unknown field "ecs\.everything"/)]);
    const p = problems({ throttle: { enabled: false, buckets: { 'ecs.serviceRead': { burst: 10, ratePerSecond: 50 }, 'ecs.taskDefinitionRead': { burst: 0, ratePerSecond: 1 } } } }, { seed: 'x' });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^seed: /),
        expect.stringMatching(/^faults\.throttle\.buckets\.ecs\.taskDefinitionRead\.burst: expected the bucket size in requests \(≥ 1\)/),
        'faults.throttle: buckets have no effect with enabled: false (remove one or the other)',
        'faults.throttle.buckets.ecs.serviceRead: expected ratePerSecond ≤ burst (got 50 > 10)',
      ]),
    );
    expect(p).toHaveLength(4);
  });
});
