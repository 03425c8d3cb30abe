/**
 * Replay of the openb trace (alibaba/clusterdata `cluster-trace-gpu-v2023`, `openb_pod_list_*.csv`)
 * as standalone ECS tasks. 1 vCPU = 1000 `cpu_milli` = 1024 ECS CPU units; `memory_mib` maps to
 * MiB; both are multiplied by the scenario's scale factors. Simulated time is
 * (trace second − `startSecond`) ÷ `timeScale`. Tasks alive at `startSecond` are submitted at 0
 * with their remaining run time; tasks never scheduled in the trace (empty `scheduled_time`) and
 * tasks larger than any empty instance are skipped with a note. GPUs are ignored.
 *
 * The trace is reference data read at run time, never copied into the repository: when the file is
 * absent the trace is skipped with a one-line note.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Resources } from '../../core/cluster';
import type { TraceSpec } from './scenario';
import { ecsShape, OPENB_COLUMNS, parseOpenbPods } from './openb';
import type { Submission } from './submission';

export interface TraceLoad {
  readonly submissions: Submission[];
  readonly notes: string[];
}

export function tracePath(spec: TraceSpec, root: string): string {
  return isAbsolute(spec.path) ? spec.path : resolve(root, spec.path);
}

export function loadTrace(spec: TraceSpec, root: string, durationSeconds: number, largest: Resources): TraceLoad {
  const path = tracePath(spec, root);
  if (!existsSync(path)) return { submissions: [], notes: [`trace ${spec.path} not found: running without the trace workload`] };
  const pods = parseOpenbPods(readFileSync(path, 'utf8'));
  if (pods === undefined) {
    return { submissions: [], notes: [`trace ${spec.path} lacks openb columns (${OPENB_COLUMNS.join(', ')}): skipped`] };
  }
  const end = spec.startSecond + durationSeconds * spec.timeScale;
  const submissions: Submission[] = [];
  let neverScheduled = 0;
  let tooLarge = 0;
  for (const pod of pods) {
    if (!(pod.deleted > spec.startSecond) || !(pod.created < end)) continue;
    if (!pod.scheduled) {
      neverScheduled++;
      continue;
    }
    const { cpu, memory } = ecsShape(pod, spec.cpuScale, spec.memoryScale);
    if (cpu > largest.cpu || memory > largest.memory) {
      tooLarge++;
      continue;
    }
    const from = Math.max(pod.created, spec.startSecond);
    submissions.push({
      atSecond: (from - spec.startSecond) / spec.timeScale,
      name: pod.name,
      source: 'trace',
      cpu,
      memory,
      durationSeconds: Math.max(1, (pod.deleted - from) / spec.timeScale),
      ordinal: 0,
    });
  }
  const notes: string[] = [];
  if (neverScheduled > 0) notes.push(`trace: ${neverScheduled} task(s) never scheduled in the trace skipped`);
  if (tooLarge > 0) notes.push(`trace: ${tooLarge} task(s) larger than an empty instance after scaling skipped`);
  return { submissions, notes };
}
