/**
 * The simulated world of one policy run: a clock and event queue, ECS (container instances, the
 * service scheduler, standalone tasks, daemons), Auto Scaling (desired/min/max, launches, the
 * terminate lifecycle hook, replacement of lost instances) and EC2 Spot (interruption warnings and
 * terminations two minutes later). Every policy gets its own `World` built from the same scenario
 * and seed, so the workload and the Spot hazard process are identical across policies.
 *
 * Behaviour modelled, with the AWS documentation it follows:
 * - Service scheduler (ECS Developer Guide, "Service scheduler concepts", "Container instance
 *   draining"): keeps `desired` tasks; tasks that cannot be placed stay unplaced (the service's
 *   `desired − running − pending`); on a DRAINING instance PENDING service tasks stop at once and
 *   RUNNING ones are replaced elsewhere within `maximumPercent` and stopped once
 *   `minimumHealthyPercent` allows; standalone (RunTask) tasks are not touched; daemon tasks run on
 *   every instance and never move. Placement uses the core's `fits` (CPU, memory, host ports,
 *   `distinctInstance`, `memberOf`) with the `binpack` (memory) strategy; scale-in of a service
 *   stops tasks on DRAINING instances first, then PENDING ones, then the least-packed instance.
 * - Reserved ports 22, 2375, 2376, 51678, 51679 are in every instance's `PORTS` (ECS agent default).
 * - Auto Scaling (EC2 Auto Scaling User Guide, "Lifecycle hooks", "Replace unhealthy instances"):
 *   launches when fewer live members than desired; removes members (termination policy: random
 *   among the candidates, after ECS managed termination protection when enabled) when more; a
 *   terminate lifecycle hook holds the instance in `Terminating:Wait` until `CompleteLifecycleAction`
 *   or `HeartbeatTimeout` (extended by heartbeats up to min(48 h, 100 × timeout)); a member that
 *   dies (Spot) is replaced to keep desired; `SetDesiredCapacity` outside [min, max] and a
 *   decrementing terminate at min are refused with a ValidationError.
 * - EC2 Spot ("Spot Instance interruption notices"): the warning comes two minutes before EC2
 *   terminates the instance, whatever the lifecycle hook says.
 * - Standalone work that finds no room waits in a queue and is retried (the submitter retrying
 *   `RunTask`, or PROVISIONING tasks under a capacity provider); a standalone task lost with its
 *   instance is submitted again with its full run time.
 */
import type { CapacityGroup, Instance, Resources, Service, Task, TaskRole, TaskShape, TaskStatus } from '../core/cluster';
import { isGone } from '../core/cluster';
import { HeadroomError } from '../core/errors';
import { copiesThatFit } from '../core/headroom';
import { fits, place, unplace, type Bin } from '../core/placement';
import { EventQueue } from './event-queue';
import { DEFAULT_ZONE, instanceTypesOf, LAUNCH_RETRY_SECONDS, TERMINATING_STATES, zonesOf, type GroupRuntime, type InstanceTypeSpec, type SeriesPoint, type SimInstance, type SimTask, type SpotMark, type WaitingTask } from './world-types';
export type { GroupRuntime, SeriesPoint, SimInstance, SimTask, SpotMark, WaitingTask } from './world-types';
import { shapeOfService, type LowerBound } from './lower-bound';
import { Meter } from './metering';
import type { SimWorld } from './sim-world';
import { scheduleSpot, SPOT_WARNING_SECONDS, type SpotHost } from './spot';
import type { Policy } from './policy';
import { Prng } from './prng';
import type { CapacityGroupSpec, Scenario, ServiceSpec } from './scenario';
import { desiredAt, type Submission } from './workload';

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

interface ServiceRuntime {
  readonly spec: ServiceSpec;
  readonly shape: TaskShape;
  desired: number;
  /** Live tasks of the service (not STOPPED), kept incrementally. */
  readonly tasks: Set<SimTask>;
  /** Needs a scheduler pass (its tasks, desired count or their instances changed). */
  dirty: boolean;
  /** The last pass could not place every task it wanted to. */
  hungry: boolean;
  /** Since when each currently unplaced task has waited (oldest first). */
  readonly waits: number[];
  failingSince?: number;
  lastFailureEventAt?: number;
}


interface Waiting {
  readonly submission: Submission;
  /** First attempt: pending time counts from here. */
  readonly since: number;
  /** Without capacity providers, the submitter's next RunTask attempt. */
  nextAttempt: number;
}

type WorldEvent =
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

export class World implements SpotHost, SimWorld {
  readonly scenario: Scenario;
  readonly policy: Policy;
  readonly end: number;
  readonly groups: GroupRuntime[];
  readonly instances: SimInstance[] = [];
  private readonly alive = new Set<SimInstance>();
  private readonly services: ServiceRuntime[];
  private readonly daemons: ServiceRuntime[];
  private waiting: Waiting[] = [];
  /** Standalone tasks queue in PROVISIONING (capacity providers), else RunTask fails and is retried. */
  readonly queueing: boolean;
  private readonly byId = new Map<string, SimInstance>();
  private readonly serviceByName = new Map<string, ServiceRuntime>();
  private readonly queue = new EventQueue<WorldEvent>();
  private readonly prng: Prng;
  private readonly victimPrng: Prng;
  private clock = EPOCH;
  readonly meter = new Meter(EPOCH);
  launchFailures = 0;
  rebalanceRecommendations = 0;
  /** A scheduler pass is due (for the services marked dirty and the standalone queue). */
  private dirty = true;

