/**
 * The scenario file (DESIGN.md §8 is the contract; fields may be added, these must work) and its
 * validation. A malformed scenario fails with one `ScenarioError` listing every problem as
 * `path: what was expected (got …)`, so a user editing JSON by hand sees which field is wrong.
 */
import { z } from 'zod';

export const POLICY_NAMES = ['headroom', 'ugns', 'ecs-cas', 'static-peak'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

const nonNegative = (what: string) => z.number({ message: `expected ${what}` }).finite({ message: `expected ${what}` }).min(0, { message: `expected ${what} (≥ 0)` });
const positive = (what: string) => z.number({ message: `expected ${what}` }).finite({ message: `expected ${what}` }).positive({ message: `expected ${what} (> 0)` });
const whole = (what: string, min = 0) => z.number({ message: `expected ${what}` }).int({ message: `expected ${what} (a whole number)` }).min(min, { message: `expected ${what} (≥ ${min})` });
const fraction = (what: string) => z.number({ message: `expected ${what}` }).min(0, { message: `expected ${what} between 0 and 1` }).max(1, { message: `expected ${what} between 0 and 1` });
const port = z.number({ message: 'expected a port number' }).int({ message: 'expected a port number' }).min(1, { message: 'expected a port number 1–65535' }).max(65535, { message: 'expected a port number 1–65535' });

const capacityGroup = z.strictObject({
  name: z.string({ message: 'expected a group name' }).min(1, { message: 'expected a group name' }),
  instanceType: z.string({ message: 'expected an instance type such as "m5.xlarge"' }),
  cpu: positive('CPU units of one instance (1024 per vCPU)'),
  memory: positive('memory MiB ECS registers for one instance'),
  pricePerHour: nonNegative('a price per instance-hour'),
  spot: z.boolean({ message: 'expected true or false' }).default(false),
  min: whole('the group minimum'),
  max: whole('the group maximum', 1),
  initial: whole('the initial desired capacity'),
  launchSeconds: nonNegative('seconds from launch to ECS registration').default(150),
  /** Optional: the zone of every instance (for `memberOf` constraints on `ecs.availability-zone`). */
  availabilityZone: z.string().optional(),
});

const curvePoint = z.tuple([nonNegative('a minute'), nonNegative('a task count')], { message: 'expected a [minute, count] pair' });

const service = z.strictObject({
  name: z.string({ message: 'expected a service name' }).min(1, { message: 'expected a service name' }),
  cpu: nonNegative('CPU units per task'),
  memory: positive('memory MiB per task'),
  hostPorts: z.array(port, { message: 'expected a list of host ports' }).default([]),
  daemon: z.boolean({ message: 'expected true or false' }).default(false),
  minimumHealthyPercent: whole('a percentage').max(100, { message: 'expected at most 100' }).default(100),
  maximumPercent: whole('a percentage', 100).default(200),
  desired: z.array(curvePoint, { message: 'expected a list of [minute, count] points' }).default([]),
  /** Optional ECS placement constraints. */
  distinctInstance: z.boolean().optional(),
  memberOf: z.array(z.string()).optional(),
});

const job = z.strictObject({
  name: z.string().optional(),
  atMinute: nonNegative('the minute the burst is submitted'),
  count: whole('a task count', 1),
  cpu: nonNegative('CPU units per task'),
  memory: positive('memory MiB per task'),
  durationMinutes: positive('a run time in minutes'),
});

const trace = z.strictObject({
  path: z.string({ message: 'expected the path of a trace file' }),
  format: z.literal('openb', { message: 'expected "openb"' }),
  cpuScale: positive('a CPU scale factor').default(1),
  memoryScale: positive('a memory scale factor').default(1),
  startSecond: nonNegative('the trace second replayed at minute 0').default(0),
  /** Trace seconds per simulated second (10 replays ten trace seconds per second). */
  timeScale: positive('trace seconds per simulated second').default(1),
});

const storm = z.strictObject({ atMinute: nonNegative('the minute of the storm'), fraction: fraction('the fraction of Spot instances hit') });

const interruptions = z.strictObject({
  spotPerInstanceHour: nonNegative('interruption warnings per Spot instance-hour').default(0),
  storms: z.array(storm, { message: 'expected a list of storms' }).default([]),
});

const faults = z.strictObject({
  apiErrorRate: fraction('the probability an API call fails').default(0),
  duplicateEventRate: fraction('the probability an event is delivered twice').default(0),
  eventDelaySeconds: z.tuple([nonNegative('seconds'), nonNegative('seconds')], { message: 'expected [min, max] seconds' }).default([0, 0]),
});

export const scenarioSchema = z
  .strictObject({
    name: z.string({ message: 'expected a scenario name' }).min(1, { message: 'expected a scenario name' }),
    description: z.string().optional(),
    seed: whole('a seed (whole number)'),
    durationMinutes: positive('the length of the run in minutes'),
    tickSeconds: whole('seconds between scheduled ticks', 1).default(60),
    capacityGroups: z.array(capacityGroup, { message: 'expected a list of capacity groups' }).min(1, { message: 'expected at least one capacity group' }),
    services: z.array(service, { message: 'expected a list of services' }).default([]),
    jobs: z.array(job, { message: 'expected a list of job bursts' }).default([]),
    trace: trace.optional(),
    interruptions: interruptions.default({ spotPerInstanceHour: 0, storms: [] }),
    faults: faults.default({ apiErrorRate: 0, duplicateEventRate: 0, eventDelaySeconds: [0, 0] }),
    env: z.record(z.string(), z.string({ message: 'expected a string value (environment variables are strings)' })).default({}),
    /** Policies to compare (all four by default). */
    policies: z.array(z.enum(POLICY_NAMES, { message: `expected one of ${POLICY_NAMES.join(', ')}` })).min(1).optional(),
  })
  .superRefine((s, ctx) => {
    s.capacityGroups.forEach((g, i) => {
      if (g.min > g.max) ctx.addIssue({ code: 'custom', path: ['capacityGroups', i, 'min'], message: `must not exceed max (${g.min} > ${g.max})` });
      if (g.initial < g.min || g.initial > g.max) ctx.addIssue({ code: 'custom', path: ['capacityGroups', i, 'initial'], message: `must lie between min ${g.min} and max ${g.max} (got ${g.initial})` });
    });
    const names = new Set<string>();
    s.capacityGroups.forEach((g, i) => {
      if (names.has(g.name)) ctx.addIssue({ code: 'custom', path: ['capacityGroups', i, 'name'], message: `duplicate group name "${g.name}"` });
      names.add(g.name);
    });
    const services = new Set<string>();
    s.services.forEach((sv, i) => {
      if (services.has(sv.name)) ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `duplicate service name "${sv.name}"` });
      services.add(sv.name);
      if (!sv.daemon && sv.desired.length === 0) ctx.addIssue({ code: 'custom', path: ['services', i, 'desired'], message: 'expected at least one [minute, count] point for a non-daemon service' });
      for (let k = 1; k < sv.desired.length; k++) {
        const prev = sv.desired[k - 1];
        const cur = sv.desired[k];
        if (prev !== undefined && cur !== undefined && cur[0] < prev[0]) ctx.addIssue({ code: 'custom', path: ['services', i, 'desired', k], message: `minutes must not decrease (${cur[0]} after ${prev[0]})` });
      }
    });
    const [lo, hi] = s.faults.eventDelaySeconds;
    if (lo > hi) ctx.addIssue({ code: 'custom', path: ['faults', 'eventDelaySeconds'], message: `expected [min, max] with min ≤ max (got [${lo}, ${hi}])` });
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type CapacityGroupSpec = Scenario['capacityGroups'][number];
export type ServiceSpec = Scenario['services'][number];
export type JobSpec = Scenario['jobs'][number];
export type TraceSpec = NonNullable<Scenario['trace']>;

export class ScenarioError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(`invalid scenario ${source} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.join('\n- ')}`);
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(top level)' : out;
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Validate parsed JSON; throws `ScenarioError` naming every bad field. */
export function parseScenario(input: unknown, source = '(embedded)'): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `${pathText(issue.path)}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    const got = valueAt(input, issue.path);
    const shown = got === undefined ? ' (missing)' : typeof got === 'object' ? '' : ` (got ${JSON.stringify(got)})`;
    return `${pathText(issue.path)}: ${issue.message}${issue.code === 'custom' ? '' : shown}`;
  });
  throw new ScenarioError(source, problems);
}

/** Parse JSON text (reporting syntax errors as a scenario problem) and validate it. */
export function parseScenarioText(text: string, source: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(source, [`not valid JSON: ${(e as Error).message}`]);
  }
  return parseScenario(json, source);
}
