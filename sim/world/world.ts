/**
 * The simulated world of one policy run: the run loop over the agenda, EC2 Spot (warnings and
 * rebalance recommendations from `spot.ts`, termination two minutes after a warning, whatever the
 * lifecycle hook says: EC2 User Guide, "Spot Instance interruption notices") and the metering of
 * the run (pending time, cost, the sampled series). ECS lives in `ecs-world.ts` and Auto Scaling in
 * `auto-scaling-world.ts`, the layers below. Every policy gets its own `World` built from the same
 * scenario and seed, so the workload and the Spot hazard process are identical across policies.
 */
import { RebalancingWorld } from './az-rebalance';
import type { SimWorld } from './sim-world';
import { scheduleSpot, SPOT_WARNING_SECONDS, type SpotHost } from './spot';
import { EPOCH, SAMPLE_SECONDS, type WorldEvent, type WorldOptions } from './world-base';
import { TERMINATING_STATES, type SeriesPoint, type SimInstance, type SimTask, type SpotMark } from './world-types';
import { desiredAt } from '../scenario/workload';

export { EPOCH, ECS_RESERVED_PORTS, PLACEMENT_FAILURE_REPEAT_SECONDS, SAMPLE_SECONDS, TASK_START_SECONDS, TASK_STOP_SECONDS, type WorldOptions } from './world-base';
export type { GroupRuntime, SeriesPoint, SimInstance, SimTask, SpotMark, WaitingTask } from './world-types';

export class World extends RebalancingWorld implements SpotHost, SimWorld {
  private inflight = 0;
  private failure: unknown;
  private lastAccounted = EPOCH;
  private pendingNow = 0;
  private pendingStandaloneNow = 0;
  pendingTaskSeconds = 0;
  /** The part of `pendingTaskSeconds` spent by standalone tasks (jobs, trace) waiting for room. */
  pendingStandaloneSeconds = 0;
  readonly series: SeriesPoint[] = [];
  readonly spotMarks: SpotMark[] = [];
  readonly start = EPOCH;

  constructor(options: WorldOptions) {
    super(options);
  }

  protected override placementFailed(service: string): void {
    const cb = this.policy.onPlacementFailure;
    if (cb !== undefined) this.schedule(this.clock, 'placement-failure', () => cb.call(this.policy, this, service));
  }

  protected override taskProvisioning(): void {
    const cb = this.policy.onTaskProvisioning;
    if (cb !== undefined) this.schedule(this.clock, 'task-provisioning', () => cb.call(this.policy, this));
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

  /** One event of the agenda: each kind is one step below (or one call on a lower layer). */
  private async handle(e: WorldEvent): Promise<void> {
    switch (e.kind) {
      case 'register':
        return this.register(e.instance);
      case 'task-running':
        return this.taskRunning(e.task);
      case 'task-stopped':
        return this.removeTask(e.task);
      case 'task-done':
        if (e.task.status === 'RUNNING') this.removeTask(e.task);
        return;
      case 'submit':
        return this.submit(e.submission);
      case 'wake':
        this.woke();
        this.capacityChanged();
        return;
      case 'reconcile':
        return this.reconcileGroup(e.group);
      case 'desired':
        return this.desiredCountsDue();
      case 'spot-terminate':
        return this.spotTerminate(e.instance);
      case 'hook-timeout':
        return this.hookTimedOut(e.instance);
      case 'sample':
        return this.sample();
      case 'call':
        return this.startCall(e.run);
    }
  }

  /** A PENDING task reaches RUNNING; a standalone task's run ends after its duration. */
  private taskRunning(task: SimTask): void {
    if (task.status !== 'PENDING') return;
    task.status = 'RUNNING';
    task.instance.version++;
    this.touch(task);
    if (task.submission !== undefined) this.queue.push(this.clock + task.submission.durationSeconds * 1000, { kind: 'task-done', task });
  }

  /** The minute's zone balance check, and each service's desired count from its workload. */
  private desiredCountsDue(): void {
    this.checkZoneBalance();
    for (const s of this.services) {
      const d = desiredAt(s.spec, (this.clock - EPOCH) / 60_000);
      if (d !== s.desired) {
        s.desired = d;
        s.dirty = true;
        this.dirty = true;
      }
    }
  }

  /** EC2 reclaims a warned Spot instance (unless it is already gone). */
  private spotTerminate(i: SimInstance): void {
    if (i.lifecycle === 'Terminated') return;
    this.note(`spot: EC2 terminates ${i.id}`);
    this.finishTermination(i, 'spot');
  }

  /** A lifecycle hook nobody completed times out: Auto Scaling goes on with CONTINUE. */
  private hookTimedOut(i: SimInstance): void {
    if (i.lifecycle === 'Terminating:Wait' && i.hook !== undefined && this.clock >= i.hook.expiresAt) {
      this.note(`asg: lifecycle hook of ${i.id} timed out (default result CONTINUE)`);
      this.finishTermination(i, 'hook-timeout');
    }
  }

  /**
   * Handlers run concurrently on the simulated clock: an async callback is not awaited here; it
   * runs until its next simulated wait (`sleep`), and the run loop lets it settle.
   */
  private startCall(run: () => void | Promise<void>): void {
    const p = run();
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

  // ---------------------------------------------------------------- EC2 Spot

  /** Live Spot instances not yet warned, in launch order. */
  spotCandidates(): SimInstance[] {
    return [...this.alive].filter((i) => i.group.spec.spot && i.spotWarnedAt === undefined && !TERMINATING_STATES.has(i.lifecycle)).sort((a, b) => a.seq - b.seq);
  }

  get spotSlots(): number {
    return this.groups.filter((g) => g.spec.spot).reduce((a, g) => a + g.spec.max, 0);
  }

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
}
