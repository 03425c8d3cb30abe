/**
 * The openb pod list (alibaba/clusterdata `cluster-trace-gpu-v2023`, `openb_pod_list_*.csv`), read
 * once for both the simulator's trace replay and the packing benchmark.
 * 1 vCPU = 1000 `cpu_milli` = 1024 ECS CPU units; `memory_mib` maps to MiB. GPUs are ignored.
 */
import type { Resources } from '../../core/cluster';

export interface OpenbPod {
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  /** Trace seconds. */
  readonly created: number;
  readonly deleted: number;
  /** False when `scheduled_time` is empty: the pod never ran in the trace. */
  readonly scheduled: boolean;
}

export const OPENB_COLUMNS = ['name', 'cpu_milli', 'memory_mib', 'creation_time', 'deletion_time', 'scheduled_time'] as const;

/** Parse the CSV; undefined when a required column is missing. */
export function parseOpenbPods(csv: string): OpenbPod[] | undefined {
  const lines = csv.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const [iName, iCpu, iMem, iCreate, iDelete, iSched] = OPENB_COLUMNS.map((c) => header.indexOf(c)) as [number, number, number, number, number, number];
  if ([iName, iCpu, iMem, iCreate, iDelete, iSched].some((i) => i < 0)) return undefined;
  const pods: OpenbPod[] = [];
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    if (line === undefined || line.trim() === '') continue;
    const f = line.split(',');
    pods.push({
      name: f[iName] ?? `pod-${k}`,
      cpuMilli: Number(f[iCpu]),
      memoryMiB: Number(f[iMem]),
      created: Number(f[iCreate]),
      deleted: Number(f[iDelete]),
      scheduled: (f[iSched] ?? '').trim() !== '',
    });
  }
  return pods;
}

/** A pod's reservation as an ECS task, scaled by the given factors. */
export function ecsShape(pod: OpenbPod, cpuScale: number, memoryScale: number): Resources {
  return { cpu: Math.round(((pod.cpuMilli * 1024) / 1000) * cpuScale), memory: Math.round(pod.memoryMiB * memoryScale) };
}
