/**
 * `npm run record -- --cluster NAME --asg-names A,B [--days N] [--price TYPE=USD …] --out FILE`:
 * read a live cluster, read-only (cli/record/record-reads.ts lists every call), and write a
 * scenario that `npm start -- --scenario FILE` and `npm run tune -- --scenario FILE` run: the
 * services and daemons with their task definitions' reservations, host ports and constraints, the
 * groups with their instance types, zones, bounds, weights and Spot settings, each service's desired
 * count over the window from Container Insights (else its current count), Spot interruptions and
 * failed launches from scaling activities, and a price per type (cli/record/prices.ts).
 *
 * Exit codes: 0 written; 1 AWS failure (one line, with a hint); 2 bad arguments, a cluster or group
 * that does not exist, a type with no price, or a scenario the simulator would refuse.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs as parseNodeArgs } from 'node:util';
import { launchCandidates } from '../handlers/app/model';
import type { LaunchTemplateInfo } from '../handlers/app/ports';
import { parseScenario, ScenarioError } from '../sim/scenario/scenario';
import { awsErrorLine } from './aws-error';
import { clusterErrors, missingGroupErrors } from './plan-checks';
import { interruptionCount } from './record/history';
import { meanSpotPrices, missingPriceError, onDemandPrice, parsePriceFlags, resolvePrices, type PriceNeed } from './record/prices';
import { AwsRecordReads, type Activity, type RecordReads } from './record/record-reads';
import { isSpot, recordedScenario, type RecordFacts } from './record/recorded-scenario';
import { quietNodeWarning } from './sdk-options';

const USAGE = `usage: npm run record -- --cluster NAME --asg-names A,B [--days N] [--price TYPE=USD ...] --out FILE

  --cluster NAME     the ECS cluster to record
  --asg-names A,B    its Auto Scaling groups, in priority order
  --days N           how many days back to read (1–14, default 1): the scenario's length
  --price TYPE=USD   the price of an instance-hour of TYPE (repeatable); overrides the Spot price
                     history and the Pricing API, and is needed for a type neither prices
  --out FILE         where to write the scenario (JSON)
  --help             this text

Only Describe/List/Get calls are made (docs/recording.md lists them); AWS credentials and region
come from the usual SDK chain (AWS_PROFILE, AWS_REGION, …).`;

/** Container Insights keeps 5-minute data for 63 days and 1-minute data for 15 (CloudWatch User Guide, metric retention). */
const PERIOD_SECONDS = 300;

export interface RecordArgs {
  readonly cluster: string;
  readonly asgNames: readonly string[];
  readonly days: number;
  readonly prices: ReadonlyMap<string, number>;
  readonly out: string;
}

