/**
 * Event parsing at the edge: a registry keyed by `source` + `detail-type`, one zod schema per
 * entry, so every handler sees our own event shapes and never a raw payload. Unknown events become
 * `{ kind: 'ignored' }` (the handler logs one line and drops them); a known event that does not
 * match its schema becomes `{ kind: 'malformed' }` (also logged and dropped: retrying cannot fix it).
 *
 * Accepted payloads:
 * - EventBridge: `Scheduled Event`; `ECS Service Action` (`SERVICE_TASK_PLACEMENT_FAILURE`);
 *   `ECS Task State Change` with `lastStatus` PROVISIONING (a task waiting for capacity);
 *   `EC2 Spot Instance Interruption Warning`; `EC2 Instance Rebalance Recommendation`;
 *   `EC2 Instance-terminate Lifecycle Action` (and `-launch`, parsed so it can be dropped by name).
 * - Auto Scaling notification bodies delivered to SQS directly (flat JSON with `LifecycleTransition`,
 *   `EC2InstanceId`, … or `Event: autoscaling:TEST_NOTIFICATION`), or wrapped by SNS
 *   (`{ "Type": "Notification", "Message": "<the flat JSON as a string>" }`).
 *
 * Pure: no I/O, no clock. The ARN in `resources` of EC2 events is never parsed (its format varies);
 * the instance id comes from `detail["instance-id"]`.
 */
import * as z from 'zod/mini';

export type InstanceAction = 'terminate' | 'stop' | 'hibernate';

/**
 * `account`: the AWS account the event came from (EventBridge `account`, Auto Scaling notification
 * `AccountId`), so handlers drop events of other accounts.
 */
export type ParsedEvent =
  | { readonly kind: 'schedule'; readonly time?: number; readonly account?: string }
  | { readonly kind: 'placement-failure'; readonly clusterArn: string; readonly clusterName: string; readonly reason?: string; readonly time?: number; readonly account?: string }
  | { readonly kind: 'task-provisioning'; readonly clusterArn: string; readonly clusterName: string; readonly time?: number; readonly account?: string }
  | { readonly kind: 'spot-interruption'; readonly instanceId: string; readonly action: InstanceAction; readonly time?: number; readonly account?: string }
  | { readonly kind: 'rebalance'; readonly instanceId: string; readonly time?: number; readonly account?: string }
  | {
      readonly kind: 'lifecycle';
      readonly group: string;
      readonly hookName: string;
      readonly instanceId: string;
      readonly token?: string;
      /** `autoscaling:EC2_INSTANCE_TERMINATING` or `autoscaling:EC2_INSTANCE_LAUNCHING`. */
      readonly transition: string;
      /** Warm pools: `WarmPool` when the instance goes back to the pool (stopped, not terminated). */
      readonly destination?: string;
      readonly time?: number;
      /** Where it came from: an EventBridge event or an Auto Scaling notification body (SQS/SNS). */
      readonly via: 'eventbridge' | 'notification';
      readonly account?: string;
    }
  | { readonly kind: 'test-notification'; readonly group?: string }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'malformed'; readonly reason: string };

export const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
export const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';

/** Epoch ms of an ISO time, or undefined when absent or unreadable. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}

/** Field values are taken as sent (never trimmed): a padded name is not the configured name. */
const nonEmpty = z.string().check(z.minLength(1));
const instanceId = z.string().check(z.regex(/^i-[0-9a-zA-Z]+$/, { message: 'expected an EC2 instance id (i-…)' }));

const envelope = z.object({
  source: z.string(),
  'detail-type': z.string(),
  time: z.optional(z.string()),
  account: z.optional(z.string()),
  detail: z.unknown(),
});

type Envelope = z.infer<typeof envelope>;
type Entry = (e: Envelope) => ParsedEvent;

const lifecycleFields = z.object({
  AutoScalingGroupName: nonEmpty,
  LifecycleHookName: nonEmpty,
  EC2InstanceId: instanceId,
  LifecycleActionToken: z.optional(z.string()),
  LifecycleTransition: nonEmpty,
  Destination: z.optional(z.string()),
  Origin: z.optional(z.string()),
  NotificationMetadata: z.optional(z.string()),
  AccountId: z.optional(z.string()),
});

function lifecycle(fields: z.infer<typeof lifecycleFields>, time: number | undefined, via: 'eventbridge' | 'notification', account: string | undefined): ParsedEvent {
  return {
    kind: 'lifecycle',
    group: fields.AutoScalingGroupName,
    hookName: fields.LifecycleHookName,
    instanceId: fields.EC2InstanceId,
    ...(fields.LifecycleActionToken !== undefined && fields.LifecycleActionToken !== '' ? { token: fields.LifecycleActionToken } : {}),
    transition: fields.LifecycleTransition,
    ...(fields.Destination !== undefined ? { destination: fields.Destination } : {}),
    ...(time !== undefined ? { time } : {}),
    via,
    ...(account !== undefined ? { account } : {}),
  };
}

