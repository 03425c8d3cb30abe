/**
 * Ports over a saved cluster snapshot (a JSON file in the model's own terms: container instances
 * with their tasks, services, Auto Scaling groups), for running a handler on a laptop without AWS:
 * `serverless invoke local` uses them (see deploy/validate-params.cjs) with the sample
 * events in `events/`. Reads come from the snapshot; every write is logged as "would …" and
 * recorded, never sent anywhere. The runtime forces DRY_RUN whenever these ports are used.
 */
import { readFileSync } from 'node:fs';
// zod/mini: the schema ships in every function's bundle, and the full zod would add ~400 KB.
import * as z from 'zod/mini';
import type { Instance, Service, TaskShape } from '../../core/cluster';
import { ConfigError } from '../../core/errors';
import type { Logger, Ports, GroupState } from './ports';

export interface Snapshot {
  readonly instances: Instance[];
  readonly services: Service[];
  readonly groups: GroupState[];
  readonly waiting?: TaskShape[];
  /** EC2 instance ids with a pending terminate lifecycle action. */
  readonly pendingHooks?: string[];
  /** `SchedulableTasks` samples for the scale-in stabilisation window (minutes before now). */
  readonly schedulableHistory?: Array<{ minutesAgo: number; value: number }>;
}

// The edge check: the top-level shape and the fields the handlers index by; the rest is the
// model's own types (core/cluster.ts), written by hand or saved from a real read.
const resources = z.object({ cpu: z.number(), memory: z.number() });
const snapshotSchema = z.object({
  instances: z.array(z.looseObject({ id: z.string(), status: z.string(), registered: resources, remaining: resources, tasks: z.array(z.looseObject({ id: z.string() })) })),
  services: z.array(z.looseObject({ name: z.string() })),
  groups: z.array(z.looseObject({ name: z.string(), min: z.number(), max: z.number(), desired: z.number(), members: z.array(z.looseObject({ instanceId: z.string(), lifecycleState: z.string() })) })),
  waiting: z.optional(z.array(z.looseObject({ cpu: z.number(), memory: z.number() }))),
  pendingHooks: z.optional(z.array(z.string())),
  schedulableHistory: z.optional(z.array(z.object({ minutesAgo: z.number(), value: z.number() }))),
});

export function readSnapshot(path: string): Snapshot {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`HEADROOM_SNAPSHOT: cannot read ${path}: ${(error as Error).message}`]);
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `HEADROOM_SNAPSHOT ${path}: ${i.path.join('.')}: ${i.message}`));
  return parsed.data as unknown as Snapshot;
}

/** Ports that read `snapshot` and only log what they would change. `now` is the caller's clock. */
export function snapshotPorts(snapshot: Snapshot, log: Logger, now: () => number): Ports {
  const would = (what: string, data: Record<string, unknown>): void => log.info(`snapshot: would ${what}`, data);
  const pending = new Set(snapshot.pendingHooks ?? []);
  return {
    ecs: {
      snapshot: async () => ({ instances: snapshot.instances, services: snapshot.services, ...(snapshot.waiting !== undefined ? { waiting: snapshot.waiting } : {}) }),
      tasksOf: async (arns) => ({ byInstance: new Map(snapshot.instances.filter((i) => i.arn !== undefined && arns.includes(i.arn)).map((i) => [i.arn as string, [...(i.tasks ?? [])]])) }),
      findInstances: async (ids) => snapshot.instances.filter((i) => ids.includes(i.id)),
      setStatus: async (arns, status) => {
        would('set container instances', { arns, status });
        return { changed: [...arns], refused: [] };
      },
      setAttribute: async (arns, name, value) => {
        would('set attribute', { arns, name, value });
        return [...arns];
      },
      stopTasks: async (taskIds, reason) => would('stop tasks', { taskIds, reason }),
    },
    autoScaling: {
      describeGroups: async (names) => snapshot.groups.filter((g) => names.includes(g.name)),
      lifecycleStates: async (ids) => new Map(snapshot.groups.flatMap((g) => g.members.filter((m) => ids.includes(m.instanceId)).map((m) => [m.instanceId, { group: g.name, lifecycleState: m.lifecycleState }] as const))),
      setDesiredCapacity: async (group, desired) => would('set desired capacity', { group, desired }),
      terminateInstance: async (instanceId, decrementDesired) => {
        would('terminate instance', { instanceId, decrementDesired });
        return snapshot.groups.some((g) => g.members.some((m) => m.instanceId === instanceId)) ? 'ok' : 'gone';
      },
      heartbeat: async (hook) => (pending.has(hook.instanceId) ? 'ok' : 'gone'),
      completeLifecycleAction: async (hook) => {
        would('complete lifecycle action', { ...hook });
        return pending.has(hook.instanceId) ? 'ok' : 'gone';
      },
    },
    // The snapshot carries its groups' instance types; nothing else is looked up.
    catalog: {
      launchTemplate: async () => ({}),
      instanceTypes: async () => new Map(),
    },
    queue: { enqueue: async (check, delaySeconds) => would('enqueue drain check', { check, delaySeconds }) },
    metrics: {
      publish: async (datums) => log.info('snapshot: metrics', Object.fromEntries(datums.map((d) => [d.name, d.value]))),
      history: async (_name, from, to) =>
        (snapshot.schedulableHistory ?? []).map((s) => ({ at: now() - s.minutesAgo * 60_000, value: s.value })).filter((s) => s.at >= from && s.at <= to),
    },
    log,
    now,
  };
}
