/**
 * The scenario file (docs/scenarios.md documents every field) and its
 * validation. A malformed scenario fails with one `ScenarioError` listing every problem as
 * `path: what was expected (got …)`, so a user editing JSON by hand sees which field is wrong.
 */
import { z } from 'zod';
import { BUCKET_NAMES } from '../world/throttle';
import { crossFieldProblems } from './cross-field';

export const POLICY_NAMES = ['headroom', 'ugns', 'ecs-cas', 'static-peak'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** Headroom's cluster setups the simulator can run (`cluster.headroomSetup`). */
export const HEADROOM_SETUPS = ['capacity-providers', 'plain'] as const;
export type HeadroomSetup = (typeof HEADROOM_SETUPS)[number];

const nonNegative = (what: string) => z.number({ message: `expected ${what}` }).finite({ message: `expected ${what}` }).min(0, { message: `expected ${what} (≥ 0)` });
const positive = (what: string) => z.number({ message: `expected ${what}` }).finite({ message: `expected ${what}` }).positive({ message: `expected ${what} (> 0)` });
const whole = (what: string, min = 0) => z.number({ message: `expected ${what}` }).int({ message: `expected ${what} (a whole number)` }).min(min, { message: `expected ${what} (≥ ${min})` });
const fraction = (what: string) => z.number({ message: `expected ${what}` }).min(0, { message: `expected ${what} between 0 and 1` }).max(1, { message: `expected ${what} between 0 and 1` });
const port = z.number({ message: 'expected a port number' }).int({ message: 'expected a port number' }).min(1, { message: 'expected a port number 1–65535' }).max(65535, { message: 'expected a port number 1–65535' });

const instanceTypeOverride = z.strictObject({
  instanceType: z.string({ message: 'expected an instance type such as "m5.xlarge"' }).min(1),
  cpu: positive('CPU units of one instance (1024 per vCPU)'),
  memory: positive('memory MiB ECS registers for one instance'),
  pricePerHour: nonNegative('a price per instance-hour'),
  weight: whole('the capacity units one instance counts for', 1).default(1),
});

const launchFailure = z.strictObject({ fromMinute: nonNegative('the first minute launches fail'), toMinute: nonNegative('the minute launches succeed again') });

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
  /** A mixed-instances group: launches cycle over these types; desired capacity counts weight units. */
  instanceTypes: z.array(instanceTypeOverride, { message: 'expected a list of instance types' }).min(1, { message: 'expected at least one instance type' }).optional(),
  /** Zones launches are balanced across; each instance carries `ecs.availability-zone`. */
  availabilityZones: z.array(z.string().min(1), { message: 'expected a list of zone names' }).min(1, { message: 'expected at least one zone' }).optional(),
  /**
   * Auto Scaling's AZRebalance process (on unless suspended, as on AWS): rebalances a multi-zone
   * group whose zones drift apart, for every policy (`sim/world/az-rebalance.ts`).
   */
  azRebalance: z.boolean({ message: 'expected true or false' }).default(true),
  /** Windows during which every launch of the group fails (insufficient capacity). */
  launchFailures: z.array(launchFailure, { message: 'expected a list of { fromMinute, toMinute } windows' }).default([]),
});

export const PLACEMENT_STRATEGIES = ['binpack', 'spread'] as const;
export type PlacementStrategy = (typeof PLACEMENT_STRATEGIES)[number];
const placementStrategy = z.enum(PLACEMENT_STRATEGIES, { message: `expected one of ${PLACEMENT_STRATEGIES.join(', ')}` });

