import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SCENARIO } from '../../sim/scenario/default-scenario';
import { parseScenario, parseScenarioText, ScenarioError } from '../../sim/scenario/scenario';
import { desiredAt } from '../../sim/scenario/workload';
import { parseArgs, UsageError } from '../../sim/cli';

const minimal = {
  name: 'tiny',
  seed: 1,
  durationMinutes: 60,
  capacityGroups: [{ name: 'g', instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.1, min: 1, max: 5, initial: 1 }],
  services: [{ name: 'web', cpu: 512, memory: 1024, desired: [[0, 2]] }],
};

function problems(input: unknown): string[] {
  try {
    parseScenario(input, 'test.json');
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario validation', () => {
  it('accepts a minimal scenario and fills documented defaults', () => {
    const s = parseScenario(minimal);
    expect(s.tickSeconds).toBe(60);
    expect(s.capacityGroups[0]?.launchSeconds).toBe(150);
    expect(s.services[0]?.minimumHealthyPercent).toBe(100);
    expect(s.faults.apiErrorRate).toBe(0);
    // AWS's defaults: AZRebalance on, services spread; Headroom's recommended setup suspends AZRebalance.
    expect(s.capacityGroups[0]?.azRebalance).toBe(true);
    expect(s.services[0]?.placementStrategy).toBeUndefined();
    expect(s.cluster.placementStrategy).toBe('spread');
    expect(s.cluster.headroomSuspendsAzRebalance).toBe(true);
  });

  it('fills the same cluster defaults when the cluster object is given without them', () => {
    const s = parseScenario({ ...minimal, cluster: { capacityProviders: true } });
    expect([s.cluster.placementStrategy, s.cluster.headroomSuspendsAzRebalance]).toEqual(['spread', true]);
  });

  it('lists cross-field problems together with type problems', () => {
    const p = problems({ ...minimal, seed: 'x', capacityGroups: [{ ...minimal.capacityGroups[0], min: 6, launchFailures: [{ fromMinute: 30, toMinute: 10 }] }] });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^seed: /),
        expect.stringMatching(/^capacityGroups\[0\]\.min: must not exceed max/),
        expect.stringMatching(/^capacityGroups\[0\]\.launchFailures\[0\]: expected fromMinute < toMinute/),
      ]),
    );
  });

  it.each([['CLUSTER_NAME'], ['SHORTAGE_TRESHOLD'], ['PATH']])('refuses the env key %s (not a setting core/config.ts reads)', (key) => {
    expect(problems({ ...minimal, env: { [key]: '1' } })).toEqual([expect.stringMatching(/^env\.\w+: unknown variable: expected one of TASK_CPU, /)]);
  });

  it('accepts every setting core/config.ts documents', () => {
    expect(() => parseScenario({ ...minimal, env: { SHORTAGE_THRESHOLD: '1', STANDALONE_TASK_POLICY: 'wait', DRAIN_TIMEOUT_SECONDS: '600' } })).not.toThrow();
  });

  it.each([
    [undefined, 'capacity-providers'],
    ['capacity-providers', 'capacity-providers'],
    ['plain', 'plain'],
  ])('cluster.headroomSetup %s is Headroom\'s setup %s', (given, setup) => {
    expect(parseScenario({ ...minimal, ...(given !== undefined ? { cluster: { headroomSetup: given } } : {}) }).cluster.headroomSetup).toBe(setup);
  });

  it('refuses an unknown cluster.headroomSetup, naming the setups', () => {
    expect(problems({ ...minimal, cluster: { headroomSetup: 'managed' } })).toEqual([expect.stringMatching(/^cluster\.headroomSetup: expected one of capacity-providers, plain/)]);
  });

  it('refuses a storm zone no group has and a strategy naming no group', () => {
    const p = problems({ ...minimal, interruptions: { storms: [{ atMinute: 1, fraction: 0.5, availabilityZone: 'mars-1a' }] }, cluster: { defaultCapacityProviderStrategy: [{ capacityProvider: 'nope' }] } });
    expect(p).toEqual([expect.stringMatching(/capacityProvider: no capacity group named "nope"/), expect.stringMatching(/^interruptions\.storms\[0\]\.availabilityZone: no capacity group has zone "mars-1a"/)]);
  });

  it('names the field and what was expected', () => {
    const bad = { ...minimal, capacityGroups: [{ ...minimal.capacityGroups[0], cpu: 'lots' }] };
    expect(problems(bad)).toEqual([expect.stringMatching(/^capacityGroups\[0\]\.cpu: expected CPU units .* \(got "lots"\)$/)]);
  });

  it('lists every problem at once, including cross-field rules', () => {
    const bad = {
      ...minimal,
      seed: 1.5,
      capacityGroups: [{ ...minimal.capacityGroups[0], min: 4, max: 2, initial: 3 }],
      faults: { eventDelaySeconds: [5, 1] },
      colour: 'blue',
    };
    const p = problems(bad);
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^seed: /),
        expect.stringMatching(/^\(top level\): unknown field "colour"/),
      ]),
    );
    const p2 = problems({ ...minimal, capacityGroups: [{ ...minimal.capacityGroups[0], min: 4, max: 2, initial: 3 }], faults: { eventDelaySeconds: [5, 1] } });
    expect(p2).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^capacityGroups\[0\]\.min: must not exceed max/),
        expect.stringMatching(/^faults\.eventDelaySeconds: expected \[min, max\]/),
      ]),
    );
  });

  it('reports missing required fields and bad JSON', () => {
    expect(problems({ seed: 1 })).toEqual(expect.arrayContaining([expect.stringMatching(/^name: .*\(missing\)$/), expect.stringMatching(/^capacityGroups: /)]));
    expect(() => parseScenarioText('{ nope', 'x.json')).toThrow(/x\.json.*not valid JSON/s);
  });

  it('ships the embedded default as scenarios/default.json', () => {
    const file = JSON.parse(readFileSync(join(__dirname, '../../sim/scenarios/default.json'), 'utf8')) as unknown;
    expect(DEFAULT_SCENARIO).toEqual(file);
    expect(() => parseScenario(DEFAULT_SCENARIO)).not.toThrow();
  });

  it('validates every shipped scenario', () => {
    for (const name of ['default.json', 'spot-storm.json', 'trace-replay.json']) {
      const text = readFileSync(join(__dirname, '../../sim/scenarios', name), 'utf8');
      expect(() => parseScenarioText(text, name)).not.toThrow();
    }
  });
});

describe('desired curves', () => {
  const curve = { desired: [[0, 6], [480, 40], [720, 60], [1200, 12]] as Array<[number, number]> };
  it('interpolates linearly and holds the ends', () => {
    expect(desiredAt(curve, 0)).toBe(6);
    expect(desiredAt(curve, 240)).toBe(23);
    expect(desiredAt(curve, 600)).toBe(50);
    expect(desiredAt(curve, 5000)).toBe(12);
  });
});

describe('command line', () => {
  it('parses flags', () => {
    expect(parseArgs(['--scenario', 'a.json', '--json', '--out=r.html', '--policies', 'headroom,ugns'])).toEqual({ scenario: 'a.json', json: true, help: false, out: 'r.html', policies: ['headroom', 'ugns'] });
  });
  it('rejects unknown flags, missing values and unknown policies', () => {
    expect(() => parseArgs(['--frobnicate'])).toThrow(UsageError);
    expect(() => parseArgs(['--scenario'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--policies', 'karpenter'])).toThrow(/unknown karpenter/);
  });
});
