/**
 * Workloads: service `desired` curves (linear interpolation between `[minute, count]` points, held
 * flat before the first and after the last), job bursts, and replayed trace tasks. Standalone work
 * (jobs and trace tasks) becomes a list of submissions the world hands to ECS `RunTask` at their
 * time; the same list is used by every policy.
 */
import type { Scenario, ServiceSpec } from './scenario';
import type { Submission } from './submission';
import { loadTrace, type TraceLoad } from './trace';

export type { Submission } from './submission';

/** Desired count of a service at `minute`, rounded to a whole task. */
export function desiredAt(service: Pick<ServiceSpec, 'desired'>, minute: number): number {
  const points = service.desired;
  const first = points[0];
  if (first === undefined) return 0;
  if (minute <= first[0]) return Math.round(first[1]);
  for (let k = 1; k < points.length; k++) {
    const a = points[k - 1] as [number, number];
    const b = points[k] as [number, number];
    if (minute <= b[0]) {
      const span = b[0] - a[0];
      const v = span <= 0 ? b[1] : a[1] + ((b[1] - a[1]) * (minute - a[0])) / span;
      return Math.round(v);
    }
  }
  return Math.round((points[points.length - 1] as [number, number])[1]);
}


export interface Workload {
  readonly submissions: readonly Submission[];
  /** One-line notes for the user (a trace skipped, tasks dropped). */
  readonly notes: readonly string[];
}

/** Jobs and trace tasks of a scenario, in submission order. `root` resolves a relative trace path. */
export function buildWorkload(scenario: Scenario, root: string): Workload {
  const submissions: Submission[] = [];
  const notes: string[] = [];
  scenario.jobs.forEach((j, k) => {
    for (let n = 0; n < j.count; n++) {
      submissions.push({ atSecond: j.atMinute * 60, name: `${j.name ?? `job${k}`}-${n}`, source: 'job', cpu: j.cpu, memory: j.memory, durationSeconds: j.durationMinutes * 60, ordinal: 0 });
    }
  });
  if (scenario.trace !== undefined) {
    const largest = scenario.capacityGroups.reduce((m, g) => ({ cpu: Math.max(m.cpu, g.cpu), memory: Math.max(m.memory, g.memory) }), { cpu: 0, memory: 0 });
    const daemons = scenario.services.filter((s) => s.daemon).reduce((m, s) => ({ cpu: m.cpu + s.cpu, memory: m.memory + s.memory }), { cpu: 0, memory: 0 });
    const load: TraceLoad = loadTrace(scenario.trace, root, scenario.durationMinutes * 60, { cpu: largest.cpu - daemons.cpu, memory: largest.memory - daemons.memory });
    notes.push(...load.notes);
    submissions.push(...load.submissions);
  }
  submissions.sort((a, b) => a.atSecond - b.atSecond || a.name.localeCompare(b.name));
  return { submissions: submissions.map((s, ordinal) => ({ ...s, ordinal })), notes };
}
