/**
 * `npm run plan -- --cluster NAME --asg-names A,B [--json]`: what the tick would do on a live
 * cluster right now, without changing anything. Flags override `CLUSTER_NAME` / `ASG_NAMES`; every
 * other setting comes from the environment and is validated by `loadConfig`, as in the functions.
 * Uses the caller's AWS credentials and the functions' adapters (read side only: `plan-ports.ts`),
 * reads the cluster once and runs the tick's decision (`decideTick`).
 *
 * Before deciding, it checks what the functions cannot see for themselves (`plan-checks.ts`): the
 * cluster exists, every group exists and holds instances of the cluster. Each problem is one line
 * on stderr and in `errors[]`.
 *
 * Exit codes: 0 printed, 1 AWS or other failure (one line, with a hint), 2 bad arguments or
 * configuration, or a cluster or group that is not what the configuration says.
 */
import { parseArgs as parseNodeArgs } from 'node:util';
import { loadConfig } from '../core/config';
import { ConfigError } from '../core/errors';
import type { Logger } from '../handlers/app/ports';
import { decideTick } from '../handlers/tick';
import { checkSetup } from '../core/capacity-providers';
import { awsReadOnlyPorts, type ReadOnlyPorts } from './plan-ports';
import { formatPlan, planFailure, planReport, type PlanReport } from './plan-report';
import { clusterErrors, membershipChecks, missingGroupErrors } from './plan-checks';
import { awsErrorLine } from './aws-error';
import { quietNodeWarning } from './sdk-options';
import type { Config } from '../core/config';

const USAGE = `usage: npm run plan -- [--cluster NAME] [--asg-names A,B] [--json]

  --cluster NAME     the ECS cluster (overrides CLUSTER_NAME)
  --asg-names A,B    its Auto Scaling groups in priority order (overrides ASG_NAMES)
  --json             print one JSON object (summary, scaleOut, scaleIn, reasons, …)
  --help             this text

Every other setting (TASK_CPU, SHORTAGE_THRESHOLD, …) is read from the environment, as the
functions read theirs. AWS credentials and region: the usual SDK chain (AWS_PROFILE, …).
Nothing is changed: only Describe/List/Get calls are made.`;

export interface PlanArgs {
  readonly cluster?: string;
  readonly asgNames?: string;
  readonly json: boolean;
  readonly help: boolean;
}

export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  const { values } = parseNodeArgs({
    args: [...argv],
    options: { cluster: { type: 'string' }, 'asg-names': { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  return {
    ...(values.cluster !== undefined ? { cluster: values.cluster } : {}),
    ...(values['asg-names'] !== undefined ? { asgNames: values['asg-names'] } : {}),
    json: values.json === true,
    help: values.help === true,
  };
}

/** The environment the plan validates: the caller's, with the flags in place of their variables. */
export function planEnv(args: PlanArgs, env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return { ...env, ...(args.cluster !== undefined ? { CLUSTER_NAME: args.cluster } : {}), ...(args.asgNames !== undefined ? { ASG_NAMES: args.asgNames } : {}) };
}

/**
 * Check the cluster and groups exist, read once, decide as the tick does, report. A missing cluster
 * stops here (there is nothing to decide on); missing groups are left out of the decision, as the
 * functions leave them out, and reported. Only the read-only ports can be passed.
 */
export async function plan(config: Config, ports: ReadOnlyPorts): Promise<PlanReport> {
  const [status, found] = await Promise.all([ports.setup.status(), ports.autoScaling.describeGroups(config.asgNames)]);
  const missing = missingGroupErrors(config.asgNames, found);
  const gone = clusterErrors(config.clusterName, status);
  if (gone.length > 0) return planFailure(config, ports.now(), [...gone, ...missing]);
  const present = config.asgNames.filter((n) => found.some((g) => g.name === n));
  const decideOn: Config = present.length === config.asgNames.length ? config : { ...config, asgNames: present };
  const [{ now, view, decision }, providers] = await Promise.all([decideTick({ config: decideOn, ports }), ports.setup.capacityProviders()]);
  const mine = view.groupStates.filter((g) => present.includes(g.name));
  const groups = mine.map((g) => ({ name: g.name, suspendedProcesses: g.suspendedProcesses ?? [], availabilityZones: g.availabilityZones, ...(g.scaleInProtection !== undefined ? { scaleInProtection: g.scaleInProtection } : {}) }));
  const members = membershipChecks(config.clusterName, mine, view.instances, now, config.provisioningTimeoutSeconds);
  const setup = checkSetup(providers, groups);
  return planReport(config, view, decision, now, { warnings: [...setup.warnings, ...members.warnings], notes: setup.notes }, [...missing, ...members.errors]);
}

/** Warnings (e.g. a group left out of scale-out) to stderr, one line each; info is not shown. */
function stderrLogger(write: (line: string) => void): Logger {
  const line = (level: string) => (message: string, data?: Record<string, unknown>) => write(`${level}: ${message}${data !== undefined ? ` ${JSON.stringify(data)}` : ''}\n`);
  return { info: () => undefined, warn: line('warning'), error: line('error') };
}

export interface Io {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The ports to read through; the AWS adapters unless a test passes others. */
  readonly ports?: (config: Config, log: Logger) => ReadOnlyPorts;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let args: PlanArgs;
  try {
    args = parsePlanArgs(argv);
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(planEnv(args, io.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`invalid configuration, nothing read:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }
  const log = stderrLogger(io.stderr);
  let report: PlanReport;
  try {
    report = await plan(config, (io.ports ?? awsReadOnlyPorts)(config, log));
  } catch (error) {
    const line = `plan failed: ${awsErrorLine(error)}`;
    io.stderr(`${line}\n`);
    if (args.json) io.stdout(`${JSON.stringify(planFailure(config, Date.now(), [line]), null, 2)}\n`);
    return 1;
  }
  io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : report.summary !== null ? `${formatPlan(report)}\n` : '');
  for (const e of report.errors) io.stderr(`error: ${e}\n`);
  return report.errors.length > 0 ? 2 : 0;
}

if (require.main === module) {
  quietNodeWarning(process.env);
  void main(process.argv.slice(2), { env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then((code) => {
    process.exitCode = code;
  });
}
