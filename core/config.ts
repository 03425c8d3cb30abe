/**
 * Configuration: one `loadConfig(env)` that validates every variable at once and reports every
 * problem in a single `ConfigError` (fail closed: a handler with invalid configuration refuses to
 * act). Callers pass the environment object; nothing here reads the process environment.
 */
import * as z from 'zod/mini';
import { blankToUndefined, boolean, choice, integer, preprocess } from './env-values';
import { ConfigError } from './errors';
import type { Resources } from './cluster';
import { lookAlike } from './config-typos';
import { crossFieldProblems } from './config-rules';

/**
 * On a rebalance recommendation: `ignore` (metric only; `count` is accepted as its older name),
 * `replace` (launch the replacement now, drain on the interruption warning), `move` (launch the
 * replacement and move the service tasks now; standalone tasks run on until the interruption
 * warning, and the instance leaves once they are done), `drain` (drain now, like an interruption
 * warning). See docs/decisions.md.
 */
export type RebalancePolicy = 'ignore' | 'replace' | 'move' | 'drain';
export type StandaloneTaskPolicy = 'stop' | 'wait';

export interface Config {
  readonly clusterName: string;
  /** Capacity groups in priority order. */
  readonly asgNames: readonly string[];
  readonly drainQueueUrl?: string;
  /** The stack's AWS account (from the drain queue URL): events of other accounts are dropped. */
  readonly account?: string;
  /** The terminate lifecycle hook the stack creates on every group: the only hook Headroom completes. */
  readonly hookName: string;
  /** Reference task shape, or `auto` (largest reservation among services). */
  readonly taskShape: Resources | 'auto';
  readonly shortageThreshold: number;
  readonly excessThreshold: number;
  readonly scaleInStabilizationSeconds: number;
  readonly maxScaleInPercent: number;
  readonly maxScaleOutStep: number;
  readonly drainTimeoutSeconds: number;
  readonly drainCheckSeconds: number;
  readonly metricsNamespace: string;
  readonly dryRun: boolean;
  /** What to do on `EC2 Instance Rebalance Recommendation`: only count it, or drain like an interruption. */
  readonly rebalancePolicy: RebalancePolicy;
  /** At the drain timeout: stop standalone tasks still running (`stop`), or leave them to the termination (`wait`). */
  readonly standaloneTaskPolicy: StandaloneTaskPolicy;
  /** A group whose launch failed is skipped for this long. */
  readonly groupBackoffSeconds: number;
  /** Whether scale-in runs at all (scale-out and drains always do). */
  readonly scaleInEnabled: boolean;
  /** HeartbeatTimeout of the terminate lifecycle hooks (the stack creates them with this value). */
  readonly hookHeartbeatSeconds: number;
  /** A launched instance that has not registered with ECS after this long no longer counts as incoming capacity. */
  readonly provisioningTimeoutSeconds: number;
  /** Storm insurance: keep room to re-home the tasks of this many of the fullest Spot instances at once. */
  readonly spotReserveInstances: number;
  /** On small clusters the spare (shortage threshold) is at most this percentage of the work, in reference tasks (`spare.ts`); 100 turns the cap off. */
  readonly sparePercent: number;
  /** Cost cap of the storm reserve: the room it insures is at most this percentage of the fleet's CPU and memory (`reserve.ts`). */
  readonly spotReservePercent: number;
  /** How long a scale-in drain waits for standalone tasks before the instance returns to service; it is then not drained again for as long (`consolidation.ts`). */
  readonly scaleInWaitSeconds: number;
}

export interface LoadOptions {
  /** Handlers that enqueue drain checks need `DRAIN_QUEUE_URL`. */
  readonly requireDrainQueue?: boolean;
}

