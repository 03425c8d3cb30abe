/**
 * Tasks that can never be placed: no instance of any capacity group could hold one, even empty
 * (larger than a new instance after daemons, a static host port a daemon holds, or `memberOf`
 * constraints that no group's new instance and no existing instance satisfies). They are reported
 * (metric `UnschedulableTasks`, one log line per reason) and taken out of the decision: they are
 * not shortage, do not trigger scale-out and do not block scale-in. Adding instances cannot help
 * them; only a new group or a smaller task can.
 *
 * Cost: one `fits` per distinct task shape and group (tasks of the same shape share the answer),
 * plus, for shapes no group holds, one scan of the existing bins.
 */
import type { CapacityGroup, TaskShape } from './cluster';
import { shapeSignature } from './packing';
import { typeVariants } from './instance-types';
import { fits, freshBin, type Bin, type FitResult } from './placement';

export interface Unschedulable {
  readonly task: TaskShape;
  /** Why not, per group (`group: reason`), e.g. `spot: cpu`. */
  readonly reason: string;
}

function why(r: FitResult): string {
  if (r.ok) return 'fits';
  return r.reason === 'unsupported-constraint' ? `unsupported constraint (${r.detail})` : r.reason;
}

/**
 * Split `tasks` into those some group's new instance (or some existing instance, once empty) could
 * hold, and those none could ever hold.
 */
export function splitUnschedulable(
  tasks: readonly TaskShape[],
  groups: readonly CapacityGroup[],
  daemons: readonly TaskShape[],
  bins: readonly Bin[],
): { schedulable: TaskShape[]; unschedulable: Unschedulable[] } {
  // One probe per group and zone: a multi-zone group can launch in each of its zones.
  const empties: Bin[] = [];
  const owners: CapacityGroup[] = [];
  for (const g of groups.flatMap(typeVariants)) {
    const zones = g.attributes?.['ecs.availability-zone'] === undefined && (g.availabilityZones?.length ?? 0) > 1 ? (g.availabilityZones as readonly string[]) : [undefined];
    for (const z of zones) {
      const probe = freshBin(z === undefined ? g : { ...g, attributes: { ...(g.attributes ?? {}), 'ecs.availability-zone': z } }, daemons, 0, 'probe');
      empties.push(probe);
      owners.push(g);
    }
  }
  const verdict = new Map<string, string | undefined>();
  const schedulable: TaskShape[] = [];
  const unschedulable: Unschedulable[] = [];
  for (const task of tasks) {
    const sig = shapeSignature(task);
    let reason = verdict.get(sig);
    if (!verdict.has(sig)) {
      const failures: string[] = [];
      let ok = false;
      for (const [k, bin] of empties.entries()) {
        const r = fits(task, bin);
        if (r.ok) {
          ok = true;
          break;
        }
        const name = owners[k]?.name ?? '?';
        if (!failures.some((f) => f.startsWith(`${name}: `))) failures.push(`${name}: ${why(r)}`);
      }
      // An existing instance that could hold it once its own tasks are gone (a larger type than any group launches).
      if (!ok) ok = bins.some((b) => fits(task, { ...b, cpu: b.capacity.cpu, memory: b.capacity.memory }).ok);
      reason = ok ? undefined : failures.length > 0 ? failures.join('; ') : 'no capacity group is configured';
      verdict.set(sig, reason);
    }
    if (reason === undefined) schedulable.push(task);
    else unschedulable.push({ task, reason });
  }
  return { schedulable, unschedulable };
}

/** One line per distinct reason: `n task(s) of cpu/memory: reason`. */
export function describeUnschedulable(list: readonly Unschedulable[]): string[] {
  const counts = new Map<string, number>();
  for (const u of list) {
    const key = `${u.task.cpu} CPU/${u.task.memory} MiB${(u.task.memberOf?.length ?? 0) > 0 ? ` (${u.task.memberOf?.join(' and ')})` : ''}: no group can ever hold it (${u.reason})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} task(s) of ${k}`);
}
