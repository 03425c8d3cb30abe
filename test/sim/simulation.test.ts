/**
 * Simulation invariants on small scenarios (a few simulated hours each, so the suite stays fast).
 * Every policy runs on an identical world; `headroom` is the real handler code.
 */
import { runScenario, type RunOutput } from '../../sim/run/run';
import { parseScenario, type PolicyName } from '../../sim/scenario/scenario';
import type { PolicyResult } from '../../sim/run/result';

function scenario(overrides: Record<string, unknown> = {}) {
  return parseScenario({
    name: 'small',
    seed: 11,
    durationMinutes: 360,
    tickSeconds: 60,
    capacityGroups: [{ name: 'spot', instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.08, spot: true, min: 1, max: 20, initial: 2, launchSeconds: 150 }],
    services: [
      { name: 'web', cpu: 512, memory: 1024, desired: [[0, 4], [60, 30], [150, 30], [240, 4]] },
      { name: 'agent', cpu: 128, memory: 256, daemon: true },
    ],
    jobs: [{ atMinute: 30, count: 6, cpu: 1024, memory: 2048, durationMinutes: 20 }],
    interruptions: { spotPerInstanceHour: 0, storms: [{ atMinute: 120, fraction: 0.1 }] },
    // One m5.xlarge holds 7 web tasks: a one-instance storm is covered by 8 spare reference tasks,
    // kept whole on this 30-task cluster (SPARE_PERCENT 100: the threshold sizes storm cover).
    env: { SHORTAGE_THRESHOLD: '8', EXCESS_THRESHOLD: '14', SPARE_PERCENT: '100' },
    ...overrides,
  });
}

/** The result without the speed measure (CPU time varies from run to run; everything else must not). */
const simulated = ({ instanceHoursPerCpuSecond: _speed, ...rest }: PolicyResult): Omit<PolicyResult, 'instanceHoursPerCpuSecond'> => rest;

const byPolicy = (o: RunOutput): Record<PolicyName, PolicyResult> => Object.fromEntries(o.runs.map((r) => [r.result.policy, r.result])) as Record<PolicyName, PolicyResult>;

describe('a storm the headroom covers', () => {
  let out: RunOutput;
  beforeAll(async () => {
    out = await runScenario(scenario(), { root: process.cwd() });
  });

  it('hits at least one busy instance in every policy', () => {
    for (const r of out.runs) expect(r.result.interruptions).toBeGreaterThanOrEqual(1);
  });

  it('headroom loses no task, leaves no instance stuck and never crosses a group bound', () => {
    const h = byPolicy(out).headroom;
    expect(h.tasksLost).toBe(0);
    expect(h.stuckInstances).toBe(0);
    expect(h.boundViolations).toBe(0);
  });

  it('headroom is cheaper than a fleet sized for the peak', () => {
    const r = byPolicy(out);
    expect(r.headroom.cost).toBeLessThan(r['static-peak'].cost);
    expect(r.headroom.costRatio).toBeGreaterThanOrEqual(1);
  });

  it('no policy crosses a bound; costs never undercut the lower bound', () => {
    for (const r of out.runs) {
      expect(r.result.boundViolations).toBe(0);
      expect(r.result.cost).toBeGreaterThanOrEqual(r.result.lowerBoundCost * 0.999);
    }
  });

  it('the same seed gives identical results and series', async () => {
    const again = await runScenario(scenario(), { root: process.cwd() });
    expect(again.runs.map((r) => simulated(r.result))).toEqual(out.runs.map((r) => simulated(r.result)));
    expect(again.runs.map((r) => r.series)).toEqual(out.runs.map((r) => r.series));
  });
});

describe('a storm larger than the headroom', () => {
  it('costs headroom tasks when the shortage threshold is too small (the invariant above is not vacuous)', async () => {
    const out = await runScenario(scenario({ env: { SHORTAGE_THRESHOLD: '0', EXCESS_THRESHOLD: '4' }, interruptions: { spotPerInstanceHour: 0, storms: [{ atMinute: 120, fraction: 0.5 }] } }), {
      root: process.cwd(),
      policies: ['headroom'],
    });
    expect(byPolicy(out).headroom.tasksLost).toBeGreaterThan(0);
    // The report lists every loss from the world's own record, not from the capped debug log.
    const run = out.runs.find((r) => r.result.policy === 'headroom');
    expect(run?.losses.reduce((n, l) => n + l.tasks, 0)).toBe(run?.result.tasksLost);
    expect(run?.losses.every((l) => l.minute >= 120 && l.instance.startsWith('i-'))).toBe(true);
  });
});

describe('baselines follow their documented behaviour', () => {
  let r: Record<PolicyName, PolicyResult>;
  beforeAll(async () => {
    r = byPolicy(await runScenario(scenario({ interruptions: { spotPerInstanceHour: 0, storms: [{ atMinute: 120, fraction: 0.5 }] } }), { root: process.cwd(), policies: ['ugns', 'ecs-cas', 'static-peak'] }));
  });

  it('static-peak never scales', () => {
    expect(r['static-peak'].scaleOutActions + r['static-peak'].scaleInActions).toBe(0);
  });

  it('ugns has no Spot handling: a storm kills the tasks on the interrupted instances', () => {
    expect(r.ugns.tasksLost).toBeGreaterThan(0);
  });

  it('ecs-cas scales out on pending work and in only after it', () => {
    expect(r['ecs-cas'].scaleOutActions).toBeGreaterThan(0);
    expect(r['ecs-cas'].stuckInstances).toBe(0);
  });
});

describe('faults: API errors, duplicates and late events', () => {
  it('headroom still loses nothing, sticks nowhere and stays in bounds', async () => {
    const out = await runScenario(scenario({ faults: { apiErrorRate: 0.05, duplicateEventRate: 0.2, eventDelaySeconds: [0, 10] } }), { root: process.cwd(), policies: ['headroom'] });
    const run = out.runs[0];
    expect(run?.detail.injectedApiErrors).toBeGreaterThan(0);
    expect(run?.detail.duplicates).toBeGreaterThan(0);
    expect(run?.result.tasksLost).toBe(0);
    expect(run?.result.stuckInstances).toBe(0);
    expect(run?.result.boundViolations).toBe(0);
  });
});
