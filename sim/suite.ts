/**
 * `npm run suite [-- --half tuning|held-out|fresh] [--env NAME=value,…] [--headroom-setup S] [--headroom-az-rebalance on|suspended] [--policies a,b] [--json] [FILE…]`:
 * run every scenario of the public suite (the shipped `sim/scenarios/*.json` and
 * `sim/scenarios/suite/*.json`, or one list of `halves.json`, or the files named) through the policies, and print one row per
 * scenario and policy, suite totals, and the issue's targets checked against `ecs-cas` and the other
 * peers. `--env` sets Headroom settings on every scenario (on top of each scenario's own `env`): how
 * defaults are chosen on the tuning half and then checked on the held-out half (`halves.json`).
 * The fresh scenarios (`sim/scenarios/suite/fresh/`, held out, written after the defaults were
 * chosen) run only with `--half fresh`, never by default.
 * Exit code 0 whatever the targets say (this is a report, not a test; `test/sim/` pins invariants).
 */
import { runAsMain, UsageError } from './cli/args';
import { runScenario } from './run/run';
import type { PolicyResult } from './run/result';
import { HEADROOM_SETUPS, POLICY_NAMES, type HeadroomSetup, type PolicyName } from './scenario/scenario';
import { HALVES, loadSuiteScenario, ROOT, suiteFiles as filesOfHalf, type Half } from './cli/suite-files';
import { checkTargets, type ScenarioOutcome } from './run/targets';

const USAGE = `usage: npm run suite -- [--half tuning|held-out|fresh] [--env NAME=value,...] [--headroom-setup capacity-providers|plain] [--headroom-az-rebalance on|suspended] [--policies a,b] [--json] [FILE.json ...]

  --half H          only one list of sim/scenarios/suite/halves.json: tuning (choose settings
                    here), held-out, or fresh (held out, written after the defaults were chosen,
                    run once at the end; never part of the default run)
  --env NAME=v,...  Headroom settings on every scenario, on top of each scenario's own env
  --headroom-setup S  run Headroom in this cluster setup on every scenario (cluster.headroomSetup;
                    plain: no capacity provider, a job that does not fit fails and is retried)
  --headroom-az-rebalance on|suspended
                    Headroom's groups with Auto Scaling's AZRebalance process on, or suspended as
                    its recommended setup has it (cluster.headroomSuspendsAzRebalance)
  --policies a,b    run only these policies
  --json            one JSON object: the env, every scenario's results and the targets report
  FILE.json ...     these scenarios instead of the shipped ones and the suite
                    (with no FILE and no --half: the shipped scenarios, tuning and held-out halves)
  --help            this text`;

export interface Args {
  help?: boolean;
  files: string[];
  half?: Half;
  env: Record<string, string>;
  headroomSetup?: HeadroomSetup;
  headroomSuspendsAzRebalance?: boolean;
  policies: PolicyName[];
  json: boolean;
}

export function parseArgs(argv: readonly string[]): Args {
  const args: Args = { files: [], env: {}, policies: [...POLICY_NAMES], json: false };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] as string;
    const next = (): string => {
      const v = argv[++k];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--half') {
      const h = next();
      if (!(HALVES as readonly string[]).includes(h)) throw new UsageError(`--half: one of ${HALVES.join(', ')}, got ${h}`);
      args.half = h as Half;
    } else if (a === '--env') {
      for (const kv of next().split(',').filter((s) => s !== '')) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`--env: NAME=value expected, got ${kv}`);
        args.env[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
      }
    } else if (a === '--headroom-setup') {
      const v = next();
      if (!(HEADROOM_SETUPS as readonly string[]).includes(v)) throw new UsageError(`--headroom-setup: one of ${HEADROOM_SETUPS.join(', ')}, got ${v}`);
      args.headroomSetup = v as HeadroomSetup;
    } else if (a === '--headroom-az-rebalance') {
      const v = next();
      if (v !== 'on' && v !== 'suspended') throw new UsageError(`--headroom-az-rebalance: on or suspended, got ${v}`);
      args.headroomSuspendsAzRebalance = v === 'suspended';
    } else if (a === '--policies') args.policies = next().split(',') as PolicyName[];
    else if (a === '--json') args.json = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a.startsWith('--')) throw new UsageError(`unknown argument ${a}`);
    else args.files.push(a);
  }
  return args;
}

/** The suite's files: named ones, else the shipped scenarios and the suite (one half when asked). */
function suiteFiles(args: Args): string[] {
  return args.files.length > 0 ? args.files : filesOfHalf(args.half);
}

const fmt = (r: PolicyResult): string =>
  `${r.policy.padEnd(11)} ${r.costRatio.toFixed(3).padStart(6)} ${r.cost.toFixed(2).padStart(8)} ${String(r.tasksLost).padStart(5)} ${r.pendingTaskMinutes.toFixed(0).padStart(8)} ${String(r.stuckInstances).padStart(5)} ${String(r.boundViolations).padStart(5)}`;

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const outcomes: ScenarioOutcome[] = [];
  for (const file of suiteFiles(args)) {
    const loaded = loadSuiteScenario(file, args.env);
    const { name } = loaded;
    const cluster = { ...loaded.scenario.cluster, ...(args.headroomSetup !== undefined ? { headroomSetup: args.headroomSetup } : {}), ...(args.headroomSuspendsAzRebalance !== undefined ? { headroomSuspendsAzRebalance: args.headroomSuspendsAzRebalance } : {}) };
    const scenario = { ...loaded.scenario, cluster };
    const out = await runScenario(scenario, { root: ROOT, policies: args.policies });
    outcomes.push({ scenario: name, notes: out.notes, results: out.runs.map((r) => r.result) });
    if (!args.json) {
      process.stdout.write(`\n${name}${out.notes.length > 0 ? ` (${out.notes.join('; ')})` : ''}\npolicy       ratio     cost  lost  pendmin stuck bound\n`);
      for (const r of out.runs) process.stdout.write(`${fmt(r.result)}\n`);
    }
  }
  const report = checkTargets(outcomes);
  if (args.json) process.stdout.write(`${JSON.stringify({ env: args.env, headroomSetup: args.headroomSetup ?? 'scenario', outcomes, report })}\n`);
  else {
    process.stdout.write(`\nsuite totals (${outcomes.length} scenarios)\npolicy       cost     lost  pendmin stuck bound\n`);
    for (const t of report.totals) process.stdout.write(`${t.policy.padEnd(11)} ${t.cost.toFixed(2).padStart(8)} ${String(t.tasksLost).padStart(5)} ${t.pendingTaskMinutes.toFixed(0).padStart(8)} ${String(t.stuckInstances).padStart(5)} ${String(t.boundViolations).padStart(5)}\n`);
    process.stdout.write(`\ntargets (headroom against ecs-cas and the peers)\n`);
    for (const m of report.misses) process.stdout.write(`MISS ${m}\n`);
    if (report.misses.length === 0) process.stdout.write('all met\n');
  }
  return 0;
}

if (require.main === module) runAsMain(() => main(process.argv.slice(2)), USAGE);
