/**
 * One simulation run: every policy of the scenario on its own world built from the same scenario,
 * seed and workload, one after the other (deterministic; no shared mutable state between worlds).
 */
import type { Resources } from '../../core/cluster';
import { referenceShapeOf } from '../scenario/reference-shape';
import { baselineConfig, headroomConfig } from '../policies/headroom/environment';
import { lowerBoundOf } from './lower-bound';
import { makePolicy } from '../policies';
import { casSetupNotes } from '../policies/ecs-cas';
import { resultOf, type PolicyResult } from './result';
import { POLICY_NAMES, type PolicyName, type Scenario } from '../scenario/scenario';
import { buildWorkload } from '../scenario/workload';
import { World, type SeriesPoint, type SpotMark } from '../world/world';
import type { Loss } from '../world/world-types';

export interface PolicyRun {
  readonly result: PolicyResult;
  readonly series: readonly SeriesPoint[];
  readonly spotMarks: readonly SpotMark[];
  /** Notable events of the run (scale actions, drains, losses), for debugging. */
  readonly log: readonly string[];
  /** Every loss of the run, in order. */
  readonly losses: readonly Loss[];
  /** Extra detail shown in the report (handler invocations, retries). */
  readonly detail: Readonly<Record<string, number>>;
}

export { referenceShapeOf } from '../scenario/reference-shape';

export interface RunOutput {
  readonly scenario: Scenario;
  readonly notes: readonly string[];
  readonly referenceShape: Resources;
  readonly runs: readonly PolicyRun[];
}

export interface RunOptions {
  /** Directory relative trace paths are resolved against (the project root). */
  readonly root: string;
  readonly policies?: readonly PolicyName[];
  readonly onProgress?: (policy: PolicyName, index: number, total: number, fraction: number) => void;
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunOutput> {
  const config = headroomConfig(scenario);
  const workload = buildWorkload(scenario, options.root);
  const shape = referenceShapeOf(scenario, config.taskShape);
  const defaults = baselineConfig(scenario);
  const lowerBound = lowerBoundOf(scenario, workload.submissions);
  const names = options.policies ?? scenario.policies ?? POLICY_NAMES;
  const runs: PolicyRun[] = [];
  for (const [index, name] of names.entries()) {
    const policy = makePolicy(name, { scenario, submissions: workload.submissions, config });
    // A stuck instance: held past the drain timeout plus two checks, of headroom's configuration
    // for headroom, of the documented defaults for everyone else (the env never reaches a baseline).
    const own = name === 'headroom' ? config : defaults;
    const started = process.cpuUsage();
    const world = new World({
      scenario,
      submissions: workload.submissions,
      policy,
      stuckAfterSeconds: own.drainTimeoutSeconds + 2 * own.drainCheckSeconds,
      referenceShape: shape,
      lowerBound,
      ...(options.onProgress !== undefined ? { onProgress: (f: number) => options.onProgress?.(name, index, names.length, f) } : {}),
    });
    await world.run();
    const used = process.cpuUsage(started);
    options.onProgress?.(name, index, names.length, 1);
    runs.push({ result: resultOf(name, world, (used.user + used.system) / 1e6), series: world.series, spotMarks: world.spotMarks, log: world.log, losses: world.losses, detail: policy.detail?.() ?? {} });
  }
  const notes = names.includes('ecs-cas') ? [...workload.notes, ...casSetupNotes(scenario)] : workload.notes;
  return { scenario, notes, referenceShape: shape, runs };
}
