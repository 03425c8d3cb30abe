/**
 * What `npm run plan` prints: the tick's decision on the cluster as it is now, with the facts
 * behind it. Pure: built from the one read (`ClusterView`) and the `Decision`.
 *
 * JSON contract (`--json`): one object with at least `summary`, `scaleOut`, `scaleIn`, `reasons`,
 * `setupWarnings[]` and `errors[]` (the command exits non-zero when `errors` is not empty). When
 * nothing could be read (no such cluster, or AWS refused), `summary` is null and the lists empty.
 */
import type { SetupCheck } from '../core/capacity-providers';
import { isScaleInDrain, liveWorkload, type Instance } from '../core/cluster';
import type { Config } from '../core/config';
import type { Decision } from '../core/decide';
import { headroom } from '../core/headroom';
import { describeUnschedulable } from '../core/unschedulable';
import type { ClusterView } from '../handlers/app/act';

export interface PlanReport {
  readonly cluster: string;
  readonly at: string;
  readonly dryRun: boolean;
  readonly referenceTask: { readonly cpu: number; readonly memory: number };
  /** Null when nothing could be decided (`planFailure`). */
  readonly summary: (Decision['summary'] & { readonly instancesNeeded: number; readonly lowerBound: number }) | null;
  readonly instances: ReadonlyArray<{
    readonly id: string;
    readonly group: string | null;
    readonly status: string;
    readonly instanceType: string | null;
    readonly free: { readonly cpu: number; readonly memory: number };
    readonly headroom: number;
    /** Non-daemon live tasks when the tick read them; else ECS's running + pending count (daemons included). */
    readonly tasks: number;
    readonly note: string;
  }>;
  readonly services: ReadonlyArray<{ readonly name: string; readonly desired: number; readonly running: number; readonly pending: number; readonly unplaced: number; readonly fitNow: number; readonly needsCapacity: boolean }>;
  /** Tasks no capacity group can ever hold, grouped, with the reason (not counted as shortage). */
  readonly unschedulable: readonly string[];
  /** Tasks waiting with no instance (PROVISIONING). */
  readonly waitingTasks: number;
  /** Where a managed group's setup differs from the recommended one (`core/capacity-providers.ts`). */
  readonly setupWarnings: readonly string[];
  /** Facts about the setup that need no action (a managed group in the plain setup). */
  readonly setupNotes: readonly string[];
  readonly groups: ReadonlyArray<{ readonly name: string; readonly min: number; readonly max: number; readonly desired: number }>;
  readonly scaleOut: ReadonlyArray<{ readonly group: string; readonly count: number; readonly desired: number; readonly reasons: readonly string[] }>;
  readonly scaleIn: ReadonlyArray<{ readonly instance: string; readonly group: string; readonly reasons: readonly string[] }>;
  readonly reactivate: ReadonlyArray<{ readonly instance: string; readonly reasons: readonly string[] }>;
  readonly terminate: ReadonlyArray<{ readonly instance: string; readonly group: string; readonly reasons: readonly string[] }>;
  readonly reasons: readonly string[];
  /** What is wrong with the cluster or groups the configuration names (`plan-checks.ts`), or the AWS error that stopped the read. */
  readonly errors: readonly string[];
}

/** The report when there is no cluster to decide on, or the read failed: the errors, nothing else. */
export function planFailure(config: Config, now: number, errors: readonly string[]): PlanReport {
  return {
    cluster: config.clusterName,
    at: new Date(now).toISOString(),
    dryRun: config.dryRun,
    referenceTask: { cpu: 0, memory: 0 },
    summary: null,
    instances: [],
    services: [],
    unschedulable: [],
    waitingTasks: 0,
    setupWarnings: [],
    setupNotes: [],
    groups: [],
    scaleOut: [],
    scaleIn: [],
    reactivate: [],
    terminate: [],
    reasons: [],
    errors,
  };
}

/** Why an instance is, or is not, taken out by scale-in (the per-instance half of the decision's reasons). */
function noteOf(i: Instance, d: Decision, configured: ReadonlySet<string>, scaleInWhy: string): string {
  if (d.scaleIn.some((s) => s.instance === i.id)) return 'scale-in: would drain';
  if (d.reactivate.some((r) => r.instance === i.id)) return 'scale-in drain: would reactivate';
  if (d.terminate.some((t) => t.instance === i.id)) return 'scale-in drain, empty: would terminate';
  if (i.terminating === true) return 'leaving (Auto Scaling lifecycle or agent gone)';
  if (isScaleInDrain(i)) return `scale-in drain: ${liveWorkload(i).length} task(s) left`;
  if (i.status !== 'ACTIVE') return `${i.status}, not by Headroom: left alone`;
  if (i.group === undefined || !configured.has(i.group)) return 'in no configured group: never scaled in';
  if ((i.tasks ?? []).some((t) => t.role === 'standalone' && t.status !== 'STOPPED')) return 'kept: runs standalone tasks';
  return `kept: ${scaleInWhy}`;
}

