/**
 * `static-peak`: a fixed fleet sized for the peak — what a team runs when it does not autoscale.
 * Each group has min = max = desired = the most instances first-fit decreasing needs at any minute
 * of the scenario for the nominal workload (service desired counts, jobs and trace tasks at their
 * submission times, daemons on every instance), filling groups in priority order. No lifecycle
 * hook, no Spot handling: Auto Scaling only replaces instances EC2 reclaims (EC2 Auto Scaling User
 * Guide, "Maintain a fixed number of instances"). A mixed-instances group is packed as instances of
 * its `instanceType` and sized in weight units, since its desired capacity counts units (EC2 Auto
 * Scaling User Guide, "Configure an Auto Scaling group to use instance weights": min, max and
 * desired capacity are given in the weights' units).
 */
import { packFirstFitDecreasing } from '../../core/packing';
import { freshBin } from '../../core/placement';
import type { CapacityGroup, TaskShape } from '../../core/cluster';
import type { Policy } from './policy';
import type { CapacityGroupSpec, Scenario } from '../scenario/scenario';
import { desiredAt, type Submission } from '../scenario/workload';

/** Capacity units one instance of the group's own `instanceType` counts for (1 unless weighted). */
function ownTypeWeight(g: CapacityGroupSpec): number {
  return g.instanceTypes?.find((t) => t.instanceType === g.instanceType)?.weight ?? 1;
}

/** Desired capacity per group (instances, or weight units for a weighted group) for the peak of the nominal workload. */
export function peakFleet(scenario: Scenario, submissions: readonly Submission[]): Map<string, number> {
  const daemons: TaskShape[] = scenario.services.filter((s) => s.daemon).map((s) => ({ cpu: s.cpu, memory: s.memory }));
  const weights = new Map(scenario.capacityGroups.map((g) => [g.name, ownTypeWeight(g)]));
  const unitsOf = (name: string, instances: number): number => instances * (weights.get(name) ?? 1);
  const groups: CapacityGroup[] = scenario.capacityGroups.map((g) => ({ name: g.name, min: g.min, max: Math.max(1, Math.floor(g.max / ownTypeWeight(g))), desired: g.initial, instance: { cpu: g.cpu, memory: g.memory }, instanceType: g.instanceType }));
  const step = Math.max(1, Math.floor(scenario.durationMinutes / 720));
  const best = new Map<string, number>(groups.map((g) => [g.name, 0]));
  let peakTotal = -1;
  for (let m = 0; m <= scenario.durationMinutes; m += step) {
    const tasks: TaskShape[] = [];
    for (const s of scenario.services) {
      if (s.daemon) continue;
      const n = desiredAt(s, m);
      for (let k = 0; k < n; k++) tasks.push({ cpu: s.cpu, memory: s.memory, ...(s.hostPorts.length > 0 ? { tcpPorts: s.hostPorts } : {}) });
    }
    for (const w of submissions) if (w.atSecond <= m * 60 && w.atSecond + w.durationSeconds > m * 60) tasks.push({ cpu: w.cpu, memory: w.memory });
    let pending = tasks;
    const counts = new Map<string, number>();
    let total = 0;
    for (const g of groups) {
      if (pending.length === 0) break;
      const r = packFirstFitDecreasing(pending, [], { make: (n) => freshBin(g, daemons, n), limit: g.max });
      counts.set(g.name, r.opened.length);
      total += r.opened.length;
      pending = r.unplaced.map((u) => pending[u.task] as TaskShape);
    }
    if (total > peakTotal) {
      peakTotal = total;
      for (const g of groups) best.set(g.name, counts.get(g.name) ?? 0);
    }
  }
  // In the group's own units, never below its configured minimum.
  for (const g of scenario.capacityGroups) best.set(g.name, Math.max(g.min, unitsOf(g.name, best.get(g.name) ?? 0)));
  return best;
}

export function staticPeakPolicy(fleet: ReadonlyMap<string, number>): Policy {
  return {
    name: 'static-peak',
    settings: { fixedSize: (g) => fleet.get(g.name) ?? g.initial },
    start: () => undefined,
  };
}