/** Documented defaults (README configuration table). */
export const DEFAULTS = {
  TASK_CPU: 'auto',
  TASK_MEMORY: 'auto',
  SHORTAGE_THRESHOLD: 1,
  EXCESS_THRESHOLD: 4,
  SCALE_IN_STABILIZATION_SECONDS: 300,
  MAX_SCALE_IN_PERCENT: 10,
  MAX_SCALE_OUT_STEP: 50,
  DRAIN_TIMEOUT_SECONDS: 900,
  DRAIN_CHECK_SECONDS: 30,
  METRICS_NAMESPACE: 'Headroom',
  DRY_RUN: false,
  REBALANCE_POLICY: 'move',
  STANDALONE_TASK_POLICY: 'stop',
  GROUP_BACKOFF_SECONDS: 300,
  SCALE_IN_ENABLED: true,
  HOOK_HEARTBEAT_SECONDS: 600,
  PROVISIONING_TIMEOUT_SECONDS: 600,
  SPOT_RESERVE_INSTANCES: 2,
  SPARE_PERCENT: 100,
  SPOT_RESERVE_PERCENT: 30,
  SCALE_IN_WAIT_SECONDS: 3600,
  HOOK_NAME: 'headroom-drain',
} as const;

const shapeDimension = preprocess(
  (v) => blankToUndefined(v) ?? 'auto',
  z.union(
    [
      z.literal('auto'),
      z.pipe(
        z.string().check(z.regex(/^\d+$/, { message: "expected a positive whole number or 'auto'" })),
        z.pipe(z.transform(Number), z.number().check(z.int({ message: "expected a positive whole number or 'auto'" }), z.positive({ message: "expected a positive whole number or 'auto'" }))),
      ),
    ],
    { message: "expected a positive whole number or 'auto'" },
  ),
);

const names = preprocess(
  blankToUndefined,
  z.pipe(
    z.pipe(
      z.string({ message: 'required (comma-separated Auto Scaling group names)' }),
      z.transform((s: string) => s.split(',').map((n) => n.trim()).filter((n) => n !== '')),
    ),
    z
      .array(
        z.string().check(
          z.regex(/^[\w\-.:/@+= ]{1,255}$/, { message: 'not a valid Auto Scaling group name' }),
          // Names, not ARNs or patterns: IAM scoping, the lifecycle rule and the hooks use them verbatim.
          z.refine((n: string) => !n.startsWith('arn:'), { message: 'expected group names, not ARNs' }),
        ),
      )
      .check(
        z.minLength(1, { message: 'required (comma-separated Auto Scaling group names)' }),
        z.refine((a: string[]) => new Set(a).size === a.length, { message: 'lists a group twice' }),
      ),
  ),
);

/**
 * An SQS queue URL, both forms SQS answers (`https://sqs.<region>.amazonaws.com/<account>/<name>`,
 * and the legacy `https://<region>.queue.amazonaws.com/…`); `.cn` in the China partition.
 */
