/**
 * `npm run tune -- [--scenario FILE] [--json] [--out REPORT.html] [--workers N] [--set NAME=a,b]
 * [--current NAME=value]`: sweep Headroom's main settings on a scenario (sim/tune/tune.ts names the
 * grid), run the peer policies once, and print cost, tasks lost and pending task-minutes per
 * setting, the current settings' row, the Pareto front, one recommended environment and what it
 * trades against the current settings. `--json` prints `{ "recommended": { ENV: value, … },
 * "current": { env, cost, tasksLost, pendingTaskMinutes, … }, "points": [ … ], … }` on stdout. A progress bar goes to stderr on a terminal only. Exit codes:
 * 0 done, 1 run failed, 2 bad arguments, scenario or path.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags, runAsMain, UsageError } from './cli/args';
import { loadInputs, setupFailure, type Caller } from './cli';
import { lambdaEnvironment } from './policies/headroom/environment';
import { uniqueReportPath } from './cli/paths';
import type { PolicyResult } from './run/result';
import type { PolicyName, Scenario } from './scenario/scenario';
import { renderTuneReport } from './tune/tune-report';
import { boundsOf, grid, pointOf, recommend, tradeOff, withFront, type Env, type Point } from './tune/tune';
import { defaultWorkers, runJobs } from './tune/tune-pool';
import type { TuneJob } from './tune/tune-job';

const PEERS: readonly PolicyName[] = ['ugns', 'ecs-cas', 'static-peak'];

const USAGE = `usage: npm run tune -- [--scenario FILE.json] [--json] [--out REPORT.html] [--workers N] [--set NAME=a,b,...] [--current NAME=value]

  --scenario FILE   the scenario to tune on (default: the embedded day of a Spot cluster)
  --json            print {"recommended": {...}, "points": [...], ...} on stdout
  --out FILE        write the HTML report (the Pareto front) here (default: a new temp file)
  --workers N       worker threads (default: one per core, at most one per setting)
  --set NAME=a,b    sweep these values of NAME instead of the built-in ones (repeatable)
  --current NAME=v  a setting you run today, if not the default (repeatable): it is always a row,
                    and the recommendation is weighed against it
  --help            this text

  Relative paths are resolved from the directory you run the command in.`;

export interface TuneArgs {
  readonly scenario?: string;
  readonly out?: string;
  readonly json: boolean;
  readonly help: boolean;
  readonly workers?: number;
  readonly set: Readonly<Record<string, readonly string[]>>;
  readonly current: Readonly<Record<string, string>>;
}

export function parseTuneArgs(argv: readonly string[]): TuneArgs {
  const f = parseFlags(argv, { '--scenario': 'value', '--out': 'value', '--workers': 'value', '--set': 'repeat', '--current': 'repeat', '--json': 'switch', '--help': 'switch' });
  const w = f.values['--workers'];
  if (w !== undefined && (!/^\d+$/.test(w) || Number(w) < 1)) throw new UsageError(`--workers: expected a whole number ≥ 1 (got ${JSON.stringify(w)})`);
  const set: Record<string, string[]> = {};
  for (const v of f.repeats['--set'] ?? []) {
    const m = /^([A-Z][A-Z0-9_]*)=(.+)$/.exec(v);
    if (m === null) throw new UsageError(`--set: expected NAME=value,value (got ${JSON.stringify(v)})`);
    set[m[1] as string] = [...new Set((m[2] as string).split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  }
  const current: Record<string, string> = {};
  for (const v of f.repeats['--current'] ?? []) {
    const m = /^([A-Z][A-Z0-9_]*)=([^,]+)$/.exec(v);
    if (m === null) throw new UsageError(`--current: expected NAME=value (got ${JSON.stringify(v)})`);
    current[m[1] as string] = (m[2] as string).trim();
  }
  const scenario = f.values['--scenario'];
  const out = f.values['--out'];
  return { json: f.switches.has('--json'), help: f.switches.has('--help'), set, current, ...(scenario !== undefined ? { scenario } : {}), ...(out !== undefined ? { out } : {}), ...(w !== undefined ? { workers: Number(w) } : {}) };
}

function progressBar(enabled: boolean): ((fraction: number) => void) | undefined {
  if (!enabled) return undefined;
  return (f) => {
    const width = 30;
    const filled = Math.round(Math.min(1, f) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(f * 100)).padStart(3)}%`);
    if (f >= 1) process.stderr.write(`\r${' '.repeat(width + 8)}\r`);
  };
}

/** The env names as deploy parameters (`SHORTAGE_THRESHOLD` → `shortageThreshold`), from serverless.yml. */
function deployParams(env: Env, root: string): string[] {
  let names: Record<string, string> = {};
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { paramNames } = require('../deploy/validate-params.cjs') as { paramNames: (yml: string) => Record<string, string> };
    names = paramNames(readFileSync(join(root, 'serverless.yml'), 'utf8'));
  } catch {
    // No serverless.yml next to the simulator: print the variables only.
  }
  return Object.entries(env).map(([k, v]) => (names[k] !== undefined ? `--param="${names[k]}=${v}"` : `${k}=${v}`));
}

