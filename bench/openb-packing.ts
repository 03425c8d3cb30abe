/**
 * Packing quality on a real trace: at evenly spaced points in time of the openb trace (Alibaba
 * cluster-trace-gpu-v2023, `../shared/traces/openb_pod_list_default.csv`), everything that wants
 * to run then (created, not yet deleted) is scaled onto ECS instances and packed first-fit
 * decreasing into empty instances; the instance count is compared with ⌈max(Σcpu/C, Σmem/M)⌉.
 */
import { readFileSync } from 'node:fs';
import { ecsShape, parseOpenbPods, type OpenbPod } from '../sim/scenario/openb';
import type { TaskShape } from '../core/cluster';
import { lowerBound, packFirstFitDecreasing } from '../core/packing';
import { freshBin } from '../core/placement';

export interface PackingQuality {
  readonly points: number;
  readonly meanRatio: number;
  readonly maxRatio: number;
  readonly tasksPacked: number;
  /** Task-points skipped because one task is larger than an instance even after scaling. */
  readonly oversized: number;
}

export function packingQuality(tasks: readonly OpenbPod[], options: { points: number; scale: number; from: number; to: number; instance: { cpu: number; memory: number } }): PackingQuality {
  const group = { name: 'trace', min: 0, max: 1_000_000, desired: 0, instance: options.instance };
  const ratios: number[] = [];
  let packed = 0;
  let oversized = 0;
  for (let p = 0; p < options.points; p++) {
    const t = options.from + ((options.to - options.from) * p) / (options.points - 1);
    const live: TaskShape[] = [];
    for (const task of tasks) {
      if (task.created > t || task.deleted <= t) continue;
      const shape = ecsShape(task, options.scale, options.scale);
      if (shape.cpu > options.instance.cpu || shape.memory > options.instance.memory) {
        oversized++;
        continue;
      }
      live.push(shape);
    }
    if (live.length === 0) continue;
    const result = packFirstFitDecreasing(live, [], { make: (n) => freshBin(group, [], n), limit: Number.MAX_SAFE_INTEGER });
    const bound = lowerBound(live, options.instance);
    packed += live.length;
    ratios.push(result.opened.length / Math.max(1, bound));
  }
  const mean = ratios.reduce((a, b) => a + b, 0) / Math.max(1, ratios.length);
  return { points: ratios.length, meanRatio: mean, maxRatio: Math.max(0, ...ratios), tasksPacked: packed, oversized };
}

export function loadOpenbPods(path: string): OpenbPod[] | undefined {
  try {
    const pods = parseOpenbPods(readFileSync(path, 'utf8'));
    if (pods === undefined) throw new Error(`${path}: not an openb pod list (missing columns)`);
    return pods;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