const SQS_QUEUE_URL = /^https:\/\/(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?\/(\d{12})\/[A-Za-z0-9_-]{1,80}(?:\.fifo)?$/;

const schema = z.object({
  CLUSTER_NAME: preprocess(
    blankToUndefined,
    z.string({ message: 'required (the ECS cluster name)' }).check(z.regex(/^[A-Za-z0-9_-]{1,255}$/, { message: 'not a valid ECS cluster name (letters, digits, - and _, up to 255)' })),
  ),
  ASG_NAMES: names,
  DRAIN_QUEUE_URL: preprocess(blankToUndefined, z.optional(z.string().check(z.regex(SQS_QUEUE_URL, { message: 'not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>)' })))),
  TASK_CPU: shapeDimension,
  TASK_MEMORY: shapeDimension,
  SHORTAGE_THRESHOLD: integer(0, 100_000, DEFAULTS.SHORTAGE_THRESHOLD),
  EXCESS_THRESHOLD: integer(0, 1_000_000, DEFAULTS.EXCESS_THRESHOLD),
  SCALE_IN_STABILIZATION_SECONDS: integer(0, 86_400, DEFAULTS.SCALE_IN_STABILIZATION_SECONDS),
  MAX_SCALE_IN_PERCENT: integer(1, 100, DEFAULTS.MAX_SCALE_IN_PERCENT),
  MAX_SCALE_OUT_STEP: integer(1, 10_000, DEFAULTS.MAX_SCALE_OUT_STEP),
  DRAIN_TIMEOUT_SECONDS: integer(30, 172_800, DEFAULTS.DRAIN_TIMEOUT_SECONDS),
  DRAIN_CHECK_SECONDS: integer(5, 900, DEFAULTS.DRAIN_CHECK_SECONDS),
  METRICS_NAMESPACE: preprocess(
    (v) => blankToUndefined(v) ?? DEFAULTS.METRICS_NAMESPACE,
    z.string().check(
      z.regex(/^[^:][^:]{0,254}$/, { message: 'not a valid CloudWatch namespace (1–255 characters, no colon)' }),
      z.refine((s: string) => !s.startsWith('AWS/'), { message: "must not start with 'AWS/' (reserved)" }),
    ),
  ),
  DRY_RUN: boolean(DEFAULTS.DRY_RUN),
  REBALANCE_POLICY: preprocess((v: unknown) => (typeof v === 'string' && v.trim().toLowerCase() === 'count' ? 'ignore' : v), choice<RebalancePolicy>(['ignore', 'replace', 'move', 'drain'], DEFAULTS.REBALANCE_POLICY)),
  STANDALONE_TASK_POLICY: choice(['stop', 'wait'], DEFAULTS.STANDALONE_TASK_POLICY),
  GROUP_BACKOFF_SECONDS: integer(0, 86_400, DEFAULTS.GROUP_BACKOFF_SECONDS),
  SCALE_IN_ENABLED: boolean(DEFAULTS.SCALE_IN_ENABLED),
  HOOK_HEARTBEAT_SECONDS: integer(30, 7200, DEFAULTS.HOOK_HEARTBEAT_SECONDS),
  PROVISIONING_TIMEOUT_SECONDS: integer(60, 3600, DEFAULTS.PROVISIONING_TIMEOUT_SECONDS),
  SPOT_RESERVE_INSTANCES: integer(0, 1000, DEFAULTS.SPOT_RESERVE_INSTANCES),
  SPARE_PERCENT: integer(0, 100, DEFAULTS.SPARE_PERCENT),
  SPOT_RESERVE_PERCENT: integer(0, 100, DEFAULTS.SPOT_RESERVE_PERCENT),
  SCALE_IN_WAIT_SECONDS: integer(60, 30 * 86_400, DEFAULTS.SCALE_IN_WAIT_SECONDS),
  // Lifecycle hook names: 1–255 characters of [A-Za-z0-9\-_/] (API reference: PutLifecycleHook).
  HOOK_NAME: preprocess(
    (v) => blankToUndefined(v) ?? DEFAULTS.HOOK_NAME,
    z.string().check(z.regex(/^[A-Za-z0-9\-_/]{1,255}$/, { message: 'not a valid lifecycle hook name (letters, digits, -, _ and /, up to 255)' })),
  ),
});

/** Names the platform sets that we read or must leave alone without comment. */
const PLATFORM = new Set(['AWS_REGION']);

/** The variables Headroom reads. */
export const KNOWN_VARIABLES: readonly string[] = Object.keys(schema.shape);

type Values = z.output<typeof schema>;
/** One variable's value when it is valid on its own, whatever the others are. */
type Field = <K extends keyof typeof schema.shape>(name: K) => Values[K] | undefined;

/** Each schema issue, naming its variable and the value it got. */
function schemaProblems(issues: readonly z.core.$ZodIssue[], env: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  for (const issue of issues) {
    const name = String(issue.path[0] ?? 'environment');
    const value = env[name];
    problems.push(`${name}: ${issue.message}${value !== undefined && value.trim() !== '' ? ` (got ${JSON.stringify(value)})` : ''}`);
  }
  return problems;
}

/** The drain queue: required by some handlers, and in the function's own region. */
function queueProblems(env: Readonly<Record<string, string | undefined>>, field: Field, options: LoadOptions): { problems: string[]; queueMatch: RegExpExecArray | null } {
  const problems: string[] = [];
  if (options.requireDrainQueue === true && (env.DRAIN_QUEUE_URL ?? '').trim() === '') {
    problems.push('DRAIN_QUEUE_URL: required by this handler (the SQS queue for delayed drain checks)');
  }
  const queue = field('DRAIN_QUEUE_URL');
  const queueMatch = queue !== undefined ? SQS_QUEUE_URL.exec(queue) : null;
  const queueRegion = queueMatch?.[1] ?? queueMatch?.[2];
  const region = env.AWS_REGION?.trim();
  if (queueRegion !== undefined && region !== undefined && region !== '' && queueRegion !== region) {
    problems.push(`DRAIN_QUEUE_URL: a queue of region ${queueRegion}, not the function's region ${region} (SQS event source mappings and the queue policy expect the stack's own queue)`);
  }
  return { problems, queueMatch };
}

/** Variables that look like a misspelt known one. */
function unknownVariableProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    const meant = PLATFORM.has(name) ? undefined : lookAlike(name, KNOWN_VARIABLES);
    if (meant !== undefined) problems.push(`${name}: unknown variable; did you mean ${meant}? Known variables: ${KNOWN_VARIABLES.join(', ')}`);
  }
  return problems;
}