export function formatPoints(points: readonly Point[], swept: readonly string[], recommended: Point | undefined, peers: readonly PolicyResult[], current?: Point): string {
  const header = [...swept, 'cost', 'cost÷LB', 'lost', 'pending min', 'p99 s', 'front'];
  const rows = points.map((p) => [...swept.map((s) => p.env[s] ?? ''), `$${p.cost.toFixed(2)}`, p.costRatio.toFixed(3), String(p.tasksLost), p.pendingTaskMinutes.toFixed(1), p.p99PendingSeconds.toFixed(0), `${p.pareto ? '*' : ''}${p === current ? ' current' : ''}${p === recommended ? ' ←' : ''}`]);
  const peerRows = peers.map((r) => [...swept.map((_, k) => (k === 0 ? r.policy : '')), `$${r.cost.toFixed(2)}`, r.costRatio.toFixed(3), String(r.tasksLost), r.pendingTaskMinutes.toFixed(1), r.p99PendingSeconds.toFixed(0), '']);
  const all = [header, ...rows, ...peerRows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => [...(r[c] ?? '')].length)));
  const line = (r: string[]): string => r.map((cell, c) => (c < swept.length ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line), rule, ...peerRows.map(line)].join('\n');
}

/** What a sweep runs: the scenario (the current settings in its env), the settings to try, the current ones among them. */
interface TunePlan {
  readonly scenario: Scenario;
  readonly outPath: string | undefined;
  readonly envs: Env[];
  readonly skipped: string[];
  readonly currentEnv: Env;
}

/** Load the scenario and build the grid; a UsageError when no setting, or not the current one, passes the configuration. */
function planTune(args: TuneArgs, caller: Caller): TunePlan {
  const inputs = loadInputs(args, caller);
  // The settings run today stand in the scenario's env: the base every point overrides.
  const scenario = { ...inputs.scenario, env: { ...inputs.scenario.env, ...args.current } };
  const { envs, skipped, current } = grid(scenario.env ?? {}, lambdaEnvironment(scenario), undefined, undefined, args.set);
  if (envs.length === 0) throw new UsageError('no valid setting to try: every combination of the sweep is rejected by the configuration (check --set and the scenario env)');
  if (current === undefined) throw new UsageError('the current settings are rejected by the configuration (check --current and the scenario env)');
  return { scenario, outPath: inputs.outPath, envs, skipped, currentEnv: current };
}

/** The sweep's outcome: every setting as a point (Pareto front marked), the peers' results, the bounds and the recommendation. */
interface Sweep {
  readonly points: Point[];
  readonly peers: readonly PolicyResult[];
  readonly bounds: ReturnType<typeof boundsOf>;
  readonly current: Point;
  readonly rec: ReturnType<typeof recommend>;
  readonly trade: string;
  readonly swept: string[];
  readonly jobs: number;
  readonly workers: number;
  readonly seconds: number;
}

