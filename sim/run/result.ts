/**
 * The result object of one policy run (the fields docs/simulator.md documents; `tasksKilled`,
 * `reactivations`, `lambdaInvocations`, `deadLetters` are additions) and its computation from a finished world.
 */
import type { PolicyName } from '../scenario/scenario';
import type { World } from '../world/world';

export interface PolicyResult {
  readonly policy: PolicyName;
  readonly instanceHours: number;
  readonly cost: number;
  /** ∫ cheapest price × ⌈max(Σcpu/C, Σmem/M)⌉ dt over everything that wants to run. */
  readonly lowerBoundCost: number;
  readonly costRatio: number;
  readonly pendingTaskMinutes: number;
  /** The part of `pendingTaskMinutes` spent by standalone tasks (jobs, trace replay). */
  readonly pendingStandaloneTaskMinutes: number;
  readonly p99PendingSeconds: number;
  /** Tasks still running when their instance terminated. */
  readonly tasksLost: number;
  readonly interruptions: number;
  readonly scaleOutActions: number;
  readonly scaleInActions: number;
  readonly apiCalls: number;
  readonly maxApiCallsPerTick: number;
  /** Requests that found the account's bucket empty and waited for AWS to admit them (sim/world/throttle.ts). */
  readonly throttledApiCalls: number;
  /** Instances held in Terminating:Wait past the drain timeout plus two checks. */
  readonly stuckInstances: number;
  /** Requests that would have taken a group below its min or above its max. */
  readonly boundViolations: number;
  /** Standalone tasks a drain stopped at its timeout (submitted again). */
  readonly tasksKilled: number;
  /** DRAINING instances set back to ACTIVE: drains reversed (item "consolidation" of docs/decisions.md counts them). */
  readonly reactivations: number;
  /** Launch attempts that failed (scenario `launchFailures` windows). */
  readonly launchFailures: number;
  /** Instances Auto Scaling's AZRebalance process launched (each followed by a termination in a fuller zone). */
  readonly rebalanceLaunches: number;
  /** Simulated instance-hours per CPU second the run took (simulator speed; varies run to run). */
  readonly instanceHoursPerCpuSecond: number;
}

const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** The p-th percentile (nearest rank) of `values`; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function resultOf(policy: PolicyName, world: World, cpuSeconds: number): PolicyResult {
  const cost = world.costUntil(world.end);
  const waits = [...world.waits, ...world.openWaits()].map((ms) => ms / 1000);
  return {
    policy,
    instanceHours: round(world.instanceHours(world.end), 2),
    cost: round(cost, 4),
    lowerBoundCost: round(world.lowerBoundCost, 4),
    costRatio: world.lowerBoundCost > 0 ? round(cost / world.lowerBoundCost, 3) : 0,
    pendingTaskMinutes: round(world.pendingTaskSeconds / 60, 1),
    pendingStandaloneTaskMinutes: round(world.pendingStandaloneSeconds / 60, 1),
    p99PendingSeconds: round(percentile(waits, 99), 1),
    tasksLost: world.tasksLost,
    interruptions: world.interruptions,
    scaleOutActions: world.scaleOutActions,
    scaleInActions: world.scaleInActions,
    apiCalls: world.apiCalls,
    maxApiCallsPerTick: world.maxApiCallsPerTick,
    throttledApiCalls: world.throttledApiCalls,
    stuckInstances: world.stuckInstances,
    boundViolations: world.boundViolations,
    tasksKilled: world.tasksKilled,
    reactivations: world.reactivations,
    launchFailures: world.launchFailures,
    rebalanceLaunches: world.rebalanceLaunches,
    instanceHoursPerCpuSecond: cpuSeconds > 0 ? round(world.instanceHours(world.end) / cpuSeconds, 1) : 0,
  };
}
