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
import type { Resources } from '../core/cluster';
import type { TraceSpec } from './scenario';
import type { Submission } from './workload';

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
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const col = (name: string): number => header.indexOf(name);
  const iName = col('name');
  const iCpu = col('cpu_milli');
  const iMem = col('memory_mib');
  const iCreate = col('creation_time');
  const iDelete = col('deletion_time');
  const iSched = col('scheduled_time');
  if ([iName, iCpu, iMem, iCreate, iDelete, iSched].some((i) => i < 0)) {
    return { submissions: [], notes: [`trace ${spec.path} lacks openb columns (name, cpu_milli, memory_mib, creation_time, deletion_time, scheduled_time): skipped`] };
  }
  const end = spec.startSecond + durationSeconds * spec.timeScale;
  const submissions: Submission[] = [];
  let neverScheduled = 0;
  let tooLarge = 0;
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    if (line === undefined || line.trim() === '') continue;
    const f = line.split(',');
    const created = Number(f[iCreate]);
    const deleted = Number(f[iDelete]);
    if (!(deleted > spec.startSecond) || !(created < end)) continue;
    if ((f[iSched] ?? '').trim() === '') {
      neverScheduled++;
      continue;
    }
    const cpu = Math.round(((Number(f[iCpu]) * 1024) / 1000) * spec.cpuScale);
    const memory = Math.round(Number(f[iMem]) * spec.memoryScale);
    if (cpu > largest.cpu || memory > largest.memory) {
      tooLarge++;
      continue;
    }
    const from = Math.max(created, spec.startSecond);
    submissions.push({
      atSecond: (from - spec.startSecond) / spec.timeScale,
      name: f[iName] ?? `trace-${k}`,
      source: 'trace',
      cpu,
      memory,
      durationSeconds: Math.max(1, (deleted - from) / spec.timeScale),
    });
  }
  const notes: string[] = [];
  if (neverScheduled > 0) notes.push(`trace: ${neverScheduled} task(s) never scheduled in the trace skipped`);
  if (tooLarge > 0) notes.push(`trace: ${tooLarge} task(s) larger than an empty instance after scaling skipped`);
  return { submissions, notes };
}
