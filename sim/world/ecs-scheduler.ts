/**
 * The ECS schedulers of a simulated world (the behaviour is described in `ecs-world.ts`): one pass
 * places, replaces and stops service tasks within their deployment limits, then places standalone
 * tasks (queued, or refused and retried by their submitter); plus what waits, as the policies and
 * the accounting see it.
 */
import type { TaskShape } from '../../core/cluster';
import { EcsTasksWorld, type ServiceRuntime } from './ecs-world';
import { SpreadCounts } from './placement-strategy';
import type { Waiting } from './standalone-queue';
import { PLACEMENT_FAILURE_REPEAT_SECONDS } from './world-base';
import type { SimInstance, SimTask, WaitingTask } from './world-types';

export class EcsWorld extends EcsTasksWorld {
  /** One pass of the ECS schedulers over every service and the standalone queue. */
  protected schedulerPass(): void {
    this.dirty = false;
    const instances = this.ecsInstances();
    for (const s of this.services) {
      if (!s.dirty) continue;
      s.dirty = false;
      this.scheduleService(s, instances);
    }
    this.scheduleStandalone(instances);
  }

  /**
   * One pass over a service: stop what must stop, start what is missing within `maximumPercent`,
   * stop tasks on DRAINING instances as `minimumHealthyPercent` allows, and report a failure.
   */
  protected scheduleService(s: ServiceRuntime, instances: readonly SimInstance[]): void {
    const live = this.stopSurplus(s);
    // Deficit bookkeeping: one timestamp per task that should run and has no place.
    const deficit = Math.max(0, s.desired - live.length);
    while (s.waits.length < deficit) s.waits.push(this.clock);
    while (s.waits.length > deficit) s.waits.pop();
    const onActive = live.filter((t) => t.instance.ecsStatus === 'ACTIVE').length;
    const failed = this.startMissing(s, live, onActive, instances);
    this.stopOnDraining(s);
    this.notePlacement(s, failed, onActive);
  }

  /**
   * PENDING service tasks on a DRAINING instance stop at once; beyond the desired count, tasks
   * stop draining first, then PENDING, then on the least-packed instance. The live rest returns.
   */
  private stopSurplus(s: ServiceRuntime): SimTask[] {
    const D = s.desired;
    let live = this.liveTasksOf(s).filter((t) => t.status !== 'STOPPING');
    for (const t of live) if (t.instance.ecsStatus === 'DRAINING' && t.status === 'PENDING') this.stopTask(t);
    live = live.filter((t) => t.status !== 'STOPPING');
    if (live.length > D) {
      const rank = (t: SimTask): number => (t.instance.ecsStatus === 'DRAINING' ? 0 : t.status === 'PENDING' ? 1 : 2);
      const order = [...live].sort((a, b) => rank(a) - rank(b) || b.instance.bin.memory - a.instance.bin.memory || a.id.localeCompare(b.id));
      for (const t of order.slice(0, live.length - D)) this.stopTask(t);
      live = live.filter((t) => t.status !== 'STOPPING');
    }
    return live;
  }

  /**
   * Starts the tasks missing on ACTIVE instances, within `maximumPercent`, by the service's
   * placement strategy; a start that fills a deficit records its wait. True if one found no place.
   */
  private startMissing(s: ServiceRuntime, live: readonly SimTask[], onActive: number, instances: readonly SimInstance[]): boolean {
    const D = s.desired;
    const upper = Math.max(D, Math.floor((D * s.spec.maximumPercent) / 100));
    const want = Math.min(D - onActive, upper - live.length);
    let count = live.length;
    const strategy = s.spec.placementStrategy ?? this.scenario.cluster.placementStrategy;
    const spread = strategy === 'spread' && want > 0 ? new SpreadCounts(live.map((t) => t.instance)) : undefined;
    for (let k = 0; k < want; k++) {
      const home = this.choose(s.shape, instances, spread);
      if (home === undefined) return true;
      this.startTask(home, 'service', s.shape, s);
      spread?.add(home);
      if (count < D) {
        const since = s.waits.shift();
        if (since !== undefined) this.waits.push(this.clock - since);
      }
      count++;
    }
    return false;
  }

  /** Stops tasks on DRAINING instances as far as `minimumHealthyPercent` allows. */
  private stopOnDraining(s: ServiceRuntime): void {
    const D = s.desired;
    const lower = Math.ceil((D * s.spec.minimumHealthyPercent) / 100);
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
  }

  /**
   * Marks the service hungry (or not) and, while it keeps failing, emits the placement failure
   * event at first and then every `PLACEMENT_FAILURE_REPEAT_SECONDS`.
   */
  private notePlacement(s: ServiceRuntime, failed: boolean, onActive: number): void {
    s.hungry = failed;
    if (failed && s.desired - onActive > 0) {
      const first = s.failingSince === undefined;
      s.failingSince ??= this.clock;
      const due = s.lastFailureEventAt === undefined || this.clock - s.lastFailureEventAt >= PLACEMENT_FAILURE_REPEAT_SECONDS * 1000;
      if (first || due) {
        // Passes run only when something changed: come back when the event is due again.
        s.lastFailureEventAt = this.clock;
        this.wakeAt(this.clock + PLACEMENT_FAILURE_REPEAT_SECONDS * 1000);
      }
      if (first || due) this.placementFailed(s.spec.name);
    } else if (!failed) {
      delete s.failingSince;
    }
  }

  protected scheduleStandalone(instances: readonly SimInstance[]): void {
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
        } else if (w.provisioning !== true) {
          // A retried RunTask: queued now if the PROVISIONING quota has room, else refused again.
          this.enqueue(w);
        }
        still.push(w);
        continue;
      }
      this.dequeued(w);
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
    return this.waiting.filter((w) => w.provisioning === true).map((w) => ({ cpu: w.submission.cpu, memory: w.submission.memory }));
  }
  daemonShapes(): TaskShape[] {
    return this.daemons.map((d) => d.shape);
  }
  /** Tasks still waiting at the end count their wait so far (for the p99). */
  openWaits(): number[] {
    const out: number[] = [];
    for (const s of this.services) for (const since of s.waits) out.push(this.clock - since);
    for (const w of this.waiting) out.push(this.clock - w.since);
    return out;
  }
}
