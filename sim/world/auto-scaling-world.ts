/**
 * The Auto Scaling layer of a simulated world (EC2 Auto Scaling User Guide, "Lifecycle hooks",
 * "Replace unhealthy instances", "Configure instance weighting", "Availability Zone
 * rebalancing"): groups with desired/min/max in capacity units, launches balanced across zones (or
 * failing inside `launchFailures` windows, recorded as failed scaling activities and retried),
 * scale-in by the termination policy (zones first, then random; busy instances protected under
 * ECS managed termination protection), the terminate lifecycle hook (`Terminating:Wait` until
 * `CompleteLifecycleAction` or `HeartbeatTimeout`, extended by heartbeats up to min(48 h, 100 ×
 * timeout)), replacement of members that die, and ValidationErrors for out-of-bounds requests.
 */
import type { CapacityGroup } from '../../core/cluster';
import { HeadroomError } from '../../core/errors';
import { decrementDesired } from './asg-capacity';
import { EcsWorld } from './ecs-scheduler';
import { Prng } from './prng';
import { ECS_RESERVED_PORTS, EPOCH, type WorldOptions } from './world-base';
import { emptiestZone, zoneCounts } from './zone-counts';
import { DEFAULT_ZONE, instanceTypesOf, LAUNCH_RETRY_SECONDS, TERMINATING_STATES, zonesOf, type GroupRuntime, type InstanceTypeSpec, type SimInstance } from './world-types';

export class AutoScalingWorld extends EcsWorld {
  readonly groups: GroupRuntime[];
  protected readonly victimPrng: Prng;
  private instanceSeq = 0;

  constructor(options: WorldOptions) {
    super(options);
    this.victimPrng = this.prng.fork('asg-termination-policy');
    const fixed = options.policy.settings.fixedSize;
    this.groups = options.scenario.capacityGroups.map((spec) => {
      const n = fixed !== undefined ? fixed(spec) : spec.initial;
      const base = { spec, name: spec.name, types: instanceTypesOf(spec, options.policy.settings.unweightedGroups === true), zones: zonesOf(spec), launches: 0 };
      return fixed !== undefined ? { ...base, min: n, max: n, desired: n } : { ...base, min: spec.min, max: spec.max, desired: n };
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

  /**
   * TerminateInstanceInAutoScalingGroup; `'gone'` when the instance is not a live member. With the
   * decrement, desired capacity drops by the instance's weight (`asg-capacity.ts`, the rule the
   * handlers' test fake shares).
   */
  terminateInstance(id: string, decrement: boolean, who: string): 'ok' | 'gone' {
    const i = this.byId.get(id);
    if (i === undefined || i.lifecycle === 'Terminated' || i.lifecycle === 'Terminating:Wait') return 'gone';
    const g = i.group;
    const units = i.type.weight;
    if (decrement) {
      const after = decrementDesired(g.desired, g.min, units);
      if (!after.ok) {
        this.boundViolations++;
        this.note(`bound violation: ${who} terminates ${id} with decrement at min ${g.min} of ${g.name}`);
        throw new HeadroomError('invalid-input', `ValidationError: ${after.message}`);
      }
      g.desired = after.desired;
      this.scaleInActions++;
    }
    this.note(`asg: ${who} terminates ${id}${decrement ? ` (desired −${units})` : ''}`);
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
  protected reconcileGroup(g: GroupRuntime): void {
    const live = this.liveMembers(g);
    // An instance AZRebalance launched is not surplus: its fuller-zone twin leaves once it is in service.
    let units = live.reduce((n, i) => n + i.type.weight, 0) - this.rebalanceUnits(g);
    if (units < g.desired) {
      while (units < g.desired) {
        const launched = this.launch(g);
        if (launched === undefined) break;
        units += launched.type.weight;
      }
    } else if (units > g.desired) {
      // Termination policy: unprotected members only; the default policy first balances zones
      // (the zone with the most members loses one), then picks at random among the candidates.
      const candidates = live.filter((i) => !this.protectedFromScaleIn(i));
      // The random pick is drawn only when a member may go: in a weighted group desired can sit
      // below the live units by less than any member's weight, and the group keeps at least desired
      // units ("Configure instance weighting"), so nothing goes and the stream stays as it was.
      if (!candidates.some((v) => units - v.type.weight >= g.desired)) return;
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
        units = this.liveUnits(g) - this.rebalanceUnits(g);
      }
    }
  }

  /** ECS managed termination protection keeps Auto Scaling off instances running non-daemon tasks. */
  protected protectedFromScaleIn(i: SimInstance): boolean {
    return this.policy.settings.protectBusyFromScaleIn === true && [...i.tasks.values()].some((t) => t.role !== 'daemon');
  }

  /** A zone with the fewest live members (Auto Scaling balances launches across its zones). */
  protected zoneFor(g: GroupRuntime): string {
    return emptiestZone(zoneCounts(g.zones, this.liveMembers(g))) ?? DEFAULT_ZONE;
  }

  /**
   * One launch, or a failed scaling activity inside a `launchFailures` window (insufficient
   * capacity): Auto Scaling records the failure and tries again later.
   */
  /** Units of an instance AZRebalance launched and has not yet balanced by a termination (`az-rebalance.ts`). */
  protected rebalanceUnits(_g: GroupRuntime): number {
    return 0;
  }

  protected launch(g: GroupRuntime, inZone?: string): SimInstance | undefined {
    const minute = (this.clock - EPOCH) / 60_000;
    if (g.spec.launchFailures.some((w) => minute >= w.fromMinute && minute < w.toMinute)) {
      if (g.launchFailedAt !== this.clock) this.note(`asg: launch in ${g.name} failed (InsufficientInstanceCapacity)`);
      g.launchFailedAt = this.clock;
      this.launchFailures++;
      this.queue.push(this.clock + LAUNCH_RETRY_SECONDS * 1000, { kind: 'reconcile', group: g });
      return undefined;
    }
    const type = g.types[g.launches++ % g.types.length] as InstanceTypeSpec;
    const zone = inZone ?? this.zoneFor(g);
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

  protected beginTermination(i: SimInstance): void {
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

  protected finishTermination(i: SimInstance, why: string): void {
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
        if (t.submission !== undefined && t.status !== 'STOPPING') {
          const w = { submission: t.submission, since: this.clock, nextAttempt: this.clock };
          this.waiting.push(w);
          this.enqueue(w);
        }
      }
      this.removeTask(t);
    }
    if (lost > 0) {
      this.note(`lost: ${lost} task(s) with ${i.id} (${why})`);
      this.losses.push({ minute: (this.clock - EPOCH) / 60_000, tasks: lost, instance: i.id, why });
    }
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

  /** The group in core terms (what `decide` and the packer take). */
  coreGroup(g: GroupRuntime, zone?: string): CapacityGroup {
    // The largest type of a mixed group (what ECS managed scaling sizes new instances by).
    const t = g.types.reduce((a, b) => (b.cpu * b.memory > a.cpu * a.memory ? b : a));
    const attributes = zone !== undefined ? { 'ecs.availability-zone': zone, 'ecs.instance-type': t.instanceType, 'ecs.os-type': 'linux' } : undefined;
    return { name: g.name, min: g.min, max: g.max, desired: g.desired, instance: { cpu: t.cpu, memory: t.memory }, instanceType: t.instanceType, pricePerHour: t.pricePerHour, ...(attributes !== undefined ? { attributes } : {}) };
  }
}
