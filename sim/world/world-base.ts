/**
 * The base of a simulated world: the clock and its agenda, the instance registry, the API meter,
 * the counters every part adds to and the debug log. The parts build on it in layers, one file per
 * concern: `standalone-queue.ts` (RunTask and the PROVISIONING queue), `ecs-world.ts` and
 * `ecs-scheduler.ts` (ECS tasks and the ECS schedulers), `auto-scaling-world.ts` (groups, launches,
 * lifecycle hooks), `world.ts` (the run loop, Spot, metering of the run).
 */
import { EventQueue } from './event-queue';
import type { LowerBound } from '../run/lower-bound';
import { Meter } from './metering';
import type { Policy } from '../policies/policy';
import { Prng } from './prng';
import type { Scenario } from '../scenario/scenario';
import { ApiThrottle, type ApiAction } from './throttle';
import type { Resources } from '../../core/cluster';
import type { GroupRuntime, Loss, SimInstance, SimTask } from './world-types';
import type { Submission } from '../scenario/workload';

/** Epoch ms of simulated minute 0 (a Monday, 00:00 UTC): handlers see realistic timestamps. */
export const EPOCH = Date.UTC(2025, 0, 6);
export const ECS_RESERVED_PORTS = [22, 2375, 2376, 51678, 51679] as const;
/** PENDING → RUNNING (image pull, container start). */
export const TASK_START_SECONDS = 20;
/** STOPPING → STOPPED for service tasks (load balancer deregistration, SIGTERM grace). */
export const TASK_STOP_SECONDS = 30;
/** ECS emits SERVICE_TASK_PLACEMENT_FAILURE again at most this often per service (our assumption). */
export const PLACEMENT_FAILURE_REPEAT_SECONDS = 300;
/** Time-series sampling interval for the report. */
export const SAMPLE_SECONDS = 60;

export type WorldEvent =
  | { kind: 'register'; instance: SimInstance }
  | { kind: 'task-running'; task: SimTask }
  | { kind: 'task-stopped'; task: SimTask }
  | { kind: 'task-done'; task: SimTask }
  | { kind: 'submit'; submission: Submission }
  | { kind: 'desired' }
  | { kind: 'wake' }
  | { kind: 'reconcile'; group: GroupRuntime }
  | { kind: 'spot-terminate'; instance: SimInstance }
  | { kind: 'hook-timeout'; instance: SimInstance }
  | { kind: 'sample' }
  | { kind: 'call'; label: string; run: () => void | Promise<void> };

export interface WorldOptions {
  readonly scenario: Scenario;
  readonly submissions: readonly Submission[];
  readonly policy: Policy;
  /** Drain timeout and check interval defining a stuck instance (the headroom configuration). */
  readonly stuckAfterSeconds: number;
  /** Reference shape for the headroom series. */
  readonly referenceShape: Resources;
  /** The scenario's lower bound (the same for every policy). */
  readonly lowerBound: LowerBound;
  readonly onProgress?: (fraction: number) => void;
}

export class WorldBase {
  readonly scenario: Scenario;
  readonly policy: Policy;
  readonly end: number;
  readonly instances: SimInstance[] = [];
  protected readonly alive = new Set<SimInstance>();
  protected readonly byId = new Map<string, SimInstance>();
  protected readonly queue = new EventQueue<WorldEvent>();
  protected readonly prng: Prng;
  protected clock = EPOCH;
  readonly meter = new Meter(EPOCH);
  protected readonly options: WorldOptions;
  /** A scheduler pass is due. */
  protected dirty = true;

  // Counters of the run (the result object reads them).
  readonly waits: number[] = [];
  tasksLost = 0;
  /** Every loss, when and where (the report lists them; `log` stops at 5,000 lines). */
  readonly losses: Loss[] = [];
  tasksKilled = 0;
  /** DRAINING instances set back to ACTIVE (a drain reversed: a shortage, or a drain that waited too long). */
  reactivations = 0;
  interruptions = 0;
  scaleOutActions = 0;
  scaleInActions = 0;
  boundViolations = 0;
  stuckInstances = 0;
  launchFailures = 0;
  rebalanceRecommendations = 0;
  /** Instances AZRebalance launched (`az-rebalance.ts`). */
  rebalanceLaunches = 0;
  apiCalls = 0;
  /** Requests that found their bucket empty and waited (SDK retries) before AWS admitted them. */
  throttledApiCalls = 0;
  /** The account's API buckets, shared by everything that calls AWS in this world. */
  private readonly throttle: ApiThrottle;
  private readonly apiByTick = new Map<number, number>();
  readonly log: string[] = [];

  constructor(options: WorldOptions) {
    this.options = options;
    this.scenario = options.scenario;
    this.policy = options.policy;
    this.end = EPOCH + options.scenario.durationMinutes * 60_000;
    this.prng = new Prng(options.scenario.seed);
    this.throttle = new ApiThrottle(options.scenario.faults.throttle, EPOCH);
  }

  get now(): number {
    return this.clock;
  }

  /** The scenario's lower bound on cost (the same for every policy). */
  get lowerBoundCost(): number {
    return this.options.lowerBound.cost;
  }

  /** Run `run` at `at` (epoch ms) on the simulation clock. */
  schedule(at: number, label: string, run: () => void | Promise<void>): void {
    this.queue.push(Math.max(at, this.clock), { kind: 'call', label, run });
  }

  /** Resolve after `ms` of simulated time (API latency). */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.queue.push(this.clock + ms, { kind: 'call', label: 'wake', run: resolve }));
  }

  /**
   * Count `n` requests of `action` made now (for `apiCalls` and `maxApiCallsPerTick`), draw them
   * from the account's bucket (`throttle.ts`) and return how long (ms) the caller waits until the
   * last of them is admitted (0 when none is throttled).
   */
  countApi(n: number, action: ApiAction): number {
    if (n <= 0) return 0;
    this.apiCalls += n;
    const bucket = Math.floor((this.clock - EPOCH) / (this.scenario.tickSeconds * 1000));
    this.apiByTick.set(bucket, (this.apiByTick.get(bucket) ?? 0) + n);
    const { throttled, waitMs } = this.throttle.take(action, n, this.clock);
    this.throttledApiCalls += throttled;
    return waitMs;
  }

  get maxApiCallsPerTick(): number {
    let max = 0;
    for (const n of this.apiByTick.values()) max = Math.max(max, n);
    return max;
  }

  note(message: string): void {
    if (this.log.length < 5000) this.log.push(`${((this.clock - EPOCH) / 60_000).toFixed(2)} ${message}`);
  }

  private readonly wakes = new Set<number>();
  /** Run a scheduler pass at `at` (one event per distinct time). */
  protected wakeAt(at: number): void {
    if (this.wakes.has(at)) return;
    this.wakes.add(at);
    this.queue.push(at, { kind: 'wake' });
  }

  /** A wake event fired. */
  protected woke(): void {
    this.wakes.delete(this.clock);
  }

  findInstance(id: string): SimInstance | undefined {
    return this.byId.get(id);
  }
}