/** Run the peers once and Headroom once per setting on the worker pool, then rank the settings. */
async function runSweep(plan: TunePlan, args: TuneArgs, root: string): Promise<Sweep> {
  const { scenario, envs } = plan;
  const jobs: TuneJob[] = [{ id: 0, scenario, env: {}, policies: PEERS, root }, ...envs.map((env, k) => ({ id: k + 1, scenario, env, policies: ['headroom'] as PolicyName[], root }))];
  const workers = args.workers ?? defaultWorkers(jobs.length);
  const started = performance.now();
  const onProgress = progressBar(process.stderr.isTTY === true && !args.json);
  const done = await runJobs(jobs, { workers, ...(onProgress !== undefined ? { onProgress } : {}) });
  const seconds = (performance.now() - started) / 1000;
  const peers = done[0]?.results ?? [];
  const points = withFront(envs.map((env, k) => pointOf(env, done[k + 1]?.results[0] as PolicyResult)));
  const bounds = boundsOf(peers);
  const current = points[envs.indexOf(plan.currentEnv)] as Point;
  const rec = recommend(points, bounds, current);
  const trade = rec !== undefined ? tradeOff(rec.point, current) : 'No setting to recommend.';
  return { points, peers, bounds, current, rec, trade, swept: Object.keys(envs[0] ?? {}), jobs: jobs.length, workers, seconds };
}

/** The terminal summary: the table, the bounds, the recommendation with its deploy parameters, the current settings. */
function textSummary(plan: TunePlan, sweep: Sweep, reportPath: string, root: string): string {
  const { points, swept, rec, peers, current, bounds } = sweep;
  const recommended = rec?.point.env ?? {};
  const out: string[] = [];
  out.push(`scenario ${plan.scenario.name}: ${points.length} settings of ${swept.join(', ')}${plan.skipped.length > 0 ? ` (not swept, unknown to this version: ${plan.skipped.join(', ')})` : ''}`, '');
  out.push(formatPoints(points, swept, rec?.point, peers, current), '');
  out.push('* on the Pareto front (no other setting is cheaper, loses fewer tasks and waits less at once)');
  out.push(`bounds: lose at most ${bounds.maxTasksLost} task(s) (best peer), wait at most ${bounds.maxPendingTaskMinutes.toFixed(1)} task-minutes (ecs-cas)`);
  if (rec !== undefined) {
    out.push(rec.meetsBounds ? 'recommended (cheapest setting within both bounds):' : 'no setting met both bounds; closest (fewest tasks lost, then least waiting):');
    out.push(`  ${Object.entries(recommended).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    out.push(`  deploy: ${deployParams(recommended, root).join(' ')}`);
  }
  out.push(`current: ${Object.entries(current.env).map(([k, v]) => `${k}=${v}`).join(' ')}`, sweep.trade);
  out.push('', `report: ${reportPath}`, `ran ${sweep.jobs} jobs on ${sweep.workers} worker(s) in ${sweep.seconds.toFixed(1)} s`);
  return out.join('\n');
}

export async function tuneMain(argv: readonly string[], caller: Caller = { env: process.env, cwd: process.cwd() }): Promise<number> {
  let args: TuneArgs;
  let plan: TunePlan;
  try {
    args = parseTuneArgs(argv);
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    plan = planTune(args, caller);
  } catch (e) {
    return setupFailure(e, USAGE);
  }
  const root = caller.cwd;
  const sweep = await runSweep(plan, args, root);
  const { points, peers, swept, rec, current, trade, bounds } = sweep;
  const reportPath = plan.outPath ?? uniqueReportPath(`headroom-tune-${plan.scenario.name}`);
  writeFileSync(reportPath, renderTuneReport({ scenario: plan.scenario.name, points, peers, swept, recommended: rec?.point, current, tradeOff: trade, bounds }));
  if (args.json) {
    const recommended = rec?.point.env ?? {};
    process.stdout.write(`${JSON.stringify({ recommended, current, tradeOff: trade, meetsBounds: rec?.meetsBounds ?? false, bounds, scenario: plan.scenario.name, points, peers, notSwept: plan.skipped })}\n`);
    process.stderr.write(`report: ${reportPath} (${points.length} settings, ${sweep.workers} worker(s), ${sweep.seconds.toFixed(1)} s)\n`);
    return 0;
  }
  process.stdout.write(`${textSummary(plan, sweep, reportPath, root)}\n`);
  return 0;
}

if (require.main === module) runAsMain(() => tuneMain(process.argv.slice(2)));
