/**
 * Invariants on scenarios of the public suite (`sim/scenarios/suite/`), with Headroom at its
 * documented defaults against `ecs-cas` on the same world: no stuck instance, no bound violation,
 * never more tasks lost than `ecs-cas`, and none lost where the spare capacity covers the storm.
 * A decision that regressed (a failed launch not falling back, an unplaceable task triggering
 * scale-out, scale-in draining work it cannot re-home) fails one of these. No wall-clock asserts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario, type RunOutput } from '../../sim/run/run';
import { parseScenario, parseScenarioText, type PolicyName } from '../../sim/scenario/scenario';
import type { PolicyResult } from '../../sim/run/result';
import { scenarioMisses } from '../../sim/run/targets';

const ROOT = join(__dirname, '..', '..');
const suite = (name: string) => parseScenarioText(readFileSync(join(ROOT, 'sim', 'scenarios', 'suite', `${name}.json`), 'utf8'), name);
const byPolicy = (o: RunOutput): Record<string, PolicyResult> => Object.fromEntries(o.runs.map((r) => [r.result.policy, r.result]));
const POLICIES: PolicyName[] = ['headroom', 'ecs-cas'];
const withoutReserve = <S extends { readonly env: Readonly<Record<string, string>> }>(s: S): S => ({ ...s, env: { ...s.env, SPOT_RESERVE_INSTANCES: '0' } });
/** A budget for the simulated day on a loaded CI machine (simulation, not a speed assert). */
const SIM_BUDGET_MS = 120_000;

describe.each([
  // A Spot group failing for hours: the next group must get the work within a tick.
  ['two-spot-groups-failing'],
  // Tasks pinned to zones, one group per zone: each pinned task scales its zone's group.
  ['zone-pinned-per-zone'],
])('suite scenario %s at the documented defaults', (name) => {
  let r: Record<string, PolicyResult>;
  beforeAll(async () => {
    const s = suite(name);
    expect(s.env).toEqual({});
    r = byPolicy(await runScenario(s, { root: ROOT, policies: POLICIES }));
  }, SIM_BUDGET_MS);

  it('headroom leaves no instance stuck and never crosses a group bound', () => {
    expect(r.headroom?.stuckInstances).toBe(0);
    expect(r.headroom?.boundViolations).toBe(0);
  });

  it('headroom loses no more tasks than ecs-cas and leaves no more work pending (5 % tolerance)', () => {
    const h = r.headroom as PolicyResult;
    const cas = r['ecs-cas'] as PolicyResult;
    expect(h.tasksLost).toBeLessThanOrEqual(cas.tasksLost);
    expect(h.pendingTaskMinutes).toBeLessThanOrEqual(cas.pendingTaskMinutes * 1.05 + 1);
    expect(scenarioMisses({ scenario: name, notes: [], results: [h, cas] }).filter((m) => !/cost/.test(m))).toEqual([]);
  });
});

describe('suite scenario unplaceable-task: a task no group can hold blocks nothing', () => {
  let r: Record<string, PolicyResult>;
  beforeAll(async () => {
    // Without the storm reserve: its price (a reserve instance on a small fleet) is not what this checks.
    r = byPolicy(await runScenario(withoutReserve(suite('unplaceable-task')), { root: ROOT, policies: POLICIES }));
  }, SIM_BUDGET_MS);

  it('headroom leaves no instance stuck and never crosses a group bound', () => {
    expect(r.headroom?.stuckInstances).toBe(0);
    expect(r.headroom?.boundViolations).toBe(0);
  });

  it('the 20-vCPU task neither launches capacity nor stops scale-in: cost stays near the lower bound and under ecs-cas', () => {
    // When such a task blocked all scale-in, the fleet kept its peak (+37 % instance-hours).
    expect(r.headroom?.costRatio).toBeLessThan(1.2);
    expect(r.headroom?.cost).toBeLessThan(r['ecs-cas']?.cost ?? 0);
  });
});

