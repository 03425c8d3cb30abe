/**
 * The targets Headroom is judged on over a suite of scenarios, as data (pure; the suite runner prints
 * them, simulation tests assert some of them):
 * - tasks lost: no more than any peer on each scenario;
 * - pending task-minutes: no more than `ecs-cas` + 5 % (plus one task-minute for rounding);
 * - cost: no more than max(`ecs-cas`, the lower bound) + 2 % on each scenario, and less than
 *   `ecs-cas` over the whole suite;
 * - 0 stuck instances and 0 bound violations.
 * A target is checked only when the policies it compares ran.
 */
import type { PolicyResult } from './result';

export const PENDING_TOLERANCE = 0.05;
export const COST_TOLERANCE = 0.02;

export interface ScenarioOutcome {
  readonly scenario: string;
  readonly notes: readonly string[];
  readonly results: readonly PolicyResult[];
}

export interface PolicyTotals {
  readonly policy: string;
  readonly cost: number;
  readonly tasksLost: number;
  readonly pendingTaskMinutes: number;
  readonly stuckInstances: number;
  readonly boundViolations: number;
}

export interface TargetReport {
  readonly totals: readonly PolicyTotals[];
  /** One line per missed target: which scenario, by how much. */
  readonly misses: readonly string[];
}

const pct = (a: number, b: number): string => (b > 0 ? `${(((a - b) / b) * 100).toFixed(1)} %` : `${a.toFixed(1)} vs 0`);

/** The targets for one scenario's results; `[]` when every target is met. */
export function scenarioMisses(outcome: ScenarioOutcome): string[] {
  const misses: string[] = [];
  const h = outcome.results.find((r) => r.policy === 'headroom');
  if (h === undefined) return misses;
  const name = outcome.scenario;
  const cas = outcome.results.find((r) => r.policy === 'ecs-cas');
  for (const peer of outcome.results) {
    if (peer.policy !== 'headroom' && h.tasksLost > peer.tasksLost) misses.push(`${name}: lost ${h.tasksLost} tasks, ${peer.policy} ${peer.tasksLost}`);
  }
  if (cas !== undefined) {
    if (h.pendingTaskMinutes > cas.pendingTaskMinutes * (1 + PENDING_TOLERANCE) + 1)
      misses.push(`${name}: pending ${h.pendingTaskMinutes.toFixed(0)} task-min, ecs-cas ${cas.pendingTaskMinutes.toFixed(0)} (${pct(h.pendingTaskMinutes, cas.pendingTaskMinutes)})`);
    // Against max(ecs-cas, lower bound): a peer that leaves work undone can cost less than the lower
    // bound, and no policy doing the work can.
    const bar = Math.max(cas.cost, h.lowerBoundCost);
    if (h.cost > bar * (1 + COST_TOLERANCE)) misses.push(`${name}: cost ${h.cost.toFixed(2)}, ${bar > cas.cost ? `lower bound ${bar.toFixed(2)} (ecs-cas ${cas.cost.toFixed(2)})` : `ecs-cas ${cas.cost.toFixed(2)}`} (+${pct(h.cost, bar)})`);
  }
  if (h.stuckInstances > 0) misses.push(`${name}: ${h.stuckInstances} stuck instance(s)`);
  if (h.boundViolations > 0) misses.push(`${name}: ${h.boundViolations} bound violation(s)`);
  return misses;
}

export function checkTargets(outcomes: readonly ScenarioOutcome[]): TargetReport {
  const totals = new Map<string, { cost: number; tasksLost: number; pendingTaskMinutes: number; stuckInstances: number; boundViolations: number }>();
  for (const o of outcomes) {
    for (const r of o.results) {
      const t = totals.get(r.policy) ?? { cost: 0, tasksLost: 0, pendingTaskMinutes: 0, stuckInstances: 0, boundViolations: 0 };
      t.cost += r.cost;
      t.tasksLost += r.tasksLost;
      t.pendingTaskMinutes += r.pendingTaskMinutes;
      t.stuckInstances += r.stuckInstances;
      t.boundViolations += r.boundViolations;
      totals.set(r.policy, t);
    }
  }
  const misses = outcomes.flatMap(scenarioMisses);
  const h = totals.get('headroom');
  const cas = totals.get('ecs-cas');
  if (h !== undefined && cas !== undefined && h.cost >= cas.cost) misses.push(`suite: cost ${h.cost.toFixed(2)}, ecs-cas ${cas.cost.toFixed(2)} (+${pct(h.cost, cas.cost)})`);
  return { totals: [...totals].map(([policy, t]) => ({ policy, ...t })), misses };
}