/** The arguments, or every problem with them (each one line). */
export function parseRecordArgs(argv: readonly string[]): { args?: RecordArgs; help: boolean; problems: string[] } {
  const { values } = parseNodeArgs({
    args: [...argv],
    options: { cluster: { type: 'string' }, 'asg-names': { type: 'string' }, days: { type: 'string' }, price: { type: 'string', multiple: true }, out: { type: 'string' }, help: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return { help: true, problems: [] };
  const problems: string[] = [];
  const cluster = (values.cluster ?? '').trim();
  if (cluster === '') problems.push('--cluster: required (the ECS cluster to record)');
  const asgNames = (values['asg-names'] ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (asgNames.length === 0) problems.push('--asg-names: required (its Auto Scaling groups, comma-separated)');
  const daysText = values.days ?? '1';
  const days = Number(daysText);
  if (!/^\d+$/.test(daysText) || days < 1 || days > 14) problems.push(`--days: expected a whole number from 1 to 14 (got ${JSON.stringify(daysText)})`);
  const parsed = parsePriceFlags(values.price ?? []);
  problems.push(...parsed.problems);
  const out = (values.out ?? '').trim();
  if (out === '') problems.push('--out: required (the scenario file to write)');
  return problems.length > 0 ? { help: false, problems } : { args: { cluster, asgNames, days, prices: parsed.prices, out }, help: false, problems };
}

/** Everything the scenario is built from, read once; `errors` when the cluster, a group or a price is missing. */
export async function readFacts(args: RecordArgs, reads: RecordReads, now: number): Promise<{ facts?: RecordFacts; errors: string[] }> {
  const from = now - args.days * 86_400_000;
  const [status, groups, region] = await Promise.all([reads.clusterStatus(), reads.groups(args.asgNames), reads.region()]);
  const errors = [...clusterErrors(args.cluster, status), ...missingGroupErrors(args.asgNames, groups)];
  if (errors.length > 0) return { errors };
  const templates = new Map<string, LaunchTemplateInfo>();
  for (const g of groups) if (g.launchTemplate !== undefined) templates.set(g.name, await reads.launchTemplate(g.launchTemplate));
  const needs: PriceNeed[] = groups.flatMap((g) => launchCandidates(g, templates.get(g.name)).map((c) => ({ instanceType: c.instanceType, spot: isSpot(g, templates.get(g.name)) })));
  const allTypes = [...new Set(needs.map((n) => n.instanceType))];
  const unpriced = (spot: boolean): string[] => [...new Set(needs.filter((n) => n.spot === spot && !args.prices.has(n.instanceType)).map((n) => n.instanceType))];
  const spotGroups = groups.filter((g) => isSpot(g, templates.get(g.name)));
  const spotZones = [...new Set(spotGroups.flatMap((g) => g.availabilityZones))];
  const spot = unpriced(true).length > 0 ? meanSpotPrices(await reads.spotPrices(unpriced(true), spotZones, from)) : new Map<string, number>();
  const onDemand = new Map<string, number>();
  for (const t of unpriced(false)) {
    const price = onDemandPrice(await reads.onDemandProducts(t, region));
    if (price !== undefined) onDemand.set(t, price);
  }
  const { prices, missing } = resolvePrices(needs, args.prices, spot, onDemand);
  if (missing.length > 0) return { errors: [missingPriceError(missing)] };
  const [types, registered, services] = await Promise.all([reads.instanceTypes(allTypes), reads.registered(), reads.services()]);
  const names = services.filter((s) => s.service.schedulingStrategy !== 'DAEMON').map((s) => s.service.serviceName ?? '').filter((n) => n !== '');
  const history = names.length > 0 ? await reads.insights('DesiredTaskCount', names, from, now, PERIOD_SECONDS) : new Map<string, Array<[number, number]>>();
  const activities = new Map<string, Activity[]>();
  for (const g of groups) activities.set(g.name, await reads.activities(g.name, from));
  const interruptions = spotGroups.reduce((n, g) => n + interruptionCount(activities.get(g.name) ?? []), 0);
  return { facts: { cluster: args.cluster, region, from, days: args.days, groups, templates, types, registered, services, history, activities, interruptions, prices }, errors: [] };
}

export interface RecordIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly now: () => number;
  /** The reads; the AWS adapter unless a test passes another. */
  readonly reads?: (cluster: string) => RecordReads;
}

export async function main(argv: readonly string[], io: RecordIo): Promise<number> {
  let parsed: ReturnType<typeof parseRecordArgs>;
  try {
    parsed = parseRecordArgs(argv);
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const args = parsed.args;
  if (args === undefined) {
    io.stderr(`${parsed.problems.map((p) => `error: ${p}`).join('\n')}\n\n${USAGE}\n`);
    return 2;
  }
  let read: Awaited<ReturnType<typeof readFacts>>;
  try {
    const now = io.now();
    read = await readFacts(args, (io.reads ?? ((cluster) => new AwsRecordReads(cluster, io.now)))(args.cluster), now);
  } catch (error) {
    io.stderr(`record failed: ${awsErrorLine(error)}\n`);
    return 1;
  }
  if (read.facts === undefined) {
    io.stderr(read.errors.map((e) => `error: ${e}\n`).join(''));
    return 2;
  }
  const { scenario, notes, problems } = recordedScenario(read.facts);
  try {
    if (problems.length > 0) throw new ScenarioError(args.out, problems);
    parseScenario(scenario, args.out);
  } catch (error) {
    io.stderr(`error: the recorded scenario is not one the simulator accepts:\n${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const path = resolve(io.cwd, args.out);
  writeFileSync(path, `${JSON.stringify(scenario, null, 2)}\n`);
  const f = read.facts;
  const withHistory = [...f.history.keys()].length;
  io.stdout(
    [
      `wrote ${path}: ${f.days} day(s) of cluster ${f.cluster}, ${(scenario.services as unknown[]).length} service(s) (${withHistory} with Container Insights history), ${(scenario.capacityGroups as unknown[]).length} group(s), ${f.interruptions} Spot interruption(s)`,
      `prices per instance-hour: ${[...f.prices].map(([key, p]) => `${key} $${p.usdPerHour.toFixed(4)} (${p.source})`).join(', ')}`,
      ...notes.map((n) => `note: ${n}`),
      `next: npm start -- --scenario ${args.out}   (or npm run tune -- --scenario ${args.out})`,
    ].join('\n') + '\n',
  );
  return 0;
}

if (require.main === module) {
  quietNodeWarning(process.env);
  void main(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), cwd: process.env.INIT_CWD ?? process.cwd(), now: () => Date.now() }).then((code) => {
    process.exitCode = code;
  });
}
