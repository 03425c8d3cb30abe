/**
 * `npm start [-- --scenario FILE] [--json] [--out FILE] [--policies a,b]`: run a scenario (the
 * embedded default without `--scenario`) through every policy and print a side-by-side table and
 * the path of the HTML report; with `--json`, print exactly one JSON object
 * `{ "scenario": …, "results": [ … ] }` on stdout and nothing else. A progress bar goes to stderr
 * when stdout is a terminal. Exit codes: 0 done, 1 run failed, 2 bad arguments or scenario.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../core/errors';
import { parseFlags, runAsMain, UsageError } from './cli/args';
import { DEFAULT_SCENARIO } from './scenario/default-scenario';
import { envChanges } from './policies/headroom/environment';
import { renderReport } from './report/report';
import { runScenario } from './run/run';
import { parseScenario, parseScenarioText, POLICY_NAMES, ScenarioError, type PolicyName, type Scenario } from './scenario/scenario';
import { callerDirectory, checkOutputPath, PathError, resolveFrom, uniqueReportPath } from './cli/paths';
import { formatTable } from './report/table';
import { verdict } from './report/verdict';

const USAGE = `usage: npm start -- [--scenario FILE.json] [--json] [--out REPORT.html] [--policies ${POLICY_NAMES.join(',')}]

  --scenario FILE   run this scenario file (default: the embedded day of a Spot cluster)
  --json            print one JSON object {"scenario": …, "results": […]} on stdout
  --out FILE        write the HTML report here (default: a new file in the system temp directory)
  --policies LIST   compare only these policies (comma-separated; each runs once)
  --help            this text

  Relative paths are resolved from the directory you run the command in.`;

export interface CliArgs {
  readonly scenario?: string;
  readonly json: boolean;
  readonly out?: string;
  readonly policies?: PolicyName[];
  readonly help: boolean;
}

export { UsageError } from './cli/args';

export function parseArgs(argv: readonly string[]): CliArgs {
  const f = parseFlags(argv, { '--scenario': 'value', '--out': 'value', '--policies': 'value', '--json': 'switch', '--help': 'switch' });
  let policies: PolicyName[] | undefined;
  const list = f.values['--policies'];
  if (list !== undefined) {
    const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bad = names.filter((n) => !(POLICY_NAMES as readonly string[]).includes(n));
    if (bad.length > 0 || names.length === 0) throw new UsageError(`--policies: unknown ${bad.join(', ') || '(empty)'}; expected some of ${POLICY_NAMES.join(', ')}`);
    policies = [...new Set(names)] as PolicyName[];
  }
  const scenario = f.values['--scenario'];
  const out = f.values['--out'];
  return { json: f.switches.has('--json'), help: f.switches.has('--help'), ...(scenario !== undefined ? { scenario } : {}), ...(out !== undefined ? { out } : {}), ...(policies !== undefined ? { policies } : {}) };
}

export function loadScenario(path: string | undefined): Scenario {
  if (path === undefined) return parseScenario(DEFAULT_SCENARIO, 'default (embedded)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError(path, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  return parseScenarioText(text, path);
}

function progressBar(enabled: boolean): (policy: PolicyName, index: number, total: number, fraction: number) => void {
  if (!enabled) return () => undefined;
  return (policy, index, total, fraction) => {
    const overall = (index + fraction) / total;
    const width = 30;
    const filled = Math.round(overall * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(overall * 100)).padStart(3)}% ${policy.padEnd(12)}`);
    if (index === total - 1 && fraction >= 1) process.stderr.write('\r' + ' '.repeat(width + 20) + '\r');
  };
}

/** Where relative paths start: the caller's environment (INIT_CWD under npm) and directory. */
export interface Caller {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/**
 * The scenario and the report path of a command, resolved from the caller's directory and checked
 * before anything runs; throws `ScenarioError` or `PathError` naming the resolved path.
 */
export function loadInputs(args: { readonly scenario?: string; readonly out?: string }, caller: Caller): { scenario: Scenario; outPath: string | undefined } {
  const base = callerDirectory(caller.env, caller.cwd);
  const scenario = loadScenario(args.scenario !== undefined ? resolveFrom(base, args.scenario) : undefined);
  const outPath = args.out !== undefined ? resolveFrom(base, args.out) : undefined;
  if (outPath !== undefined) checkOutputPath(outPath);
  return { scenario, outPath };
}

/** Exit code 2 and one error line for what a command's setup may throw (usage, scenario, path, configuration); anything else is rethrown. */
export function setupFailure(e: unknown, usage: string): number {
  if (e instanceof UsageError) {
    process.stderr.write(`error: ${e.message}\n${usage}\n`);
    return 2;
  }
  if (e instanceof ScenarioError || e instanceof PathError || e instanceof ConfigError) {
    process.stderr.write(`error: ${e.message}\n`);
    return 2;
  }
  throw e;
}

export async function main(argv: readonly string[], caller: Caller = { env: process.env, cwd: process.cwd() }): Promise<number> {
  let args: CliArgs;
  let scenario: Scenario;
  let outPath: string | undefined;
  try {
    args = parseArgs(argv);
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    ({ scenario, outPath } = loadInputs(args, caller));
  } catch (e) {
    return setupFailure(e, USAGE);
  }
  const started = performance.now();
  let output;
  try {
    output = await runScenario(scenario, {
      root: process.cwd(),
      ...(args.policies !== undefined ? { policies: args.policies } : {}),
      onProgress: progressBar(process.stdout.isTTY === true && process.stderr.isTTY === true),
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: the scenario's env is not a valid headroom configuration: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const seconds = (performance.now() - started) / 1000;
  for (const n of output.notes) process.stderr.write(`note: ${n}\n`);
  const results = output.runs.map((r) => r.result);
  const reportPath = outPath ?? uniqueReportPath(`headroom-report-${scenario.name}`);
  writeFileSync(reportPath, renderReport(output));
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ scenario: scenario.name, results })}\n`);
    process.stderr.write(`report: ${reportPath} (${seconds.toFixed(1)} s)\n`);
    return 0;
  }
  process.stdout.write(`scenario ${scenario.name} (seed ${scenario.seed}, ${scenario.durationMinutes} min, reference task ${output.referenceShape.cpu} CPU/${output.referenceShape.memory} MiB)\n\n`);
  const changed = envChanges(scenario);
  if (changed.length > 0) process.stdout.write(`headroom env (changes its defaults; baselines run at theirs): ${changed.join(', ')}\n\n`);
  process.stdout.write(`${formatTable(results)}\n\n${verdict(results)}\n\n`);
  process.stdout.write(`report: ${reportPath}\nran ${results.length} policies in ${seconds.toFixed(1)} s\n`);
  return 0;
}

if (require.main === module) runAsMain(() => main(process.argv.slice(2)));