function schemaError(what: string, error: z.core.$ZodError): ParsedEvent {
  const first = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { kind: 'malformed', reason: `${what}: ${first.join('; ')}` };
}

const spotDetail = z.object({ 'instance-id': instanceId, 'instance-action': z.optional(z.string()) });
const rebalanceDetail = z.object({ 'instance-id': instanceId });
const clusterArn = z.string().check(z.regex(/^arn:[\w-]+:ecs:[\w-]*:\d*:cluster\/[A-Za-z0-9_-]+$/, { message: 'expected an ECS cluster ARN' }));
const serviceActionDetail = z.object({
  eventName: nonEmpty,
  clusterArn,
  // ECS sends one `reason` string, e.g. "RESOURCE:MEMORY" (ECS developer guide, "Amazon ECS service
  // action events": the SERVICE_TASK_PLACEMENT_FAILURE example).
  reason: z.optional(z.string()),
});

/**
 * `ECS Task State Change`: RunTask and the service scheduler starting a task cause one (ECS
 * Developer Guide, "Amazon ECS task state change events"), and a new task starts in PROVISIONING
 * while ECS looks for capacity (ECS Developer Guide, "Amazon ECS standalone tasks", task
 * workflow). PROVISIONING also covers other work before launch: "for tasks that use the awsvpc
 * network mode, the elastic network interface needs to be provisioned" (ECS Developer Guide,
 * "Amazon ECS task lifecycle"), and Fargate tasks pass through it too. So a PROVISIONING task that
 * already has a container instance (`containerInstanceArn`, the detail being the task as
 * DescribeTasks returns it) or runs on Fargate (`launchType` or capacity provider FARGATE /
 * FARGATE_SPOT) waits for no EC2 capacity: ignored, not a tick.
 */
const taskStateDetail = z.object({
  clusterArn,
  lastStatus: nonEmpty,
  containerInstanceArn: z.optional(z.string()),
  launchType: z.optional(z.string()),
  capacityProviderName: z.optional(z.string()),
});

function clusterNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The registry: `source|detail-type` → parser of that event's detail. */
const REGISTRY: ReadonlyMap<string, Entry> = new Map<string, Entry>([
  ['aws.events|Scheduled Event', (e) => ({ kind: 'schedule', ...timeOf(e), ...accountOf(e) })],
  [
    'aws.ecs|ECS Service Action',
    (e) => {
      const d = serviceActionDetail.safeParse(e.detail);
      if (!d.success) return schemaError('ECS Service Action', d.error);
      if (d.data.eventName !== 'SERVICE_TASK_PLACEMENT_FAILURE') return { kind: 'ignored', reason: `ECS Service Action ${d.data.eventName} is not a placement failure` };
      const clusterName = clusterNameOf(d.data.clusterArn);
      return { kind: 'placement-failure', clusterArn: d.data.clusterArn, clusterName, ...(d.data.reason !== undefined ? { reason: d.data.reason } : {}), ...timeOf(e), ...accountOf(e) };
    },
  ],
  [
    'aws.ecs|ECS Task State Change',
    (e) => {
      const d = taskStateDetail.safeParse(e.detail);
      if (!d.success) return schemaError('ECS Task State Change', d.error);
      if (d.data.lastStatus !== 'PROVISIONING') return { kind: 'ignored', reason: `ECS Task State Change to ${d.data.lastStatus} is not a task waiting for capacity` };
      if (d.data.containerInstanceArn !== undefined && d.data.containerInstanceArn !== '') return { kind: 'ignored', reason: 'PROVISIONING task already placed on a container instance (its network interface is being attached), not waiting for capacity' };
      if (d.data.launchType === 'FARGATE' || d.data.capacityProviderName === 'FARGATE' || d.data.capacityProviderName === 'FARGATE_SPOT') return { kind: 'ignored', reason: 'PROVISIONING Fargate task: waits for no EC2 capacity' };
      return { kind: 'task-provisioning', clusterArn: d.data.clusterArn, clusterName: clusterNameOf(d.data.clusterArn), ...timeOf(e), ...accountOf(e) };
    },
  ],
  [
    'aws.ec2|EC2 Spot Instance Interruption Warning',
    (e) => {
      const d = spotDetail.safeParse(e.detail);
      if (!d.success) return schemaError('EC2 Spot Instance Interruption Warning', d.error);
      const raw = d.data['instance-action']?.toLowerCase();
      // `stop` and `hibernate` take the instance away just the same; anything unreadable is treated as terminate.
      const action: InstanceAction = raw === 'stop' || raw === 'hibernate' ? raw : 'terminate';
      return { kind: 'spot-interruption', instanceId: d.data['instance-id'], action, ...timeOf(e), ...accountOf(e) };
    },
  ],
  [
    'aws.ec2|EC2 Instance Rebalance Recommendation',
    (e) => {
      const d = rebalanceDetail.safeParse(e.detail);
      if (!d.success) return schemaError('EC2 Instance Rebalance Recommendation', d.error);
      return { kind: 'rebalance', instanceId: d.data['instance-id'], ...timeOf(e), ...accountOf(e) };
    },
  ],
  ['aws.autoscaling|EC2 Instance-terminate Lifecycle Action', lifecycleEntry('EC2 Instance-terminate Lifecycle Action')],
  ['aws.autoscaling|EC2 Instance-launch Lifecycle Action', lifecycleEntry('EC2 Instance-launch Lifecycle Action')],
]);

