/**
 * The ECS state of a simulated world: services, daemons, container instance status and the tasks
 * on them (start, stop, removal), which services need a scheduler pass, and the views in core
 * terms the adapters hand to the handlers. The schedulers are in `ecs-scheduler.ts`; standalone
 * work waiting for a place, the layer below, in `standalone-queue.ts`.
 *
 * Behaviour modelled, with the AWS documentation it follows:
 * - Service scheduler (ECS Developer Guide, "Service scheduler concepts", "Container instance
 *   draining"): keeps `desired` tasks; tasks that cannot be placed stay unplaced (the service's
 *   `desired − running − pending`); on a DRAINING instance PENDING service tasks stop at once and
 *   RUNNING ones are replaced elsewhere within `maximumPercent` and stopped once
 *   `minimumHealthyPercent` allows; standalone (RunTask) tasks are not touched; daemon tasks run on
 *   every instance and never move. Placement uses the core's `fits` (CPU, memory, host ports,
 *   `distinctInstance`, `memberOf`) and the service's placement strategy (`placement-strategy.ts`:
 *   `spread` by zone then instance, AWS's default, or `binpack` on memory; standalone tasks
 *   `binpack`); scale-in of a service
 *   stops tasks on DRAINING instances first, then PENDING ones, then the least-packed instance.
 *   A pass runs only for services whose tasks, desired count or instances changed, or that wait
 *   for room when room may have appeared.
 * - Reserved ports 22, 2375, 2376, 51678, 51679 are in every instance's `PORTS` (ECS agent default).
 * - Standalone work waits in `standalone-queue.ts` (PROVISIONING with capacity providers, else
 *   RunTask is retried); a standalone task lost with its instance is submitted again.
 * - Tasks take `stopSeconds` (per service; 30 s for standalone tasks) from STOPPING to STOPPED.
 */
import type { Instance, Service, Task, TaskRole, TaskShape } from '../../core/cluster';
import { isGone } from '../../core/cluster';
import { copiesThatFit } from '../../core/headroom';
import { fits, place, unplace } from '../../core/placement';
import { shapeOfService } from '../run/lower-bound';
import { binpackPick, type SpreadCounts } from './placement-strategy';
import type { ServiceSpec } from '../scenario/scenario';
import { StandaloneQueueWorld, type Waiting } from './standalone-queue';
import { TASK_START_SECONDS, TASK_STOP_SECONDS, type WorldOptions } from './world-base';
import type { SimInstance, SimTask } from './world-types';
import { desiredAt, type Submission } from '../scenario/workload';

export interface ServiceRuntime {
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

/** Re-exported: the quota and the waiting record belong to `standalone-queue.ts`. */

export class EcsTasksWorld extends StandaloneQueueWorld {
  protected readonly services: ServiceRuntime[];
  protected readonly daemons: ServiceRuntime[];
  protected readonly serviceByName = new Map<string, ServiceRuntime>();
  private taskSeq = 0;

  constructor(options: WorldOptions) {
    super(options);
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

  /** ECS emits `SERVICE_TASK_PLACEMENT_FAILURE` for the service (the world routes it to the policy). */
  protected placementFailed(_service: string): void {}

  /** A task of a service changed: that service needs a pass. */
  protected touch(t: SimTask): void {
    if (t.service !== undefined) {
      const s = this.serviceByName.get(t.service);
      if (s !== undefined) s.dirty = true;
    }
    this.dirty = true;
  }

  /** An instance changed status: every service with a task on it needs a pass. */
  protected statusChanged(i: SimInstance): void {
    for (const t of i.tasks.values()) this.touch(t);
    this.dirty = true;
  }

  /** Room may have appeared: services that could not place everything try again. */
  protected capacityChanged(): void {
    for (const s of this.services) if (s.hungry) s.dirty = true;
    this.dirty = true;
  }

  /** Reference tasks that fit on ACTIVE instances (docs/design.md §3.1), from the world's own bins. */
  headroomOf(shape: TaskShape): number {
    let n = 0;
    for (const i of this.alive) if (i.ecsStatus === 'ACTIVE') n += copiesThatFit(shape, i.bin);
    return n;
  }

  // ---------------------------------------------------------------- ECS

  /** Registered container instances (ACTIVE or DRAINING). */
  ecsInstances(): SimInstance[] {
    return [...this.alive].filter((i) => i.ecsStatus !== undefined).sort((a, b) => a.seq - b.seq);
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
    if (status === 'ACTIVE') this.reactivations++;
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
        const w: Waiting = { submission: t.submission, since: this.clock, nextAttempt: this.clock };
        this.waiting.push(w);
        this.enqueue(w);
      }
      this.stopTask(t);
      return;
    }
  }

  protected stopTask(t: SimTask): void {
    if (t.status === 'STOPPING' || t.status === 'STOPPED') return;
    t.status = 'STOPPING';
    t.instance.version++;
    this.queue.push(this.clock + t.stopSeconds * 1000, { kind: 'task-stopped', task: t });
    this.touch(t);
  }

  protected removeTask(t: SimTask): void {
    if (t.status === 'STOPPED') return;
    t.status = 'STOPPED';
    t.instance.tasks.delete(t.id);
    t.instance.version++;
    if (t.service !== undefined) this.serviceByName.get(t.service)?.tasks.delete(t);
    unplace(t.shape, t.instance.bin);
    this.touch(t);
    this.capacityChanged();
  }

  protected startTask(i: SimInstance, role: TaskRole, shape: TaskShape, service?: ServiceRuntime, submission?: Submission): SimTask {
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

  /**
   * The ACTIVE instance a task goes to among those it fits on: `binpack` on memory, or, with the
   * service's `spread` counts, the service's spread (`placement-strategy.ts`).
   */
  protected choose(shape: TaskShape, instances: readonly SimInstance[], spread?: SpreadCounts): SimInstance | undefined {
    const candidates = instances.filter((i) => i.ecsStatus === 'ACTIVE' && fits(shape, i.bin).ok);
    return spread !== undefined ? spread.pick(candidates) : binpackPick(candidates);
  }

  protected liveTasksOf(s: ServiceRuntime): SimTask[] {
    return [...s.tasks];
  }

  protected unplacedOf(s: ServiceRuntime): number {
    return s.waits.length;
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

  protected buildView(i: SimInstance): Instance {
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

  protected register(i: SimInstance): void {
    if (i.lifecycle === 'Terminated') return;
    if (i.lifecycle === 'Pending') i.lifecycle = 'InService';
    i.ecsStatus = 'ACTIVE';
    i.registeredAt = this.clock;
    for (const d of this.daemons) if (fits(d.shape, i.bin).ok) this.startTask(i, 'daemon', d.shape, d);
    if (i.spotWarnedAt !== undefined && this.policy.settings.agentSpotDraining === true) i.ecsStatus = 'DRAINING';
    this.capacityChanged();
  }
}