  /** A task of a service changed: that service needs a pass. */
  private touch(t: SimTask): void {
    if (t.service !== undefined) {
      const s = this.serviceByName.get(t.service);
      if (s !== undefined) s.dirty = true;
    }
    this.dirty = true;
  }

  /** An instance changed status: every service with a task on it needs a pass. */
  private statusChanged(i: SimInstance): void {
    for (const t of i.tasks.values()) this.touch(t);
    this.dirty = true;
  }

  /** Room may have appeared: services that could not place everything try again. */
  private capacityChanged(): void {
    for (const s of this.services) if (s.hungry) s.dirty = true;
    this.dirty = true;
  }

  /** Distinct `cpu/memory` shapes of standalone tasks submitted so far (their task definitions). */
  standaloneShapes(): ReadonlySet<string> {
    return this.submittedShapes;
  }
  private readonly submittedShapes = new Set<string>();

  /** Reference tasks that fit on ACTIVE instances (DESIGN.md §5), from the world's own bins. */
  headroomOf(shape: TaskShape): number {
    let n = 0;
    for (const i of this.alive) if (i.ecsStatus === 'ACTIVE') n += copiesThatFit(shape, i.bin);
    return n;
  }
  private taskSeq = 0;
  private instanceSeq = 0;
  private readonly options: WorldOptions;

  // Accounting.
  private lastAccounted = EPOCH;
  private pendingNow = 0;
  pendingTaskSeconds = 0;
  /** The part of `pendingTaskSeconds` spent by standalone tasks (jobs, trace) waiting for room. */
  pendingStandaloneSeconds = 0;
  private pendingStandaloneNow = 0;
  readonly waits: number[] = [];
  tasksLost = 0;
  tasksKilled = 0;
  interruptions = 0;
  scaleOutActions = 0;
  scaleInActions = 0;
  boundViolations = 0;
  stuckInstances = 0;
  apiCalls = 0;
  private readonly apiByTick = new Map<number, number>();
  readonly series: SeriesPoint[] = [];
  readonly spotMarks: SpotMark[] = [];
  readonly log: string[] = [];

  constructor(options: WorldOptions) {
    this.options = options;
    this.scenario = options.scenario;
    this.policy = options.policy;
    this.end = EPOCH + options.scenario.durationMinutes * 60_000;
    this.prng = new Prng(options.scenario.seed);
    this.victimPrng = this.prng.fork('asg-termination-policy');
    const fixed = options.policy.settings.fixedSize;
    this.groups = options.scenario.capacityGroups.map((spec) => {
      const n = fixed !== undefined ? fixed(spec) : spec.initial;
      const base = { spec, name: spec.name, types: instanceTypesOf(spec), zones: zonesOf(spec), launches: 0 };
      return fixed !== undefined ? { ...base, min: n, max: n, desired: n } : { ...base, min: spec.min, max: spec.max, desired: n };
    });
    this.queueing = options.scenario.cluster.capacityProviders || options.policy.settings.capacityProviders === true;
    const runtime = (spec: ServiceSpec): ServiceRuntime => ({
      spec,
      shape: shapeOfService(spec),
      desired: spec.daemon ? 0 : desiredAt(spec, 0),
      tasks: new Set(),
      dirty: true,
      hungry: false,
      waits: [],
    });
    this.services = options.scenario.services.filter((s) => !s.daemon).map(runtime).sort((a, b) => a.spec.name.localeCompare(b.spec.name));
    this.daemons = options.scenario.services.filter((s) => s.daemon).map(runtime);
    for (const s of [...this.services, ...this.daemons]) this.serviceByName.set(s.spec.name, s);
  }

  // ---------------------------------------------------------------- clock and agenda

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

  private inflight = 0;
  private failure: unknown;

