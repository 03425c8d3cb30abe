/**
 * `tune`: which Headroom settings to deploy, chosen on a scenario. Pure parts: the sweep grid,
 * the Pareto front and the recommendation; the runs themselves happen in sim/tune/tune-pool.ts.
 *
 * - Current settings: for each swept variable, the scenario's `env` value (which `--current`
 *   flags override), else the default from core/config.ts. They are always a point of the grid, and
 *   so are the defaults: a recommendation is always weighed against what runs today.
 * - Grid: the cartesian product of `SWEEP` rows whose variable `loadConfig` knows (a row for a
 *   setting not yet in core/config.ts is skipped), each row holding its default and current value
 *   too, applied over the scenario's own `env`; a point `loadConfig` rejects (e.g. excess ≤
 *   shortage) is left out, never run.
 * - Pareto front over (cost, tasks lost, pending task-minutes), all minimised: a point is on the
 *   front when no other point is at least as good on all three and better on one. O(n²) for n
 *   points (n is tens).
 * - Recommendation: the cheapest point that loses no more tasks than the best peer policy and
 *   waits (pending task-minutes) no longer than `ecs-cas`; ties go to fewer tasks lost, then less
 *   waiting, then grid order. When no point meets both bounds, the point with the fewest tasks
 *   lost, then least waiting, then lowest cost, marked `meetsBounds: false`. A point the current
 *   settings dominate is never recommended (keeping them would be no worse anywhere).
 */
import { DEFAULTS, loadConfig } from '../../core/config';
import type { PolicyResult } from '../run/result';

/** Settings swept and their values (strings, as in a Lambda environment). */
export const SWEEP: ReadonlyArray<{ readonly env: string; readonly values: readonly string[] }> = [
  { env: 'SHORTAGE_THRESHOLD', values: ['1', '2', '4', '8'] },
  { env: 'EXCESS_THRESHOLD', values: ['8', '16', '32'] },
  // Storm insurance: spare Spot instances kept while Spot is in use (a row core/config does not know is skipped, `notSwept`).
  { env: 'SPOT_RESERVE_INSTANCES', values: ['0', '1', '2'] },
];

export type Env = Readonly<Record<string, string>>;

export interface Point {
  readonly env: Env;
  readonly cost: number;
  readonly costRatio: number;
  readonly tasksLost: number;
  readonly pendingTaskMinutes: number;
  readonly p99PendingSeconds: number;
  readonly stuckInstances: number;
  readonly boundViolations: number;
  readonly pareto: boolean;
}

/** Variables the configuration knows (so a sweep row is used only once the setting exists). */
export function knownSettings(): ReadonlySet<string> {
  return new Set(Object.keys(DEFAULTS));
}

/** `values` with `extra` added where missing, in numeric order when every value is a number. */
function withValues(values: readonly string[], extra: ReadonlyArray<string | undefined>): string[] {
  const all = [...new Set([...values, ...extra.filter((v): v is string => v !== undefined)])];
  return all.every((v) => /^-?\d+(\.\d+)?$/.test(v)) ? all.sort((a, b) => Number(a) - Number(b)) : all;
}

/** The default of a setting as an environment value, when core/config.ts has one. */
function defaultOf(name: string): string | undefined {
  const v = (DEFAULTS as Readonly<Record<string, string | number | boolean>>)[name];
  return v === undefined ? undefined : String(v);
}

/**
 * The grid: every combination of the usable rows over `base` (the scenario's env), minus the
 * combinations `loadConfig` rejects. `overrides` replaces a row's values (`--set NAME=a,b`). Each
 * row also holds its default and its current value (`base`'s, else the default); `current` is the
 * env of the current settings, a point of `envs` unless `loadConfig` rejects it (then undefined).
 */
export function grid(base: Env, baseEnvironment: Env, sweep = SWEEP, known = knownSettings(), overrides: Readonly<Record<string, readonly string[]>> = {}): { envs: Env[]; skipped: string[]; current: Env | undefined } {
  const rows = sweep.filter((r) => known.has(r.env)).map((r) => ({ env: r.env, values: overrides[r.env] ?? r.values }));
  for (const name of Object.keys(overrides)) if (!rows.some((r) => r.env === name)) rows.push({ env: name, values: overrides[name] as readonly string[] });
  const current: Record<string, string> = {};
  for (const row of rows) {
    const value = base[row.env] ?? defaultOf(row.env);
    if (value !== undefined) current[row.env] = value;
    row.values = withValues(row.values, [defaultOf(row.env), base[row.env]]);
  }
  const skipped = sweep.filter((r) => !known.has(r.env)).map((r) => r.env);
  let combos: Array<Record<string, string>> = [{}];
  for (const row of rows) combos = combos.flatMap((c) => row.values.map((v) => ({ ...c, [row.env]: v })));
  const envs = combos.filter((c) => {
    try {
      loadConfig({ ...baseEnvironment, ...base, ...c });
      return true;
    } catch {
      return false;
    }
  });
  const same = (e: Env): boolean => Object.keys(current).every((k) => e[k] === current[k]);
  return { envs, skipped, current: envs.find(same) };
}