const strategyItem = z.strictObject({
  capacityProvider: z.string({ message: 'expected a capacity provider (a capacity group name)' }).min(1),
  base: whole('the base task count', 0).default(0),
  weight: whole('the weight', 0).default(1),
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
  /** STOPPING → STOPPED (load balancer deregistration delay, SIGTERM grace); lost if its instance dies meanwhile. */
  stopSeconds: nonNegative('seconds a task takes to stop').default(30),
  /** `binpack` (memory) or `spread` (zones, then instances); default: `cluster.placementStrategy`. */
  placementStrategy: placementStrategy.optional(),
  /** Capacity provider strategy (only for `ecs-cas`); default: the cluster's default strategy. */
  capacityProviderStrategy: z.array(strategyItem, { message: 'expected a list of { capacityProvider, base, weight }' }).min(1).optional(),
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

const storm = z.strictObject({
  atMinute: nonNegative('the minute of the storm'),
  fraction: fraction('the fraction of Spot instances hit'),
  /** Only instances in this zone are hit. */
  availabilityZone: z.string().min(1).optional(),
});

const rebalance = z.strictObject({
  fraction: fraction('the fraction of interruptions preceded by a rebalance recommendation'),
  leadMinutes: z.tuple([nonNegative('minutes'), nonNegative('minutes')], { message: 'expected [min, max] minutes' }).default([5, 20]),
  falseAlarmsPerInstanceHour: nonNegative('recommendations never followed by an interruption, per Spot instance-hour').default(0),
});

const interruptions = z.strictObject({
  spotPerInstanceHour: nonNegative('interruption warnings per Spot instance-hour').default(0),
  storms: z.array(storm, { message: 'expected a list of storms' }).default([]),
  rebalance: rebalance.optional(),
});

/**
 * The cluster's setup, per policy. `capacityProviders` is the setup of the policies that bring none
 * of their own (ugns, static-peak): `false`, groups attached without capacity providers, so a
 * `RunTask` that does not fit fails and its submitter retries every `runTaskRetrySeconds`; `true`,
 * tasks launch through a capacity provider strategy and wait in PROVISIONING (ECS Developer Guide,
 * "Amazon ECS standalone tasks", task workflow; providers with managed scaling on and the groups'
 * AlarmNotification process suspended, as Headroom's, since ECS queues tasks only with managed
 * scaling on), up to the cluster's PROVISIONING quota (`sim/world/standalone-queue.ts`). `ecs-cas` always runs
 * with capacity providers (managed scaling on and acting). `headroomSetup` is Headroom's:
 * `capacity-providers` (the recommended deployment of docs/operations.md: a capacity provider per group with
 * managed scaling on, termination protection and draining off, as the cluster's default strategy,
 * and each group's AlarmNotification process suspended so ECS's target tracking policy never acts:
 * in the world, ECS scales nothing for Headroom) or `plain` (no capacity provider: Headroom sees
 * waiting jobs only through headroom), to compare the two.
 */
const cluster = z.strictObject({
  capacityProviders: z.boolean({ message: 'expected true or false' }).default(false),
  headroomSetup: z.enum(HEADROOM_SETUPS, { message: `expected one of ${HEADROOM_SETUPS.join(', ')}` }).default('capacity-providers'),
  runTaskRetrySeconds: positive('seconds between RunTask retries of a submitter').default(60),
  defaultCapacityProviderStrategy: z.array(strategyItem, { message: 'expected a list of { capacityProvider, base, weight }' }).min(1).optional(),
  /**
   * Placement of service tasks without their own `placementStrategy`, for every policy alike: AWS's
   * default when a service names no strategy is to spread its tasks across zones, then instances
   * (`spread`, `sim/world/placement-strategy.ts`).
   */
  placementStrategy: placementStrategy.default('spread'),
  /**
   * Headroom's setup suspends Auto Scaling's AZRebalance process on its groups (the recommended
   * setup; `false` runs Headroom with the process on, to measure what suspending it saves).
   */
  headroomSuspendsAzRebalance: z.boolean({ message: 'expected true or false' }).default(true),
});

export { TUNABLE_ENV } from './cross-field';

/** One API throttling bucket (sim/world/throttle.ts): AWS's token bucket per account and Region. */
const bucketSpec = z.strictObject({
  burst: z.number({ message: 'expected the bucket size in requests' }).finite({ message: 'expected the bucket size in requests' }).min(1, { message: 'expected the bucket size in requests (≥ 1)' }),
  ratePerSecond: positive('the refill rate in requests per second'),
});

/** Per-account API throttling, on by default with the documented buckets; `buckets` overrides some. */
const throttle = z.strictObject({
  enabled: z.boolean({ message: 'expected true or false' }).default(true),
  buckets: z.partialRecord(z.enum(BUCKET_NAMES, { message: `expected one of ${BUCKET_NAMES.join(', ')}` }), bucketSpec, { message: `expected an object keyed by bucket (${BUCKET_NAMES.join(', ')})` }).default({}),
});

const faults = z.strictObject({
  apiErrorRate: fraction('the probability an API call fails').default(0),
  duplicateEventRate: fraction('the probability an event is delivered twice').default(0),
  eventDelaySeconds: z.tuple([nonNegative('seconds'), nonNegative('seconds')], { message: 'expected [min, max] seconds' }).default([0, 0]),
  throttle: throttle.default({ enabled: true, buckets: {} }),
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
    faults: faults.default({ apiErrorRate: 0, duplicateEventRate: 0, eventDelaySeconds: [0, 0], throttle: { enabled: true, buckets: {} } }),
    cluster: cluster.default({ capacityProviders: false, headroomSetup: 'capacity-providers', runTaskRetrySeconds: 60, placementStrategy: 'spread', headroomSuspendsAzRebalance: true }),
    env: z
      .record(
        z.string(),
        z.string({ message: 'expected a string value (environment variables are strings)' }),
      )
      .default({}),
    /** Policies to compare (all four by default). */
    policies: z.array(z.enum(POLICY_NAMES, { message: `expected one of ${POLICY_NAMES.join(', ')}` })).min(1).optional(),
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type CapacityGroupSpec = Scenario['capacityGroups'][number];
export type ServiceSpec = Scenario['services'][number];
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
  const cross = crossFieldProblems(input);
  if (parsed.success && cross.length === 0) return parsed.data;
  const issues = parsed.success ? [] : parsed.error.issues;
  const problems = issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `${pathText(issue.path)}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    const got = valueAt(input, issue.path);
    const shown = got === undefined ? ' (missing)' : typeof got === 'object' ? '' : ` (got ${JSON.stringify(got)})`;
    return `${pathText(issue.path)}: ${issue.message}${issue.code === 'custom' ? '' : shown}`;
  });
  problems.push(...cross);
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