function lifecycleEntry(name: string): Entry {
  return (e) => {
    const d = lifecycleFields.safeParse(e.detail);
    if (!d.success) return schemaError(name, d.error);
    return lifecycle(d.data, parseTime(e.time), 'eventbridge', e.account ?? d.data.AccountId);
  };
}

function accountOf(e: Envelope): { account?: string } {
  return e.account !== undefined ? { account: e.account } : {};
}

function timeOf(e: Envelope): { time?: number } {
  const t = parseTime(e.time);
  return t !== undefined ? { time: t } : {};
}

/** Parse one EventBridge event. */
export function parseEventBridge(event: unknown): ParsedEvent {
  const e = envelope.safeParse(event);
  if (!e.success) return { kind: 'malformed', reason: 'not an EventBridge event (source, detail-type and detail expected)' };
  const entry = REGISTRY.get(`${e.data.source}|${e.data['detail-type']}`);
  if (entry === undefined) return { kind: 'ignored', reason: `unknown event ${e.data.source} / ${e.data['detail-type']}` };
  return entry(e.data);
}

const testNotification = z.object({ Event: z.literal('autoscaling:TEST_NOTIFICATION'), AutoScalingGroupName: z.optional(z.string()) });
const snsWrapper = z.object({ Type: z.literal('Notification'), Message: z.string() });

/**
 * Parse an Auto Scaling lifecycle notification body (the SQS message body of a hook whose
 * notification target is a queue, or of an SNS topic subscribed by a queue). Accepts the JSON
 * string or the parsed object.
 */
export function parseNotificationBody(body: unknown, depth = 0): ParsedEvent {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { kind: 'malformed', reason: 'message body is not JSON' };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'malformed', reason: 'message body is not a JSON object' };
  const sns = snsWrapper.safeParse(value);
  if (sns.success) return depth === 0 ? parseNotificationBody(sns.data.Message, 1) : { kind: 'malformed', reason: 'nested SNS envelope' };
  const test = testNotification.safeParse(value);
  if (test.success) return { kind: 'test-notification', ...(test.data.AutoScalingGroupName !== undefined ? { group: test.data.AutoScalingGroupName } : {}) };
  const record = value as Record<string, unknown>;
  // An EventBridge event delivered through a queue.
  if (typeof record.source === 'string' && typeof record['detail-type'] === 'string') return parseEventBridge(value);
  if (!('LifecycleTransition' in record)) return { kind: 'ignored', reason: 'not an Auto Scaling lifecycle notification' };
  const d = lifecycleFields.safeParse(value);
  if (!d.success) return schemaError('lifecycle notification', d.error);
  return lifecycle(d.data, parseTime(record.Time), 'notification', d.data.AccountId);
}

/** Why an event is dropped for coming from another account than the stack's (undefined: keep it). */
export function foreignAccount(parsed: ParsedEvent, account: string | undefined): string | undefined {
  const from = 'account' in parsed ? parsed.account : undefined;
  return account !== undefined && from !== undefined && from !== account ? `event from account ${from}, not the stack account ${account}` : undefined;
}

/** A Lambda SQS envelope (`Records[].body` strings), recognised structurally. */
export function isSqsEnvelope(event: unknown): event is { Records: Array<{ messageId: string; body: string }> } {
  if (typeof event !== 'object' || event === null) return false;
  const records = (event as { Records?: unknown }).Records;
  return (
    Array.isArray(records) &&
    records.every((r) => typeof r === 'object' && r !== null && typeof (r as { messageId?: unknown }).messageId === 'string' && typeof (r as { body?: unknown }).body === 'string')
  );
}
