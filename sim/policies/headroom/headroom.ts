/**
 * `headroom`: this project, i.e. the real Lambda handlers (`handlers/tick.ts`, `interruption.ts`,
 * `lifecycle.ts`, `drain.ts`, through their exported `handle*` functions) running on the in-memory
 * adapters of `sim/policies/headroom/in-memory-ports.ts`. Nothing here decides anything: it wires the deployment of
 * serverless.yml to the simulated platform.
 * - EventBridge schedule every `tickSeconds` → `handleTick` (a `Scheduled Event`).
 * - EventBridge rule on `ECS Service Action` / `SERVICE_TASK_PLACEMENT_FAILURE` → `handleTick`.
 * - EventBridge rule on `ECS Task State Change` with `lastStatus` PROVISIONING → `handleTick`.
 * - EventBridge rule on `EC2 Spot Instance Interruption Warning` and `EC2 Instance Rebalance
 *   Recommendation` → the interruption SQS queue → `handleInterruption` in batches (100, 1 s window).
 * - A terminate lifecycle hook (heartbeat timeout `HOOK_HEARTBEAT_SECONDS`) whose EventBridge
 *   event `EC2 Instance-terminate Lifecycle Action` → `handleLifecycle`.
 * - The drain queue (SQS with `DelaySeconds`) → `handleDrain` with `batchItemFailures`.
 * Event payloads follow the documented shapes (`events.ts`).
 */
import type { Config } from '../../../core/config';
import type { HandlerContext } from '../../../handlers/app/context';
import { handleDrain } from '../../../handlers/drain';
import { handleInterruption } from '../../../handlers/interruption';
import { handleLifecycle } from '../../../handlers/lifecycle';
import { handleTick } from '../../../handlers/tick';
import { Delivery, INTERRUPTION_QUEUE } from '../../world/delivery';
import { HEADROOM_HOOK_NAME, lifecycleEvent, placementFailureEvent, provisioningEvent, rebalanceEvent, scheduledEvent, spotWarningEvent } from './events';
import { inMemoryPorts, type SimPorts } from './in-memory-ports';
import type { Policy } from '../policy';
import { Prng } from '../../world/prng';
import type { Scenario } from '../../scenario/scenario';
import type { SimWorld } from '../../world/sim-world';


type Counts = Record<'ticks' | 'placementFailureEvents' | 'provisioningEvents' | 'interruptionEvents' | 'rebalanceEvents' | 'interruptionBatches' | 'lifecycleEvents' | 'drainMessages' | 'handlerErrors', number>;

/** The ports over `world`: drain checks go to the drain queue, warnings and errors to the world's notes. */
function wirePorts(world: SimWorld, faults: Prng, scenario: Scenario, counts: Counts, delivery: Delivery, ctx: () => HandlerContext): SimPorts {
  return inMemoryPorts({
    world,
    faults: faults.fork('api'),
    apiErrorRate: scenario.faults.apiErrorRate,
    enqueue: (check, delaySeconds) => {
      counts.drainMessages++;
      delivery.sqs('drain', JSON.stringify(check), delaySeconds, (env) => handleDrain(env, ctx()));
    },
    log: (level, message, data) => {
      if (level === 'error') counts.handlerErrors++;
      if (level !== 'info') world.note(`headroom ${level}: ${message}${data !== undefined ? ` ${JSON.stringify(data).slice(0, 300)}` : ''}`);
    },
  });
}

function policyDetail(counts: Counts, delivery: Delivery | undefined, ports: SimPorts | undefined): Record<string, number> {
  const s = delivery?.stats;
  return {
    ...counts,
    invocations: s?.invocations ?? 0,
    failedInvocations: s?.failures ?? 0,
    retries: s?.retries ?? 0,
    deadLetters: s?.deadLetters ?? 0,
    duplicates: s?.duplicates ?? 0,
    droppedEvents: s?.dropped ?? 0,
    injectedApiErrors: ports?.injectedErrors() ?? 0,
  };
}

/**
 * Headroom runs as docs/operations.md deploys it (`cluster.headroomSetup`, default `capacity-providers`):
 * each managed group has a capacity provider with managed scaling ENABLED (ECS holds a task
 * that finds no room in PROVISIONING only then: AWS Containers blog, "Deep Dive on Amazon ECS
 * Cluster Auto Scaling", 2020), managed termination protection and managed draining off, set as
 * the cluster's default strategy, and the group's AlarmNotification process suspended, which
 * stops ECS's target tracking policy (EC2 Auto Scaling User Guide, "Considerations for
 * suspending processes"). So a task that does not fit waits in PROVISIONING (where the tick
 * counts it as demand) and ECS's scaling does nothing: Headroom alone sets desired capacity.
 * `plain`: no capacity provider, a job that does not fit fails at once.
 * The recommended setup also suspends AZRebalance on the managed groups: Headroom picks the
 * instances to remove, and Auto Scaling would otherwise replace each pick that leaves the zones
 * more than one instance apart (`sim/world/az-rebalance.ts`; measured in docs/aws-model.md).
 */