export function planReport(config: Config, view: ClusterView, d: Decision, now: number, setup: SetupCheck = { warnings: [], notes: [] }, errors: readonly string[] = []): PlanReport {
  const perInstance = headroom(d.shape, view.instances).perInstance;
  const configured = new Set(config.asgNames);
  const scaleInWhy = !config.scaleInEnabled ? 'scale-in disabled (SCALE_IN_ENABLED=false)' : d.scaleOut.length > 0 || d.reactivate.length > 0 ? 'short of capacity' : (d.reasons[d.reasons.length - 1] ?? 'not chosen');
  return {
    cluster: config.clusterName,
    at: new Date(now).toISOString(),
    dryRun: config.dryRun,
    referenceTask: d.shape,
    summary: { ...d.summary, instancesNeeded: d.instancesNeeded, lowerBound: d.lowerBound },
    instances: view.instances.map((i) => ({
      id: i.id,
      group: i.group ?? null,
      status: i.status,
      instanceType: i.instanceType ?? null,
      free: i.remaining,
      headroom: perInstance.get(i.id) ?? 0,
      tasks: i.tasks !== undefined ? liveWorkload(i).length : (i.taskCounts?.running ?? 0) + (i.taskCounts?.pending ?? 0),
      note: noteOf(i, d, configured, scaleInWhy),
    })),
    services: view.services.map((s) => {
      const fitNow = headroom(s.shape, view.instances).total;
      return { name: s.name, desired: s.desired, running: s.running, pending: s.pending, unplaced: s.unplaced, fitNow, needsCapacity: !s.daemon && s.unplaced > fitNow };
    }),
    unschedulable: describeUnschedulable(d.unschedulable),
    waitingTasks: view.waiting.length,
    setupWarnings: setup.warnings,
    setupNotes: setup.notes,
    groups: view.groups.map((g) => ({ name: g.name, min: g.min, max: g.max, desired: g.desired })),
    scaleOut: d.scaleOut.map((a) => ({ group: a.group, count: a.count, desired: a.desired, reasons: a.reasons })),
    scaleIn: d.scaleIn.map((a) => ({ instance: a.instance, group: a.group, reasons: a.reasons })),
    reactivate: d.reactivate.map((a) => ({ instance: a.instance, reasons: a.reasons })),
    terminate: d.terminate.map((a) => ({ instance: a.instance, group: a.group, reasons: a.reasons })),
    reasons: d.reasons,
    errors,
  };
}

function table(rows: readonly (readonly string[])[], numeric: ReadonlySet<number> = new Set()): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  return rows.map((r) => r.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** The readable form: summary, instances, services, actions, reasons. */
export function formatPlan(r: PlanReport): string {
  const s = r.summary;
  const out: string[] = [];
  if (s === null) return r.errors.map((e) => `error: ${e}`).join('\n');
  out.push(`Headroom plan for cluster ${r.cluster} at ${r.at}${r.dryRun ? ' (DRY_RUN is set: the functions would only log this)' : ''}`);
  out.push(`reference task ${r.referenceTask.cpu} CPU / ${r.referenceTask.memory} MiB: ${s.schedulableTasks} fit (headroom) on ${s.activeInstances} active instance(s); ${s.drainingInstances} draining`);
  out.push(`pending tasks ${s.pendingTasks} (waiting with no instance: ${r.waitingTasks}), unschedulable ${s.unschedulableTasks}; reserved CPU ${s.cpuReservedPercent} %, memory ${s.memoryReservedPercent} %`);
  out.push(`instances needed by packing ${s.instancesNeeded}, lower bound ${s.lowerBound}`);
  if (r.setupWarnings.length + r.setupNotes.length > 0) out.push('', 'Setup', ...r.setupWarnings.map((w) => `  - warning: ${w}`), ...r.setupNotes.map((n) => `  - ${n}`));
  out.push('', 'Instances');
  out.push(table([['instance', 'group', 'status', 'type', 'free CPU', 'free MiB', 'headroom', 'tasks', 'scale-in'], ...r.instances.map((i) => [i.id, i.group ?? '-', i.status, i.instanceType ?? '-', String(i.free.cpu), String(i.free.memory), String(i.headroom), String(i.tasks), i.note])], new Set([4, 5, 6, 7])));
  if (r.services.length > 0) {
    out.push('', 'Services');
    out.push(table([['service', 'desired', 'running', 'pending', 'unplaced', 'fit now', ''], ...r.services.map((v) => [v.name, String(v.desired), String(v.running), String(v.pending), String(v.unplaced), String(v.fitNow), v.needsCapacity ? 'needs new capacity' : ''])], new Set([1, 2, 3, 4, 5])));
  }
  if (r.unschedulable.length > 0) out.push('', 'Unschedulable (no capacity group can ever hold these)', ...r.unschedulable.map((u) => `  - ${u}`));
  out.push('', 'Groups');
  out.push(table([['group', 'min', 'desired', 'max', 'scale-out'], ...r.groups.map((g) => {
    const a = r.scaleOut.find((x) => x.group === g.name);
    return [g.name, String(g.min), String(g.desired), String(g.max), a !== undefined ? `+${a.count} → desired ${a.desired}` : '-'];
  })], new Set([1, 2, 3])));
  out.push('', 'Actions');
  const actions = [
    ...r.scaleOut.map((a) => `scale out ${a.group} by ${a.count} (desired ${a.desired})`),
    ...r.reactivate.map((a) => `reactivate ${a.instance} (set ACTIVE)`),
    ...r.scaleIn.map((a) => `scale in ${a.instance} of ${a.group} (mark and set DRAINING)`),
    ...r.terminate.map((a) => `terminate ${a.instance} of ${a.group} with decrement`),
  ];
  out.push(...(actions.length > 0 ? actions.map((a) => `  ${a}`) : ['  none']));
  out.push('', 'Reasons', ...r.reasons.map((x) => `  - ${x}`));
  return out.join('\n');
}
