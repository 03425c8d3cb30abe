/**
 * ecs-cas as AWS documents capacity providers (sim/policies/ecs-cas.ts): scale-in by at most half
 * the group per step, actions a minute after their datapoint, weighted groups run without weights,
 * and a Spot plus On-Demand cluster with no strategy gets the one AWS's guidance sets; ugns's
 * alarms take as long as ecs-cas's.
 */
import { casScaleInTarget, casSetupNotes, defaultStrategy, ecsCasPolicy, OD_BASE, OD_WEIGHT, SPOT_WEIGHT } from '../../sim/policies/ecs-cas';
import { lowerBoundOf } from '../../sim/run/lower-bound';
import { runScenario } from '../../sim/run/run';
import { parseScenario } from '../../sim/scenario/scenario';
import { buildWorkload } from '../../sim/scenario/workload';
import { World } from '../../sim/world/world';

const group = (name: string, spot: boolean, extra: Record<string, unknown> = {}) => ({ name, instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.1, spot, min: 0, max: 20, initial: 1, launchSeconds: 60, ...extra });
const scenarioOf = (groups: unknown[], extra: Record<string, unknown> = {}) => parseScenario({ name: 'cas', seed: 4, durationMinutes: 30, capacityGroups: groups, ...extra });

describe('one managed scale-in step', () => {
  it.each([
    ['removes at most half of desired', 10, 0, 0, 5],
    ['rounds the half down on an odd group', 3, 0, 0, 2],
    ['a group of one can still reach zero', 1, 0, 0, 0],
    ['stops at N when N is closer', 10, 8, 0, 8],
    ['never goes below min', 10, 0, 7, 7],
    ['a big group takes several steps', 334, 34, 0, 167],
  ])('%s', (_rule, desired, N, min, expected) => {
    expect(casScaleInTarget(desired, N, min)).toBe(expected);
  });
});

describe('the default capacity provider strategy', () => {
  it('Spot and On-Demand with none named: a base on the first On-Demand group, Spot weighted', () => {
    const s = scenarioOf([group('spot-a', true), group('od', false), group('spot-b', true), group('od-2', false)]);
    expect(defaultStrategy(s)).toEqual([
      { capacityProvider: 'spot-a', base: 0, weight: SPOT_WEIGHT },
      { capacityProvider: 'od', base: OD_BASE, weight: OD_WEIGHT },
      { capacityProvider: 'spot-b', base: 0, weight: SPOT_WEIGHT },
      { capacityProvider: 'od-2', base: 0, weight: OD_WEIGHT },
    ]);
    expect(casSetupNotes(s).join('\n')).toMatch(/od base 2 weight 1/);
  });

  it.each([
    ['only Spot groups: the first group alone', [group('a', true), group('b', true)], undefined, [{ capacityProvider: 'a', base: 0, weight: 1 }]],
    ['a strategy the scenario names wins', [group('spot', true), group('od', false)], [{ capacityProvider: 'spot', base: 1, weight: 1 }], [{ capacityProvider: 'spot', base: 1, weight: 1 }]],
  ])('%s', (_rule, groups, named, expected) => {
    const s = scenarioOf(groups, named !== undefined ? { cluster: { defaultCapacityProviderStrategy: named } } : {});
    expect(defaultStrategy(s)).toEqual(expected);
  });
});

describe('weighted groups under capacity providers', () => {
  const weighted = scenarioOf([
    group('mixed', true, { min: 3, initial: 3, instanceTypes: [{ instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.1, weight: 1 }, { instanceType: 'm5.2xlarge', cpu: 8192, memory: 31152, pricePerHour: 0.2, weight: 2 }] }),
  ]);

  it('runs the same types without weights: each instance counts 1 toward desired', async () => {
    const workload = buildWorkload(weighted, process.cwd());
    const world = new World({ scenario: weighted, submissions: workload.submissions, policy: ecsCasPolicy(weighted), stuckAfterSeconds: 960, referenceShape: { cpu: 1024, memory: 2048 }, lowerBound: lowerBoundOf(weighted, workload.submissions) });
    expect(world.groups[0]?.types.map((t) => [t.instanceType, t.weight])).toEqual([['m5.xlarge', 1], ['m5.2xlarge', 1]]);
    await world.run();
    // Min 3 with the weights would be met by two instances (1 + 2); without them it takes three.
    expect(world.instances.filter((i) => i.terminatedAt === undefined)).toHaveLength(3);
  });

  it('the report says so', () => {
    expect(casSetupNotes(weighted)).toEqual([expect.stringMatching(/ecs-cas runs group mixed without instance weights/)]);
  });
});

describe('metric → alarm → Auto Scaling', () => {
  it('a scale-out lands a minute after the datapoint that calls for it', async () => {
    // The first instance warms up for 300 s: the first datapoint that can ask for more is minute 5.
    const s = scenarioOf([group('g', false)], { jobs: [{ atMinute: 0.5, count: 4, cpu: 4096, memory: 8192, durationMinutes: 20 }], cluster: { capacityProviders: true } });
    const out = await runScenario(s, { root: process.cwd(), policies: ['ecs-cas'] });
    const first = out.runs[0]?.log.find((l) => /ecs-cas target tracking sets desired/.test(l));
    expect(first).toMatch(/^6\.00 /);
  });
});

describe("ugns's alarms act as late as ecs-cas's", () => {
  it('a scale-out lands a minute after the datapoint that calls for it', async () => {
    // An idle group of one: headroom is short from the first datapoint (minute 1) on.
    const s = scenarioOf([group('g', false, { min: 1 })], { services: [{ name: 'web', cpu: 2048, memory: 8000, desired: [[0, 6]] }] });
    const out = await runScenario(s, { root: process.cwd(), policies: ['ugns'] });
    const first = out.runs[0]?.log.find((l) => /ugns alarm sets desired/.test(l));
    expect(first).toMatch(/^2\.00 /);
  });
});
