/**
 * One simulation run: every policy of the scenario on its own world built from the same scenario,
 * seed and workload, one after the other (deterministic; no shared mutable state between worlds).
 */
import { referenceShape } from '../core/headroom';
import type { Resources, Service } from '../core/cluster';
import { headroomConfig } from './environment';
import { makePolicy } from './policies';
import { resultOf, type PolicyResult } from './result';
import { POLICY_NAMES, type PolicyName, type Scenario } from './scenario';
import { buildWorkload } from './workload';
import { World, type SeriesPoint, type SpotMark } from './world';

export interface PolicyRun {
  readonly result: PolicyResult;
  readonly series: readonly SeriesPoint[];
  readonly spotMarks: readonly SpotMark[];
  /** Notable events of the run (scale actions, drains, losses), for debugging. */
  readonly log: readonly string[];
  /** Extra detail shown in the report (handler invocations, retries). */
  readonly detail: Readonly<Record<string, number>>;
}

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

/** The reference shape of the headroom series: configured, else the largest non-daemon service. */
export function referenceShapeOf(scenario: Scenario, configured: Resources | 'auto'): Resources {
  const services: Service[] = scenario.services.map((s) => ({ name: s.name, shape: { cpu: s.cpu, memory: s.memory }, daemon: s.daemon, desired: 0, running: 0, pending: 0, unplaced: 0 }));
  return referenceShape(configured, services, []);
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunOutput> {
  const config = headroomConfig(scenario);
  const workload = buildWorkload(scenario, options.root);
  const shape = referenceShapeOf(scenario, config.taskShape);
  const names = options.policies ?? scenario.policies ?? POLICY_NAMES;
  const runs: PolicyRun[] = [];
  for (const [index, name] of names.entries()) {
    const policy = makePolicy(name, { scenario, submissions: workload.submissions, config, referenceShape: shape });
    const world = new World({
      scenario,
      submissions: workload.submissions,
      policy,
      stuckAfterSeconds: config.drainTimeoutSeconds + 2 * config.drainCheckSeconds,
      referenceShape: shape,
      ...(options.onProgress !== undefined ? { onProgress: (f: number) => options.onProgress?.(name, index, names.length, f) } : {}),
    });
    await world.run();
    options.onProgress?.(name, index, names.length, 1);
    runs.push({ result: resultOf(name, world), series: world.series, spotMarks: world.spotMarks, log: world.log, detail: policy.detail?.() ?? {} });
  }
  return { scenario, notes: workload.notes, referenceShape: shape, runs };
}
