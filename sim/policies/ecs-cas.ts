/**
 * `ecs-cas`: Amazon ECS cluster auto scaling (capacity provider managed scaling) with managed
 * termination protection, managed instance draining and the agent's Spot draining, modelled from
 * the ECS Developer Guide ("Amazon ECS capacity provider managed scaling", "Managed termination
 * protection", "Safely stop workloads with managed instance draining", "Spot Instance draining")
 * and the AWS blog "Deep Dive on Amazon ECS Cluster Auto Scaling" (2020):
 * - Every minute ECS publishes `CapacityProviderReservation` = N / M × 100, where M is the number
 *   of instances in the group and N the number it needs: with tasks in PROVISIONING (here: service
 *   tasks without a place and queued standalone tasks), N = M + the new instances a binpack of
 *   those tasks needs (at least `minimumScalingStepSize` 1, at most `maximumScalingStepSize`
 *   10 000), counting instances still launching or inside the 300 s instance warm-up as capacity
 *   already on its way; without them, N = instances running at least one non-daemon task.
 * - Target tracking at target capacity 100 %: scale out after 1 datapoint of 1 minute above
 *   target; scale in after 15 consecutive 1-minute datapoints below target, to N.
 * - Managed termination protection: Auto Scaling may only remove instances without non-daemon
 *   tasks, so scale-in removes empty instances only and never consolidates.
 * - Managed draining: ECS owns a terminate lifecycle hook, sets the instance DRAINING and completes
 *   the hook once its tasks are gone.
 * - `ECS_ENABLE_SPOT_INSTANCE_DRAINING=true`: the agent sets DRAINING on the Spot warning; ECS
 *   replaces service tasks elsewhere; standalone tasks die with the instance.
 * API calls are made by ECS on the customer's behalf; we count its metric publication and each
 * Auto Scaling or drain call so the column is comparable.
 */
import { packFirstFitDecreasing } from '../../core/packing';
import { binOf, freshBin, type Bin } from '../../core/placement';
import type { Policy } from '../policy';
import { pollDrain } from './drain-poll';
import type { SimInstance, World } from '../world';

export const CAS_TARGET_PERCENT = 100;
export const CAS_SCALE_IN_DATAPOINTS = 15;
export const CAS_WARMUP_SECONDS = 300;
export const CAS_MAX_STEP = 10_000;
export const CAS_HOOK_SECONDS = 3600;
export const CAS_DRAIN_POLL_SECONDS = 30;

export function ecsCasPolicy(): Policy {
  const below = new Map<string, number>();

  const tick = (world: World): void => {
    world.countApi(1); // PutMetricData CapacityProviderReservation
    const provisioning = world.waitingShapes();
    for (const g of world.groups) {
      const members = world.liveMembers(g);
      const M = members.length;
      let N: number;
      if (provisioning.length > 0) {
        // Capacity on its way: launching instances and instances inside the warm-up.
        const bins: Bin[] = [];
        const daemons = world.daemonShapes();
        const core = world.coreGroup(g);
        members.forEach((i, k) => {
          if (i.registeredAt === undefined) bins.push(freshBin(core, daemons, k, 'launching'));
          else if (world.now - i.registeredAt < CAS_WARMUP_SECONDS * 1000 && i.ecsStatus === 'ACTIVE') bins.push(binOf(world.toCore(i)));
        });
        const packed = packFirstFitDecreasing(provisioning, bins, { make: (n) => freshBin(core, daemons, n), limit: CAS_MAX_STEP });
        const needed = packed.opened.length;
        N = M + (needed > 0 ? Math.max(1, Math.min(CAS_MAX_STEP, needed)) : 0);
      } else {
        N = members.filter((i) => i.registeredAt === undefined || [...i.tasks.values()].some((t) => t.role !== 'daemon')).length;
      }
      const reservation = M === 0 ? (N > 0 ? 200 : CAS_TARGET_PERCENT) : (N / M) * 100;
      if (reservation > CAS_TARGET_PERCENT) {
        below.set(g.name, 0);
        const target = Math.min(g.max, Math.max(g.min, N));
        if (target > g.desired) {
          world.setDesired(g, target, 'ecs-cas target tracking');
          world.countApi(1);
        }
      } else if (reservation < CAS_TARGET_PERCENT) {
        const n = (below.get(g.name) ?? 0) + 1;
        below.set(g.name, n);
        if (n >= CAS_SCALE_IN_DATAPOINTS) {
          const target = Math.max(g.min, N);
          if (target < g.desired) {
            world.setDesired(g, target, 'ecs-cas target tracking');
            world.countApi(1);
          }
          below.set(g.name, 0);
        }
      } else {
        below.set(g.name, 0);
      }
    }
  };

  const drain = (world: World, i: SimInstance): void => pollDrain(world, i, { pollSeconds: CAS_DRAIN_POLL_SECONDS, label: 'ecs-managed-drain', callsPerPoll: 0 });

  return {
    name: 'ecs-cas',
    settings: { hook: { name: 'ecs-managed-draining', heartbeatSeconds: CAS_HOOK_SECONDS }, protectBusyFromScaleIn: true, agentSpotDraining: true, capacityProviders: true },
    start(world) {
      for (let t = world.now + 60_000; t < world.end; t += 60_000) world.schedule(t, 'ecs-cas-metric', () => tick(world));
    },
    onLifecycleHook(world, i) {
      world.countApi(1);
      world.setEcsStatus(i, 'DRAINING', 'ecs managed draining');
      drain(world, i);
    },
  };
}