function headroomSettings(scenario: Scenario, config: Config): Policy['settings'] {
  return {
    hook: { name: HEADROOM_HOOK_NAME, heartbeatSeconds: config.hookHeartbeatSeconds },
    capacityProviders: scenario.cluster.headroomSetup === 'capacity-providers',
    suspendAzRebalance: scenario.cluster.headroomSuspendsAzRebalance,
  };
}

/**
 * The tick function has reserved concurrency 1 (serverless.yml): Lambda holds further
 * asynchronous invocations in its queue until the running one returns (AWS Lambda Developer
 * Guide, "Asynchronous invocation": events that cannot run for lack of concurrency go back to the
 * queue and are retried), so two ticks never overlap, whatever triggered them.
 */
function serialTicks(ctx: () => HandlerContext): (event: unknown) => Promise<unknown> {
  let running: Promise<unknown> = Promise.resolve();
  return (event: unknown): Promise<unknown> => {
    const run = running.then(() => handleTick(event, ctx()));
    running = run.catch(() => undefined);
    return run;
  };
}

/** The EventBridge schedule: `fire` every `tickSeconds` from one period after the start to the end. */
function everyTick(world: SimWorld, tickSeconds: number, fire: () => void): void {
  const period = tickSeconds * 1000;
  for (let t = world.now + period; t < world.end; t += period) world.schedule(t, 'schedule', fire);
}

export function headroomPolicy(scenario: Scenario, config: Config): Policy {
  let ports: SimPorts | undefined;
  let delivery: Delivery | undefined;
  let ctx: HandlerContext | undefined;
  const counts: Counts = { ticks: 0, placementFailureEvents: 0, provisioningEvents: 0, interruptionEvents: 0, rebalanceEvents: 0, interruptionBatches: 0, lifecycleEvents: 0, drainMessages: 0, handlerErrors: 0 };
  const faults = new Prng(scenario.seed).fork('faults');

  const ready = (): { ctx: HandlerContext; delivery: Delivery } => {
    if (ctx === undefined || delivery === undefined) throw new Error('headroom policy used before start');
    return { ctx, delivery };
  };
  const tick = serialTicks(() => ready().ctx);
  // EventBridge rule → the interruption queue → the interruption handler in batches (serverless.yml).
  const interruption = (event: Record<string, unknown>): void => {
    ready().delivery.sqsBatched('interruption', JSON.stringify(event), INTERRUPTION_QUEUE, (env) => {
      counts.interruptionBatches++;
      return handleInterruption(env, ready().ctx);
    });
  };

  return {
    name: 'headroom',
    settings: headroomSettings(scenario, config),
    start(world) {
      const d = new Delivery(world, faults.fork('delivery'), scenario.faults);
      delivery = d;
      ports = wirePorts(world, faults, scenario, counts, d, () => ready().ctx);
      ctx = { ports, config };
      everyTick(world, scenario.tickSeconds, () => {
        counts.ticks++;
        d.eventBridge('tick', () => tick(scheduledEvent(world)));
      });
    },
    onPlacementFailure(world, service) {
      counts.placementFailureEvents++;
      const event = placementFailureEvent(world, config.clusterName, service);
      ready().delivery.eventBridge('placement-failure', () => tick(event));
    },
    onTaskProvisioning(world) {
      counts.provisioningEvents++;
      const event = provisioningEvent(world, config.clusterName);
      ready().delivery.eventBridge('task-provisioning', () => tick(event));
    },
    onSpotWarning(world, instance) {
      counts.interruptionEvents++;
      interruption(spotWarningEvent(world, instance));
    },
    onRebalance(world, instance) {
      counts.rebalanceEvents++;
      interruption(rebalanceEvent(world, instance));
    },
    onLifecycleHook(world, instance) {
      counts.lifecycleEvents++;
      const event = lifecycleEvent(world, instance);
      ready().delivery.eventBridge('lifecycle', () => handleLifecycle(event, ready().ctx));
    },
    detail: () => policyDetail(counts, delivery, ports),
  };
}