type Measures = Pick<Point, 'cost' | 'tasksLost' | 'pendingTaskMinutes'>;

/** `a` dominates `b`: no worse on every measure, better on one. */
export function dominates(a: Measures, b: Measures): boolean {
  const noWorse = a.cost <= b.cost && a.tasksLost <= b.tasksLost && a.pendingTaskMinutes <= b.pendingTaskMinutes;
  const better = a.cost < b.cost || a.tasksLost < b.tasksLost || a.pendingTaskMinutes < b.pendingTaskMinutes;
  return noWorse && better;
}

/** Points with `pareto` set: true when no other point dominates them. */
export function withFront(points: ReadonlyArray<Omit<Point, 'pareto'>>): Point[] {
  return points.map((p) => ({ ...p, pareto: !points.some((q) => q !== p && dominates(q, p)) }));
}

export function pointOf(env: Env, r: PolicyResult): Omit<Point, 'pareto'> {
  return {
    env,
    cost: r.cost,
    costRatio: r.costRatio,
    tasksLost: r.tasksLost,
    pendingTaskMinutes: r.pendingTaskMinutes,
    p99PendingSeconds: r.p99PendingSeconds,
    stuckInstances: r.stuckInstances,
    boundViolations: r.boundViolations,
  };
}

export interface Bounds {
  /** Fewest tasks lost by any peer policy (`ugns`, `ecs-cas`, `static-peak`). */
  readonly maxTasksLost: number;
  /** `ecs-cas`'s pending task-minutes. */
  readonly maxPendingTaskMinutes: number;
}

export function boundsOf(peers: readonly PolicyResult[]): Bounds {
  const cas = peers.find((p) => p.policy === 'ecs-cas');
  return {
    maxTasksLost: peers.length > 0 ? Math.min(...peers.map((p) => p.tasksLost)) : Number.POSITIVE_INFINITY,
    maxPendingTaskMinutes: cas?.pendingTaskMinutes ?? Number.POSITIVE_INFINITY,
  };
}

export interface Recommendation {
  readonly point: Point;
  readonly meetsBounds: boolean;
}

/** The recommendation among `points`; with `current`, never a point the current settings dominate. */
export function recommend(all: readonly Point[], bounds: Bounds, current?: Point): Recommendation | undefined {
  const by = (...keys: Array<(p: Point) => number>) => (a: Point, b: Point) => {
    for (const k of keys) if (k(a) !== k(b)) return k(a) - k(b);
    return 0;
  };
  const points = current === undefined ? all : all.filter((p) => !dominates(current, p));
  const ok = points.filter((p) => p.tasksLost <= bounds.maxTasksLost && p.pendingTaskMinutes <= bounds.maxPendingTaskMinutes && p.stuckInstances === 0 && p.boundViolations === 0);
  if (ok.length > 0) return { point: [...ok].sort(by((p) => p.cost, (p) => p.tasksLost, (p) => p.pendingTaskMinutes))[0] as Point, meetsBounds: true };
  const best = [...points].sort(by((p) => p.tasksLost, (p) => p.pendingTaskMinutes, (p) => p.cost))[0];
  return best === undefined ? undefined : { point: best, meetsBounds: false };
}

function money(usd: number): string {
  return `$${Math.abs(usd).toFixed(2)}`;
}

/**
 * One sentence: what the recommendation gains and gives up against the current settings, measure
 * by measure (cost, tasks lost, pending task-minutes); a change under half a cent or a tenth of a
 * task-minute counts as none.
 */
export function tradeOff(rec: Point, current: Point): string {
  if (rec.env === current.env || Object.keys(current.env).every((k) => rec.env[k] === current.env[k])) return 'Keep the current settings: no setting tried is better within the bounds.';
  const gains: string[] = [];
  const costs: string[] = [];
  const dCost = rec.cost - current.cost;
  if (Math.abs(dCost) >= 0.005) (dCost < 0 ? gains : costs).push(`${dCost < 0 ? 'saves' : 'costs'} ${money(dCost)} (${Math.abs((100 * dCost) / Math.max(current.cost, 1e-9)).toFixed(1)} %)${dCost < 0 ? '' : ' more'}`);
  const dLost = rec.tasksLost - current.tasksLost;
  if (dLost !== 0) (dLost < 0 ? gains : costs).push(`loses ${Math.abs(dLost)} ${dLost < 0 ? 'fewer' : 'more'} task(s)`);
  const dWait = rec.pendingTaskMinutes - current.pendingTaskMinutes;
  if (Math.abs(dWait) >= 0.1) (dWait < 0 ? gains : costs).push(`waits ${Math.abs(dWait).toFixed(1)} task-minutes ${dWait < 0 ? 'less' : 'longer'}`);
  const list = (xs: string[]): string => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1] as string}`);
  const head = 'Against the current settings, the recommendation';
  if (gains.length === 0 && costs.length === 0) return `${head} changes nothing measurable on this scenario.`;
  if (costs.length === 0) return `${head} ${list(gains)}, and is no worse on anything else.`;
  if (gains.length === 0) return `${head} ${list(costs)}: it is chosen to meet the bounds the current settings miss.`;
  return `${head} ${list(gains)}, but ${list(costs)}.`;
}