describe('a Spot storm the spare capacity covers', () => {
  // Four m5.xlarge full with 28 web tasks (7 fit on each): a storm warning one instance. With room
  // for the tasks of the fullest Spot instance kept (SPOT_RESERVE_INSTANCES=1, the setting this case
  // is about), its tasks move within the two-minute notice.
  const scenario = parseScenario({
    name: 'covered-storm',
    seed: 5,
    durationMinutes: 240,
    capacityGroups: [{ name: 'spot', instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.08, spot: true, min: 1, max: 20, initial: 4, launchSeconds: 150 }],
    services: [
      { name: 'web', cpu: 512, memory: 1024, desired: [[0, 28]] },
      { name: 'agent', cpu: 128, memory: 256, daemon: true },
    ],
    interruptions: { storms: [{ atMinute: 150, fraction: 0.25 }] },
    env: { SPOT_RESERVE_INSTANCES: '1' },
  });
  let r: Record<string, PolicyResult>;
  beforeAll(async () => {
    r = byPolicy(await runScenario(scenario, { root: ROOT, policies: POLICIES }));
  }, SIM_BUDGET_MS);

  it('the storm hits a busy instance', () => {
    expect(r.headroom?.interruptions).toBeGreaterThanOrEqual(1);
  });

  it('headroom loses no task, no more than ecs-cas, with nothing stuck', () => {
    expect(r.headroom?.tasksLost).toBe(0);
    expect(r.headroom?.tasksLost).toBeLessThanOrEqual(r['ecs-cas']?.tasksLost ?? 0);
    expect(r.headroom?.stuckInstances).toBe(0);
    expect(r.headroom?.boundViolations).toBe(0);
  });
});

describe('suite scenario weighted-mixed-fallback: a task only the larger types hold scales the Spot mixed group', () => {
  let h: PolicyResult;
  beforeAll(async () => {
    // Without the storm reserve, whose price is measured elsewhere (docs/suite.md).
    h = byPolicy(await runScenario(withoutReserve(suite('weighted-mixed-fallback')), { root: ROOT, policies: ['headroom'] })).headroom as PolicyResult;
  }, SIM_BUDGET_MS);

  // Planned as its weakest type (m5.large) the Spot group never held the 2,048-CPU workers and every
  // one went to On-Demand: 15.79 USD, 1.47 × the lower bound, before; about 12.8 USD, 1.19 × with
  // the types that hold them (the bound as sim/run/lower-bound.ts fills the remainder since).
  it('cost stays within 30 % of the lower bound, nothing lost', () => {
    expect(h.costRatio).toBeLessThan(1.3);
    expect(h.tasksLost).toBe(0);
  });
});

describe('suite scenario rebalance-false-alarms: a false alarm restarts no long job', () => {
  let h: PolicyResult;
  beforeAll(async () => {
    h = byPolicy(await runScenario(suite('rebalance-false-alarms'), { root: ROOT, policies: ['headroom'] })).headroom as PolicyResult;
  }, SIM_BUDGET_MS);

  // REBALANCE_POLICY=move keeps standalone jobs running on a recommended instance; the drain timeout
  // waits for the jobs it stops. Before both: 15 tasks lost.
  it('no task is lost', () => {
    expect(h.tasksLost).toBe(0);
  });
});

describe('tuning scenario small-api-fleet: scale-in and the Spot reserve agree', () => {
  let h: PolicyResult;
  beforeAll(async () => {
    const s = parseScenarioText(readFileSync(join(ROOT, 'sim', 'scenarios', 'suite', 'tuning', 'small-api-fleet.json'), 'utf8'), 'small-api-fleet.json');
    h = byPolicy(await runScenario(s, { root: ROOT, policies: ['headroom'] })).headroom as PolicyResult;
  }, SIM_BUDGET_MS);

  // When scale-in judged the reserve with the drained instance's tasks packed fullest-first and ECS
  // spread them, the next tick found the reserve short and reactivated the drain: the fleet of five
  // cycled through its instances, 144 drains reversed in two days (core/scale-in-trial.ts).
  it('no drain is reversed for the reserve it was judged to keep', () => {
    expect(h.reactivations).toBeLessThanOrEqual(10);
    expect(h.tasksLost).toBe(0);
  });
});