function toConfig(v: Values, queueMatch: RegExpExecArray | null): Config {
  return {
    clusterName: v.CLUSTER_NAME,
    asgNames: v.ASG_NAMES,
    ...(v.DRAIN_QUEUE_URL !== undefined ? { drainQueueUrl: v.DRAIN_QUEUE_URL } : {}),
    ...(queueMatch?.[3] !== undefined ? { account: queueMatch[3] } : {}),
    hookName: v.HOOK_NAME,
    taskShape: v.TASK_CPU === 'auto' || v.TASK_MEMORY === 'auto' ? 'auto' : { cpu: v.TASK_CPU, memory: v.TASK_MEMORY },
    shortageThreshold: v.SHORTAGE_THRESHOLD,
    excessThreshold: v.EXCESS_THRESHOLD,
    scaleInStabilizationSeconds: v.SCALE_IN_STABILIZATION_SECONDS,
    maxScaleInPercent: v.MAX_SCALE_IN_PERCENT,
    maxScaleOutStep: v.MAX_SCALE_OUT_STEP,
    drainTimeoutSeconds: v.DRAIN_TIMEOUT_SECONDS,
    drainCheckSeconds: v.DRAIN_CHECK_SECONDS,
    metricsNamespace: v.METRICS_NAMESPACE,
    dryRun: v.DRY_RUN,
    rebalancePolicy: v.REBALANCE_POLICY,
    standaloneTaskPolicy: v.STANDALONE_TASK_POLICY,
    groupBackoffSeconds: v.GROUP_BACKOFF_SECONDS,
    scaleInEnabled: v.SCALE_IN_ENABLED,
    hookHeartbeatSeconds: v.HOOK_HEARTBEAT_SECONDS,
    provisioningTimeoutSeconds: v.PROVISIONING_TIMEOUT_SECONDS,
    spotReserveInstances: v.SPOT_RESERVE_INSTANCES,
    sparePercent: v.SPARE_PERCENT,
    spotReservePercent: v.SPOT_RESERVE_PERCENT,
    scaleInWaitSeconds: v.SCALE_IN_WAIT_SECONDS,
  };
}

/**
 * Validate the whole environment and return the configuration, or throw one `ConfigError` whose
 * `problems` name every bad variable (not just the first).
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, options: LoadOptions = {}): Config {
  const parsed = schema.safeParse(env);
  const v = parsed.data;
  // Cross-field checks read every variable that is valid on its own, so they are listed together
  // with the problems of other variables (not only once everything else is fixed).
  const field: Field = (name) => {
    if (v !== undefined) return v[name];
    const r = schema.shape[name].safeParse(env[name]);
    return r.success ? (r.data as Values[typeof name]) : undefined;
  };
  const queue = queueProblems(env, field, options);
  const problems = [...(parsed.success ? [] : schemaProblems(parsed.error.issues, env)), ...crossFieldProblems({
    taskCpu: field('TASK_CPU'),
    taskMemory: field('TASK_MEMORY'),
    shortage: field('SHORTAGE_THRESHOLD'),
    excess: field('EXCESS_THRESHOLD'),
    check: field('DRAIN_CHECK_SECONDS'),
    timeout: field('DRAIN_TIMEOUT_SECONDS'),
    heartbeat: field('HOOK_HEARTBEAT_SECONDS'),
  }), ...queue.problems, ...unknownVariableProblems(env)];
  if (problems.length > 0 || v === undefined) throw new ConfigError(problems);
  return toConfig(v, queue.queueMatch);
}
