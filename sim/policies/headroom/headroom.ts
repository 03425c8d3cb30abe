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
 * Event payloads follow the documented shapes (see the reference events the handler tests use).
 */
import type { Config } from '../../../core/config';
import type { HandlerContext } from '../../../handlers/app/context';
import { handleDrain } from '../../../handlers/drain';
import { handleInterruption } from '../../../handlers/interruption';
import { handleLifecycle } from '../../../handlers/lifecycle';
import { handleTick } from '../../../handlers/tick';
import { Delivery, INTERRUPTION_QUEUE } from '../../world/delivery';
import { inMemoryPorts, type SimPorts } from './in-memory-ports';
import type { Policy } from '../policy';
import { Prng } from '../../world/prng';
import type { Scenario } from '../../scenario/scenario';
import type { SimWorld } from '../../world/sim-world';

export const HEADROOM_HOOK_NAME = 'headroom-drain';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function envelope(world: SimWorld, detailType: string, source: string, detail: Record<string, unknown>, resources: string[] = []): Record<string, unknown> {
  return {
    version: '0',
    id: `sim-${world.now.toString(36)}-${detailType.length}`,
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: new Date(world.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources,
    detail,
  };
}

export function headroomPolicy(scenario: Scenario, config: Config): Policy {
  let ports: SimPorts | undefined;
  let delivery: Delivery | undefined;
  let ctx: HandlerContext | undefined;
  const counts = { ticks: 0, placementFailureEvents: 0, provisioningEvents: 0, interruptionEvents: 0, rebalanceEvents: 0, interruptionBatches: 0, lifecycleEvents: 0, drainMessages: 0, handlerErrors: 0 };
  const faults = new Prng(scenario.seed).fork('faults');

  const ready = (): { ctx: HandlerContext; delivery: Delivery } => {
    if (ctx === undefined || delivery === undefined) throw new Error('headroom policy used before start');
    return { ctx, delivery };
  };
  // The tick function has reserved concurrency 1 (serverless.yml): Lambda holds further
  // asynchronous invocations in its queue until the running one returns (AWS Lambda Developer
  // Guide, "Asynchronous invocation": events that cannot run for lack of concurrency go back to the
  // queue and are retried), so two ticks never overlap, whatever triggered them.
  let running: Promise<unknown> = Promise.resolve();
  const tick = (event: unknown): Promise<unknown> => {
    const run = running.then(() => handleTick(event, ready().ctx));
    running = run.catch(() => undefined);
    return run;
  };

  return {
    name: 'headroom',
    // Headroom runs as docs/operations.md deploys it (`cluster.headroomSetup`, default `capacity-providers`):
    // each managed group has a capacity provider with managed scaling ENABLED (ECS holds a task
    // that finds no room in PROVISIONING only then: AWS Containers blog, "Deep Dive on Amazon ECS
    // Cluster Auto Scaling", 2020), managed termination protection and managed draining off, set as
    // the cluster's default strategy, and the group's AlarmNotification process suspended, which
    // stops ECS's target tracking policy (EC2 Auto Scaling User Guide, "Considerations for
    // suspending processes"). So a task that does not fit waits in PROVISIONING (where the tick
    // counts it as demand) and ECS's scaling does nothing: Headroom alone sets desired capacity.
    // `plain`: no capacity provider, a job that does not fit fails at once.
    // The recommended setup also suspends AZRebalance on the managed groups: Headroom picks the
    // instances to remove, and Auto Scaling would otherwise replace each pick that leaves the zones
    // more than one instance apart (`sim/world/az-rebalance.ts`; measured in docs/aws-model.md).
    settings: {
      hook: { name: HEADROOM_HOOK_NAME, heartbeatSeconds: config.hookHeartbeatSeconds },
      capacityProviders: scenario.cluster.headroomSetup === 'capacity-providers',
      suspendAzRebalance: scenario.cluster.headroomSuspendsAzRebalance,
    },
    start(world) {
      delivery = new Delivery(world, faults.fork('delivery'), scenario.faults);
      const d = delivery;
      ports = inMemoryPorts({
        world,
        faults: faults.fork('api'),
        apiErrorRate: scenario.faults.apiErrorRate,
        enqueue: (check, delaySeconds) => {
          counts.drainMessages++;
          d.sqs('drain', JSON.stringify(check), delaySeconds, (env) => handleDrain(env, ready().ctx));
        },
        log: (level, message, data) => {
          if (level === 'error') counts.handlerErrors++;
          if (level !== 'info') world.note(`headroom ${level}: ${message}${data !== undefined ? ` ${JSON.stringify(data).slice(0, 300)}` : ''}`);
        },
      });
      ctx = { ports, config };
      const period = scenario.tickSeconds * 1000;
      for (let t = world.now + period; t < world.end; t += period) {
        world.schedule(t, 'schedule', () => {
          counts.ticks++;
          d.eventBridge('tick', () => tick(envelope(world, 'Scheduled Event', 'aws.events', {}, [`arn:aws:events:${REGION}:${ACCOUNT}:rule/headroom-tick`])));
        });
      }
    },
    onPlacementFailure(world, service) {
      counts.placementFailureEvents++;
      const cluster = config.clusterName;
      const event = envelope(world, 'ECS Service Action', 'aws.ecs', {
        eventType: 'WARN',
        eventName: 'SERVICE_TASK_PLACEMENT_FAILURE',
        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
        createdAt: new Date(world.now).toISOString(),
        reason: 'RESOURCE:MEMORY',
      }, [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${service}`]);
      ready().delivery.eventBridge('placement-failure', () => tick(event));
    },
    onTaskProvisioning(world) {
      counts.provisioningEvents++;
      const cluster = config.clusterName;
      const event = envelope(world, 'ECS Task State Change', 'aws.ecs', {
        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        createdAt: new Date(world.now).toISOString(),
      }, [`arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/sim-${world.now.toString(36)}`]);
      ready().delivery.eventBridge('task-provisioning', () => tick(event));
    },
    // EventBridge rule → the interruption queue → the interruption handler in batches (serverless.yml).
    onSpotWarning(world, instance) {
      counts.interruptionEvents++;
      const event = envelope(world, 'EC2 Spot Instance Interruption Warning', 'aws.ec2', { 'instance-id': instance.id, 'instance-action': 'terminate' }, [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instance.id}`]);
      ready().delivery.sqsBatched('interruption', JSON.stringify(event), INTERRUPTION_QUEUE, (env) => {
        counts.interruptionBatches++;
        return handleInterruption(env, ready().ctx);
      });
    },
    onRebalance(world, instance) {
      counts.rebalanceEvents++;
      const event = envelope(world, 'EC2 Instance Rebalance Recommendation', 'aws.ec2', { 'instance-id': instance.id }, [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instance.id}`]);
      ready().delivery.sqsBatched('interruption', JSON.stringify(event), INTERRUPTION_QUEUE, (env) => {
        counts.interruptionBatches++;
        return handleInterruption(env, ready().ctx);
      });
    },
    onLifecycleHook(world, instance) {
      counts.lifecycleEvents++;
      const event = envelope(world, 'EC2 Instance-terminate Lifecycle Action', 'aws.autoscaling', {
        LifecycleActionToken: instance.hook?.token ?? `token-${instance.id}`,
        AutoScalingGroupName: instance.group.name,
        LifecycleHookName: HEADROOM_HOOK_NAME,
        EC2InstanceId: instance.id,
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      }, [`arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${instance.group.name}`]);
      ready().delivery.eventBridge('lifecycle', () => handleLifecycle(event, ready().ctx));
    },
    detail() {
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
    },
  };
}