  /** Resolve after `ms` of simulated time (API latency). */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.queue.push(this.clock + ms, { kind: 'call', label: 'wake', run: resolve }));
  }

  /** Count `n` AWS API requests made now (for `apiCalls` and `maxApiCallsPerTick`). */
  countApi(n: number): void {
    if (n <= 0) return;
    this.apiCalls += n;
    const bucket = Math.floor((this.clock - EPOCH) / (this.scenario.tickSeconds * 1000));
    this.apiByTick.set(bucket, (this.apiByTick.get(bucket) ?? 0) + n);
  }

  get maxApiCallsPerTick(): number {
    let max = 0;
    for (const n of this.apiByTick.values()) max = Math.max(max, n);
    return max;
  }

  note(message: string): void {
    if (this.log.length < 5000) this.log.push(`${((this.clock - EPOCH) / 60_000).toFixed(2)} ${message}`);
  }

  async run(): Promise<void> {
    for (const g of this.groups) this.reconcileGroup(g);
    for (const s of this.options.submissions) this.queue.push(EPOCH + s.atSecond * 1000, { kind: 'submit', submission: s });
    for (let t = EPOCH + 60_000; t < this.end; t += 60_000) this.queue.push(t, { kind: 'desired' });
    for (let t = EPOCH; t <= this.end; t += SAMPLE_SECONDS * 1000) this.queue.push(t, { kind: 'sample' });
    scheduleSpot(this, this.scenario, this.prng);
    this.policy.start(this);

    let lastReport = 0;
    for (;;) {
      const at = this.queue.peekTime();
      if (at === undefined || at > this.end) break;
      this.advanceTo(at);
      while (this.queue.peekTime() === at) {
        const item = this.queue.pop();
        if (item !== undefined) await this.handle(item.event);
        // Let handlers woken at this instant run on to their next simulated wait. Only promise
        // jobs run in between (no I/O), so the order is deterministic.
        if (this.inflight > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.dirty) this.schedulerPass();
      this.refreshGauges();
      if (this.options.onProgress !== undefined && at - lastReport >= 3_600_000) {
        lastReport = at;
        this.options.onProgress((at - EPOCH) / (this.end - EPOCH));
      }
    }
    this.advanceTo(this.end);
    for (const i of this.instances) {
      if (i.lifecycle === 'Terminating:Wait' && !i.stuck && this.end - (i.hook?.startedAt ?? this.end) > this.options.stuckAfterSeconds * 1000) {
        i.stuck = true;
        this.stuckInstances++;
      }
    }
  }

  private async handle(e: WorldEvent): Promise<void> {
    switch (e.kind) {
      case 'register':
        return this.register(e.instance);
      case 'task-running':
        if (e.task.status === 'PENDING') {
          e.task.status = 'RUNNING';
          e.task.instance.version++;
          this.touch(e.task);
          if (e.task.submission !== undefined) this.queue.push(this.clock + e.task.submission.durationSeconds * 1000, { kind: 'task-done', task: e.task });
        }
        return;
      case 'task-stopped':
        return this.removeTask(e.task);
      case 'task-done':
        if (e.task.status === 'RUNNING') this.removeTask(e.task);
        return;
      case 'submit':
        this.submittedShapes.add(`${e.submission.cpu}/${e.submission.memory}`);
        this.waiting.push({ submission: e.submission, since: this.clock, nextAttempt: this.clock });
        this.dirty = true;
        return;
      case 'wake':
        this.wakes.delete(this.clock);
        this.capacityChanged();
        return;
      case 'reconcile':
        return this.reconcileGroup(e.group);
      case 'desired':
        for (const s of this.services) {
          const d = desiredAt(s.spec, (this.clock - EPOCH) / 60_000);
          if (d !== s.desired) {
            s.desired = d;
            s.dirty = true;
            this.dirty = true;
          }
        }
        return;
      case 'spot-terminate':
        if (e.instance.lifecycle !== 'Terminated') {
          this.note(`spot: EC2 terminates ${e.instance.id}`);
          this.finishTermination(e.instance, 'spot');
        }
        return;
      case 'hook-timeout': {
        const i = e.instance;
        if (i.lifecycle === 'Terminating:Wait' && i.hook !== undefined && this.clock >= i.hook.expiresAt) {
          this.note(`asg: lifecycle hook of ${i.id} timed out (default result CONTINUE)`);
          this.finishTermination(i, 'hook-timeout');
        }
        return;
      }
      case 'sample':
        return this.sample();
      case 'call': {
        // Handlers run concurrently on the simulated clock: an async callback is not awaited here;
        // it runs until its next simulated wait (`sleep`), and the loop lets it settle below.
        const p = e.run();
        if (p instanceof Promise) {
          this.inflight++;
          p.then(
            () => this.inflight--,
            (error: unknown) => {
              this.inflight--;
              this.failure ??= error;
            },
          );
        }
        return;
      }
    }
  }

  // ---------------------------------------------------------------- accounting

  private advanceTo(t: number): void {
    const dt = (t - this.lastAccounted) / 1000;
    if (dt > 0) {
      this.pendingTaskSeconds += this.pendingNow * dt;
      this.pendingStandaloneSeconds += this.pendingStandaloneNow * dt;
      this.lastAccounted = t;
    }
    this.meter.advance(t);
    this.clock = t;
  }

  /** Tasks waiting for a place now (service deficits and queued standalone work). */
  get pendingTasks(): number {
    let n = this.waiting.length;
    for (const s of this.services) n += this.unplacedOf(s);
    return n;
  }

  private refreshGauges(): void {
    this.pendingNow = this.pendingTasks;
    this.pendingStandaloneNow = this.waiting.length;
  }

  /** Cost so far (each instance from launch to termination). */
  costUntil(t: number): number {
    return this.meter.costUntil(t);
  }

  instanceHours(t: number): number {
    return this.meter.hoursUntil(t);
  }

  private sample(): void {
    this.refreshGauges();
    let active = 0;
    for (const i of this.alive) {
      if (i.lifecycle === 'Terminating:Wait' && !i.stuck && i.hook !== undefined && this.clock - i.hook.startedAt > this.options.stuckAfterSeconds * 1000) {
        i.stuck = true;
        this.stuckInstances++;
        this.note(`stuck: ${i.id} held in Terminating:Wait for ${Math.round((this.clock - i.hook.startedAt) / 1000)} s`);
      }
      if (i.ecsStatus === 'ACTIVE') active++;
    }
    const h = { total: this.headroomOf(this.options.referenceShape) };
    this.series.push({
      minute: (this.clock - EPOCH) / 60_000,
      instances: this.alive.size,
      active,
      demand: this.options.lowerBound.instances[Math.min(this.options.lowerBound.instances.length - 1, Math.floor((this.clock - EPOCH) / 60_000))] ?? 0,
      headroom: h.total,
      pending: this.pendingNow,
      tasksLost: this.tasksLost,
      cost: this.costUntil(this.clock),
    });
  }

  // ---------------------------------------------------------------- Auto Scaling

  groupByName(name: string): GroupRuntime | undefined {
    return this.groups.find((g) => g.name === name);
  }

  /** Live members of a group (launching or in service; not terminating). */
  liveMembers(g: GroupRuntime): SimInstance[] {
    const out: SimInstance[] = [];
    for (const i of this.alive) if (i.group === g && !TERMINATING_STATES.has(i.lifecycle)) out.push(i);
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** All members Auto Scaling reports (including `Terminating:Wait`). */
  members(g: GroupRuntime): SimInstance[] {
    return [...this.alive].filter((i) => i.group === g).sort((a, b) => a.seq - b.seq);
  }

  /** SetDesiredCapacity. Throws a ValidationError (and counts a bound violation) outside [min, max]. */
  setDesired(g: GroupRuntime, desired: number, who: string): void {
    if (desired < g.min || desired > g.max) {
      this.boundViolations++;
      this.note(`bound violation: ${who} set desired ${desired} outside [${g.min}, ${g.max}] of ${g.name}`);
      throw new HeadroomError('invalid-input', `ValidationError: New SetDesiredCapacity value ${desired} is ${desired < g.min ? 'below min' : 'above max'} value ${desired < g.min ? g.min : g.max} for the AutoScalingGroup.`);
    }
    if (desired > g.desired) this.scaleOutActions++;
    else if (desired < g.desired) this.scaleInActions++;
    if (desired !== g.desired) this.note(`asg: ${who} sets desired of ${g.name} ${g.desired} → ${desired}`);
    g.desired = desired;
    this.reconcileGroup(g);
  }

  /** TerminateInstanceInAutoScalingGroup; `'gone'` when the instance is not a live member. */
  terminateInstance(id: string, decrement: boolean, who: string): 'ok' | 'gone' {
    const i = this.byId.get(id);
    if (i === undefined || i.lifecycle === 'Terminated' || i.lifecycle === 'Terminating:Wait') return 'gone';
    const g = i.group;
    if (decrement) {
      if (g.desired - 1 < g.min) {
        this.boundViolations++;
        this.note(`bound violation: ${who} terminates ${id} with decrement at min ${g.min} of ${g.name}`);
        throw new HeadroomError('invalid-input', `ValidationError: Currently, desiredSize equals minSize (${g.min}). Terminating instance without replacement will violate group's min size constraint.`);
      }
      g.desired -= 1;
      this.scaleInActions++;
    }
    this.note(`asg: ${who} terminates ${id}${decrement ? ' (desired −1)' : ''}`);
    this.beginTermination(i);
    if (!decrement) this.reconcileGroup(g);
    return 'ok';
  }

  /** CompleteLifecycleAction (CONTINUE and ABANDON both terminate). */
  completeLifecycle(id: string): 'ok' | 'gone' {
    const i = this.byId.get(id);
    if (i === undefined || i.lifecycle !== 'Terminating:Wait') return 'gone';
    this.note(`asg: lifecycle action of ${id} completed`);
    this.finishTermination(i, 'hook-completed');
    return 'ok';
  }

  /** RecordLifecycleActionHeartbeat: the hook waits another `HeartbeatTimeout`, up to its global limit. */
  heartbeat(id: string): 'ok' | 'gone' {
    const i = this.byId.get(id);
    if (i === undefined || i.lifecycle !== 'Terminating:Wait' || i.hook === undefined) return 'gone';
    i.hook.expiresAt = Math.min(i.hook.maxAt, this.clock + i.hook.heartbeatSeconds * 1000);
    this.queue.push(i.hook.expiresAt, { kind: 'hook-timeout', instance: i });
    return 'ok';
  }

  /** Capacity units of live members (Σ weights). */
  liveUnits(g: GroupRuntime): number {
    let n = 0;
    for (const i of this.liveMembers(g)) n += i.type.weight;
    return n;
  }

  /**
   * Launch while the live members' capacity units fall short of desired; terminate while removing
   * one more member still leaves at least desired units (EC2 Auto Scaling User Guide, "Configure
   * instance weighting": desired capacity counts weight units, and the group may overshoot it by
   * less than one instance's weight).
   */
  private reconcileGroup(g: GroupRuntime): void {
    const live = this.liveMembers(g);
    let units = live.reduce((n, i) => n + i.type.weight, 0);
    if (units < g.desired) {
      while (units < g.desired) {
        const launched = this.launch(g);
        if (launched === undefined) break;
        units += launched.type.weight;
      }
    } else if (units > g.desired) {
      // Termination policy: unprotected members only; the default policy first balances zones
      // (the zone with the most members loses one), then picks at random among the candidates.
      const protect = this.policy.settings.protectBusyFromScaleIn === true;
      const candidates = live.filter((i) => !protect || ![...i.tasks.values()].some((t) => t.role !== 'daemon'));
      const order = this.victimPrng.shuffle(candidates);
      const perZone = new Map<string, number>();
      for (const i of live) perZone.set(i.zone, (perZone.get(i.zone) ?? 0) + 1);
      for (;;) {
        const victim = order
          .filter((v) => v.lifecycle !== 'Terminating:Wait' && v.lifecycle !== 'Terminated' && units - v.type.weight >= g.desired)
          .reduce<SimInstance | undefined>((best, v) => (best === undefined || (perZone.get(v.zone) ?? 0) > (perZone.get(best.zone) ?? 0) ? v : best), undefined);
        if (victim === undefined) break;
        this.note(`asg: scale-in picks ${victim.id}`);
        perZone.set(victim.zone, (perZone.get(victim.zone) ?? 1) - 1);
        this.beginTermination(victim);
        // Without a hook the termination is immediate and may itself reconcile: count again.
        units = this.liveUnits(g);
      }
    }
  }

  /** A zone with the fewest live members (Auto Scaling balances launches across its zones). */
  private zoneFor(g: GroupRuntime): string {
    const count = new Map<string, number>(g.zones.map((z) => [z, 0]));
    for (const i of this.liveMembers(g)) count.set(i.zone, (count.get(i.zone) ?? 0) + 1);
    let best = g.zones[0] ?? DEFAULT_ZONE;
    for (const z of g.zones) if ((count.get(z) ?? 0) < (count.get(best) ?? 0)) best = z;
    return best;
  }

  /**
   * One launch, or a failed scaling activity inside a `launchFailures` window (insufficient
   * capacity): Auto Scaling records the failure and tries again later.
   */
  private launch(g: GroupRuntime): SimInstance | undefined {
    const minute = (this.clock - EPOCH) / 60_000;
    if (g.spec.launchFailures.some((w) => minute >= w.fromMinute && minute < w.toMinute)) {
      if (g.launchFailedAt !== this.clock) this.note(`asg: launch in ${g.name} failed (InsufficientInstanceCapacity)`);
      g.launchFailedAt = this.clock;
      this.launchFailures++;
      this.queue.push(this.clock + LAUNCH_RETRY_SECONDS * 1000, { kind: 'reconcile', group: g });
      return undefined;
    }
    const type = g.types[g.launches++ % g.types.length] as InstanceTypeSpec;
    const zone = this.zoneFor(g);
    const seq = this.instanceSeq++;
    const id = `i-${g.name.replace(/[^a-z0-9]/gi, '').slice(0, 6)}${seq.toString(16).padStart(8, '0')}`;
    const attributes: Record<string, string> = { 'ecs.instance-type': type.instanceType, 'ecs.os-type': 'linux', 'ecs.availability-zone': zone };
    const inst: SimInstance = {
      id,
      arn: `arn:aws:ecs:us-east-1:123456789012:container-instance/${this.scenario.name}/${id.slice(2)}`,
      seq,
      group: g,
      type,
      zone,
      version: 0,
      launchedAt: this.clock,
      lifecycle: 'Pending',
      ecsStatus: undefined,
      tasks: new Map(),
      bin: {
        key: id,
        group: g.name,
        target: { id, instanceType: type.instanceType, availabilityZone: zone, attributes },
        capacity: { cpu: type.cpu, memory: type.memory },
        cpu: type.cpu,
        memory: type.memory,
        tcp: new Set(ECS_RESERVED_PORTS),
        udp: new Set(),
        taskGroups: new Map(),
        fresh: false,
      },
      attributes,
      stuck: false,
    };
    this.instances.push(inst);
    this.alive.add(inst);
    this.byId.set(inst.id, inst);
    this.byId.set(inst.arn, inst);
    this.meter.launched(inst);
    this.queue.push(this.clock + g.spec.launchSeconds * 1000, { kind: 'register', instance: inst });
    return inst;
  }

  private register(i: SimInstance): void {
    if (i.lifecycle === 'Terminated') return;
    if (i.lifecycle === 'Pending') i.lifecycle = 'InService';
    i.ecsStatus = 'ACTIVE';
    i.registeredAt = this.clock;
    for (const d of this.daemons) if (fits(d.shape, i.bin).ok) this.startTask(i, 'daemon', d.shape, d);
    if (i.spotWarnedAt !== undefined && this.policy.settings.agentSpotDraining === true) i.ecsStatus = 'DRAINING';
    this.capacityChanged();
  }

  private beginTermination(i: SimInstance): void {
    const hook = this.policy.settings.hook;
    if (hook === undefined) {
      this.finishTermination(i, 'no-hook');
      return;
    }
    i.lifecycle = 'Terminating:Wait';
    i.hook = {
      name: hook.name,
      token: `token-${i.id}`,
      startedAt: this.clock,
      expiresAt: this.clock + hook.heartbeatSeconds * 1000,
      maxAt: this.clock + Math.min(48 * 3600, 100 * hook.heartbeatSeconds) * 1000,
      heartbeatSeconds: hook.heartbeatSeconds,
    };
    this.queue.push(i.hook.expiresAt, { kind: 'hook-timeout', instance: i });
    const cb = this.policy.onLifecycleHook;
    if (cb !== undefined) this.schedule(this.clock, 'lifecycle', () => cb.call(this.policy, this, i));
  }

  private finishTermination(i: SimInstance, why: string): void {
    if (i.lifecycle === 'Terminated') return;
    const wasLive = !TERMINATING_STATES.has(i.lifecycle);
    if (i.lifecycle === 'Terminating:Wait' && !i.stuck && i.hook !== undefined && this.clock - i.hook.startedAt > this.options.stuckAfterSeconds * 1000) {
      i.stuck = true;
      this.stuckInstances++;
    }
    let lost = 0;
    for (const t of [...i.tasks.values()]) {
      // A task still stopping (deregistration delay, SIGTERM grace) is cut off too: lost. A
      // standalone task already being stopped was submitted again when it was stopped.
      if (t.role !== 'daemon' && t.status !== 'STOPPED') {
        lost++;
        if (t.submission !== undefined && t.status !== 'STOPPING') this.waiting.push({ submission: t.submission, since: this.clock, nextAttempt: this.clock });
      }
      this.removeTask(t);
    }
    if (lost > 0) this.note(`lost: ${lost} task(s) with ${i.id} (${why})`);
    this.tasksLost += lost;
    i.lifecycle = 'Terminated';
    i.ecsStatus = undefined;
    i.terminatedAt = this.clock;
    i.version++;
    this.meter.terminated(i);
    this.alive.delete(i);
    this.dirty = true;
    // A member that died without being asked to leave (Spot) is replaced to keep desired.
    if (wasLive || why === 'spot') this.reconcileGroup(i.group);
  }

  // ---------------------------------------------------------------- EC2 Spot

  /** Live Spot instances not yet warned, in launch order. */
  spotCandidates(): SimInstance[] {
    return [...this.alive].filter((i) => i.group.spec.spot && i.spotWarnedAt === undefined && !TERMINATING_STATES.has(i.lifecycle)).sort((a, b) => a.seq - b.seq);
  }

  get spotSlots(): number {
    return this.groups.filter((g) => g.spec.spot).reduce((a, g) => a + g.spec.max, 0);
  }

  readonly start = EPOCH;

  at(time: number, label: string, run: () => void): void {
    this.schedule(time, label, run);
  }

  /** An `EC2 Instance Rebalance Recommendation` reaches the policy (if its deployment listens). */
  recommend(i: SimInstance): void {
    this.rebalanceRecommendations++;
    this.note(`spot: rebalance recommendation for ${i.id}`);
    const cb = this.policy.onRebalance;
    if (cb !== undefined) this.schedule(this.clock, 'rebalance', () => cb.call(this.policy, this, i));
  }

  warn(i: SimInstance): void {
    i.spotWarnedAt = this.clock;
    this.interruptions++;
    this.note(`spot: interruption warning for ${i.id}`);
    this.queue.push(this.clock + SPOT_WARNING_SECONDS * 1000, { kind: 'spot-terminate', instance: i });
    if (this.policy.settings.agentSpotDraining === true && i.ecsStatus === 'ACTIVE') {
      i.ecsStatus = 'DRAINING';
      i.version++;
      this.statusChanged(i);
    }
    const cb = this.policy.onSpotWarning;
    if (cb !== undefined) this.schedule(this.clock, 'spot-warning', () => cb.call(this.policy, this, i));
  }

  // ---------------------------------------------------------------- ECS

  /** Registered container instances (ACTIVE or DRAINING). */
  ecsInstances(): SimInstance[] {
    return [...this.alive].filter((i) => i.ecsStatus !== undefined).sort((a, b) => a.seq - b.seq);
  }

  findInstance(id: string): SimInstance | undefined {
    return this.byId.get(id);
  }

  /** PutAttributes / DeleteAttributes on a registered container instance. */
  setAttribute(i: SimInstance, name: string, value: string | undefined): void {
    if (i.ecsStatus === undefined) return;
    if (value === undefined) delete i.attributes[name];
    else i.attributes[name] = value;
    i.version++;
  }

  /** UpdateContainerInstancesState (only ACTIVE ↔ DRAINING; deregistered instances are skipped). */
  setEcsStatus(i: SimInstance, status: 'ACTIVE' | 'DRAINING', who: string): void {
    if (i.ecsStatus === undefined || i.ecsStatus === status) return;
    this.note(`ecs: ${who} sets ${i.id} ${status}`);
    i.ecsStatus = status;
    i.version++;
    this.statusChanged(i);
    if (status === 'ACTIVE') this.capacityChanged();
  }

  /** StopTask: service tasks go through STOPPING; standalone tasks stopped by a drain are submitted again. */
  stopTaskById(taskId: string, who: string): void {
    for (const i of this.alive) {
      const t = i.tasks.get(taskId);
      if (t === undefined || t.status === 'STOPPING' || t.status === 'STOPPED') continue;
      this.note(`ecs: ${who} stops ${taskId}`);
      if (t.submission !== undefined) {
        this.tasksKilled++;
        this.waiting.push({ submission: t.submission, since: this.clock, nextAttempt: this.clock });
      }
      this.stopTask(t);
      return;
    }
  }

  private stopTask(t: SimTask): void {
    if (t.status === 'STOPPING' || t.status === 'STOPPED') return;
    t.status = 'STOPPING';
    t.instance.version++;
    this.queue.push(this.clock + t.stopSeconds * 1000, { kind: 'task-stopped', task: t });
    this.touch(t);
  }

  private removeTask(t: SimTask): void {
    if (t.status === 'STOPPED') return;
    t.status = 'STOPPED';
    t.instance.tasks.delete(t.id);
    t.instance.version++;
    if (t.service !== undefined) this.serviceByName.get(t.service)?.tasks.delete(t);
    unplace(t.shape, t.instance.bin);
    this.touch(t);
    this.capacityChanged();
  }

  private startTask(i: SimInstance, role: TaskRole, shape: TaskShape, service?: ServiceRuntime, submission?: Submission): SimTask {
    const task: SimTask = {
      id: `arn:aws:ecs:us-east-1:123456789012:task/${this.scenario.name}/${(this.taskSeq++).toString(16).padStart(10, '0')}`,
      role,
      ...(service !== undefined ? { service: service.spec.name } : {}),
      ...(submission !== undefined ? { submission } : {}),
      shape,
      status: role === 'daemon' ? 'RUNNING' : 'PENDING',
      instance: i,
      placedAt: this.clock,
      stopSeconds: service?.spec.stopSeconds ?? TASK_STOP_SECONDS,
    };
    place(shape, i.bin);
    i.tasks.set(task.id, task);
    i.version++;
    service?.tasks.add(task);
    if (service !== undefined) service.dirty = true;
    if (role !== 'daemon') this.queue.push(this.clock + TASK_START_SECONDS * 1000, { kind: 'task-running', task });
    return task;
  }

  /** `binpack` on memory: the ACTIVE instance with the least free memory that fits. */
  private choose(shape: TaskShape, instances: readonly SimInstance[]): SimInstance | undefined {
    let best: SimInstance | undefined;
    for (const i of instances) {
      if (i.ecsStatus !== 'ACTIVE') continue;
      if (!fits(shape, i.bin).ok) continue;
      if (best === undefined || i.bin.memory < best.bin.memory || (i.bin.memory === best.bin.memory && i.bin.cpu < best.bin.cpu)) best = i;
    }
    return best;
  }

  private liveTasksOf(s: ServiceRuntime): SimTask[] {
    return [...s.tasks];
  }

  private unplacedOf(s: ServiceRuntime): number {
    return s.waits.length;
  }

  /** One pass of the ECS schedulers over every service and the standalone queue. */
  private schedulerPass(): void {
    this.dirty = false;
    const instances = this.ecsInstances();
    for (const s of this.services) {
      if (!s.dirty) continue;
      s.dirty = false;
      this.scheduleService(s, instances);
    }
    this.scheduleStandalone(instances);
  }

  private scheduleService(s: ServiceRuntime, instances: readonly SimInstance[]): void {
    const D = s.desired;
    let live = this.liveTasksOf(s).filter((t) => t.status !== 'STOPPING');
    // PENDING service tasks on a DRAINING instance stop at once.
    for (const t of live) if (t.instance.ecsStatus === 'DRAINING' && t.status === 'PENDING') this.stopTask(t);
    live = live.filter((t) => t.status !== 'STOPPING');
    // Scale-in of the service: draining first, then PENDING, then the least-packed instance.
    if (live.length > D) {
      const rank = (t: SimTask): number => (t.instance.ecsStatus === 'DRAINING' ? 0 : t.status === 'PENDING' ? 1 : 2);
      const order = [...live].sort((a, b) => rank(a) - rank(b) || b.instance.bin.memory - a.instance.bin.memory || a.id.localeCompare(b.id));
      for (const t of order.slice(0, live.length - D)) this.stopTask(t);
      live = live.filter((t) => t.status !== 'STOPPING');
    }
    // Deficit bookkeeping: one timestamp per task that should run and has no place.
    const deficit = Math.max(0, D - live.length);
    while (s.waits.length < deficit) s.waits.push(this.clock);
    while (s.waits.length > deficit) s.waits.pop();

    const onActive = live.filter((t) => t.instance.ecsStatus === 'ACTIVE').length;
    const upper = Math.max(D, Math.floor((D * s.spec.maximumPercent) / 100));
    const lower = Math.ceil((D * s.spec.minimumHealthyPercent) / 100);
    const want = Math.min(D - onActive, upper - live.length);
    let failed = false;
    let count = live.length;
    for (let k = 0; k < want; k++) {
      const home = this.choose(s.shape, instances);
      if (home === undefined) {
        failed = true;
        break;
      }
      this.startTask(home, 'service', s.shape, s);
      if (count < D) {
        const since = s.waits.shift();
        if (since !== undefined) this.waits.push(this.clock - since);
      }
      count++;
    }
    // Stop tasks on DRAINING instances as far as minimumHealthyPercent allows.
    const all = this.liveTasksOf(s).filter((t) => t.status !== 'STOPPING');
    let stoppable = all.filter((t) => t.status === 'RUNNING').length - lower;
    const onActiveNow = all.filter((t) => t.instance.ecsStatus === 'ACTIVE').length;
    if (onActiveNow >= D) stoppable = Number.POSITIVE_INFINITY;
    for (const t of all) {
      if (stoppable <= 0) break;
      if (t.instance.ecsStatus !== 'DRAINING') continue;
      this.stopTask(t);
      stoppable--;
    }
    s.hungry = failed;
    if (failed && D - onActive > 0) {
      const first = s.failingSince === undefined;
      s.failingSince ??= this.clock;
      const due = s.lastFailureEventAt === undefined || this.clock - s.lastFailureEventAt >= PLACEMENT_FAILURE_REPEAT_SECONDS * 1000;
      const cb = this.policy.onPlacementFailure;
      if (first || due) {
        // Passes run only when something changed: come back when the event is due again.
        s.lastFailureEventAt = this.clock;
        this.wakeAt(this.clock + PLACEMENT_FAILURE_REPEAT_SECONDS * 1000);
      }
      if ((first || due) && cb !== undefined) {
        const name = s.spec.name;
        this.schedule(this.clock, 'placement-failure', () => cb.call(this.policy, this, name));
      }
    } else if (!failed) {
      delete s.failingSince;
    }
  }

  private scheduleStandalone(instances: readonly SimInstance[]): void {
    if (this.waiting.length === 0) return;
    const failedShapes = new Set<string>();
    const still: Waiting[] = [];
    const retry = this.scenario.cluster.runTaskRetrySeconds * 1000;
    for (const w of this.waiting) {
      if (w.nextAttempt > this.clock) {
        still.push(w);
        continue;
      }
      const key = `${w.submission.cpu}/${w.submission.memory}`;
      const shape: TaskShape = { cpu: w.submission.cpu, memory: w.submission.memory };
      const home = failedShapes.has(key) ? undefined : this.choose(shape, instances);
      if (home === undefined) {
        failedShapes.add(key);
        if (!this.queueing) {
          // RunTask failed (RESOURCE:CPU / RESOURCE:MEMORY): the submitter tries again later.
          w.nextAttempt = this.clock + retry;
          this.wakeAt(w.nextAttempt);
        }
        still.push(w);
        continue;
      }
      this.startTask(home, 'standalone', shape, undefined, w.submission);
      this.waits.push(this.clock - w.since);
    }
    this.waiting = still;
  }

  /**
   * Everything waiting for a place, each task with its ordinal in its service (or its submission
   * order for standalone work): the unplaced tasks of a service are its last `waits.length` tasks.
   */
  waitingWork(): WaitingTask[] {
    const out: WaitingTask[] = [];
    for (const s of this.services) {
      const first = Math.max(0, s.desired - s.waits.length);
      for (let k = 0; k < s.waits.length; k++) out.push({ shape: s.shape, service: s.spec.name, ordinal: first + k });
    }
    for (const w of this.waiting) out.push({ shape: { cpu: w.submission.cpu, memory: w.submission.memory }, ordinal: w.submission.ordinal });
    return out;
  }

  /** Shapes of everything waiting for a place: service deficits and queued standalone tasks. */
  waitingShapes(): TaskShape[] {
    return this.waitingWork().map((w) => w.shape);
  }

  /**
   * Queued standalone tasks as ECS lists them while they wait for capacity (PROVISIONING, no
   * container instance): what `ListTasks`/`DescribeTasks` show the headroom policy.
   */
  provisioningShapes(): TaskShape[] {
    if (!this.queueing) return [];
    return this.waiting.map((w) => ({ cpu: w.submission.cpu, memory: w.submission.memory }));
  }

  private readonly wakes = new Set<number>();
  /** Run a scheduler pass at `at` (one event per distinct time). */
  private wakeAt(at: number): void {
    if (this.wakes.has(at)) return;
    this.wakes.add(at);
    this.queue.push(at, { kind: 'wake' });
  }

  daemonShapes(): TaskShape[] {
    return this.daemons.map((d) => d.shape);
  }

  /** The group in core terms (what `decide` and the packer take). */
  coreGroup(g: GroupRuntime, zone?: string): CapacityGroup {
    // The largest type of a mixed group (what ECS managed scaling sizes new instances by).
    const t = g.types.reduce((a, b) => (b.cpu * b.memory > a.cpu * a.memory ? b : a));
    const attributes = zone !== undefined ? { 'ecs.availability-zone': zone, 'ecs.instance-type': t.instanceType, 'ecs.os-type': 'linux' } : undefined;
    return { name: g.name, min: g.min, max: g.max, desired: g.desired, instance: { cpu: t.cpu, memory: t.memory }, instanceType: t.instanceType, pricePerHour: t.pricePerHour, ...(attributes !== undefined ? { attributes } : {}) };
  }

  /** Tasks still waiting at the end count their wait so far (for the p99). */
  openWaits(): number[] {
    const out: number[] = [];
    for (const s of this.services) for (const since of s.waits) out.push(this.clock - since);
    for (const w of this.waiting) out.push(this.clock - w.since);
    return out;
  }

  // ---------------------------------------------------------------- views in core terms

  /** The container instance as ECS describes it (no Auto Scaling state: ECS does not know it). */
  toCore(i: SimInstance): Instance {
    const cached = this.views.get(i);
    if (cached !== undefined && cached.version === i.version) return cached.view;
    const view = this.buildView(i);
    this.views.set(i, { version: i.version, view });
    return view;
  }

  /** Cached core views, rebuilt only when the instance changed (`version`). */
  private readonly views = new WeakMap<SimInstance, { version: number; view: Instance }>();

  private buildView(i: SimInstance): Instance {
    const tasks: Task[] = [];
    for (const t of i.tasks.values()) {
      if (isGone(t as unknown as Task)) continue;
      tasks.push({ ...t.shape, id: t.id, role: t.role, status: t.status, ...(t.service !== undefined ? { service: t.service } : {}) });
    }
    return {
      id: i.id,
      arn: i.arn,
      group: i.group.name,
      status: i.ecsStatus ?? 'INACTIVE',
      registered: { cpu: i.type.cpu, memory: i.type.memory },
      remaining: { cpu: i.bin.cpu, memory: i.bin.memory },
      usedTcpPorts: [...i.bin.tcp].sort((a, b) => a - b),
      usedUdpPorts: [...i.bin.udp].sort((a, b) => a - b),
      availabilityZone: i.zone,
      instanceType: i.type.instanceType,
      attributes: { ...i.attributes },
      tasks,
    };
  }

  /** Every service as ECS DescribeServices reports it. */
  coreServices(): Service[] {
    const out: Service[] = [];
    for (const s of [...this.services, ...this.daemons]) {
      const live = this.liveTasksOf(s).filter((t) => t.status !== 'STOPPING');
      const tasks = s.spec.daemon ? [...s.tasks] : live;
      const running = tasks.filter((t) => t.status === 'RUNNING').length;
      const pending = tasks.length - running;
      const desired = s.spec.daemon ? this.ecsInstances().length : s.desired;
      out.push({ name: s.spec.name, shape: s.shape, daemon: s.spec.daemon, desired, running, pending, unplaced: s.spec.daemon ? 0 : Math.max(0, desired - running - pending) });
    }
    return out;
  }

  /** Tasks of an instance as core `Task`s (for drains). */
  coreTasks(i: SimInstance): Task[] {
    return this.toCore(i).tasks as Task[];
  }
}
