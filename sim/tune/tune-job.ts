/**
 * One tune job: a scenario with some env overrides, run for some policies through the public run
 * API. Shared by the worker threads and the in-process path (`--workers 1`).
 */
import type { PolicyResult } from '../run/result';
import { runScenario } from '../run/run';
import type { PolicyName, Scenario } from '../scenario/scenario';

export interface TuneJob {
  readonly id: number;
  readonly scenario: Scenario;
  readonly env: Readonly<Record<string, string>>;
  readonly policies: readonly PolicyName[];
  /** Directory trace paths are resolved against (as `npm start` does). */
  readonly root: string;
}

export interface TuneJobResult {
  readonly id: number;
  readonly results: readonly PolicyResult[];
}

export async function runJob(job: TuneJob, onProgress?: (fraction: number) => void): Promise<TuneJobResult> {
  const scenario: Scenario = { ...job.scenario, env: { ...job.scenario.env, ...job.env } };
  const output = await runScenario(scenario, {
    root: job.root,
    policies: job.policies,
    ...(onProgress !== undefined ? { onProgress: (_p: PolicyName, index: number, total: number, f: number) => onProgress((index + f) / total) } : {}),
  });
  return { id: job.id, results: output.runs.map((r) => r.result) };
}
