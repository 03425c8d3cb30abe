/**
 * The lower bound on cost of a scenario, computed once from its demand and shared by every policy
 * (so `costRatio` compares all policies against the same number).
 *
 * Per simulated minute: the demand is every non-daemon task that wants to run — each service's
 * `desired` at that minute and every job/trace task between its submission and the end of its run
 * time (as if it started at once) — restricted to tasks that can run somewhere (they fit on an empty
 * instance of some group and type, after the daemons, and their `memberOf` constraints hold in one
 * of its zones). Its capacity is the cheapest mix of instances (each group's types, prices, `min`
 * and `max`) whose free resources cover ⌈max(Σcpu/C, Σmem/M)⌉ of the demand, filled greedily by
 * price per covered fraction (whole instances of the best value while they are full, the remainder
 * chosen again). Approximations in the bound's favour: tasks are divisible (no fragmentation);
 * start-up and launch times are ignored; zone pinning only decides feasibility, not which group must
 * host a task; a static host port or `distinctInstance` only raises the instance count to the task
 * count that needs one each. One against it: the greedy fill is exact when the types cost the same
 * per vCPU and per GiB (one family's sizes), but with types of different value per resource (two
 * families, Spot beside On-Demand) a mix it skips can be cheaper (12 vCPU of demand on types
 * of 10 vCPU at 10 USD and 6 vCPU at 6.50 USD: the fill pays 16.50, two of the smaller 13). An
 * exact bound would solve that small integer program (or its LP relaxation) per minute; until then
 * a cost ratio under 1 for a policy doing all the work points at this, not at the policy.
 */
import type { CapacityGroup, TaskShape } from '../../core/cluster';
import { fits, freshBin } from '../../core/placement';
import type { Scenario, ServiceSpec } from '../scenario/scenario';
import { instanceTypesOf, zonesOf, type InstanceTypeSpec } from '../world/world-types';
import { desiredAt, type Submission } from '../scenario/workload';

export interface LowerBound {
  /** Instances of the cheapest feasible mix, per minute (index = minute). */
  readonly instances: readonly number[];
  /** Its price per hour, per minute. */
  readonly pricePerHour: readonly number[];
  /** ∫ price dt over the run (USD). */
  readonly cost: number;
  /** Tasks left out because they fit nowhere (one count per service or submission). */
  readonly infeasible: number;
}

interface Option {
  readonly group: string;
  readonly type: InstanceTypeSpec;
  readonly cpu: number;
  readonly memory: number;
  readonly min: number;
  readonly max: number;
  readonly bins: ReturnType<typeof freshBin>[];
}

export function shapeOfService(s: ServiceSpec): TaskShape {
  return {
    cpu: s.cpu,
    memory: s.memory,
    ...(s.hostPorts.length > 0 ? { tcpPorts: s.hostPorts } : {}),
    ...(s.distinctInstance === true ? { distinctInstance: true } : {}),
    ...(s.memberOf !== undefined && s.memberOf.length > 0 ? { memberOf: s.memberOf } : {}),
    taskGroup: `service:${s.name}`,
  };
}

function optionsOf(scenario: Scenario): Option[] {
  const daemons = scenario.services.filter((s) => s.daemon).map(shapeOfService);
  const out: Option[] = [];
  for (const g of scenario.capacityGroups) {
    const types = instanceTypesOf(g);
    for (const type of types) {
      const bins = zonesOf(g).map((zone, k) => {
        const core: CapacityGroup = { name: g.name, min: 0, max: 1, desired: 0, instance: { cpu: type.cpu, memory: type.memory }, instanceType: type.instanceType, attributes: { 'ecs.availability-zone': zone, 'ecs.instance-type': type.instanceType, 'ecs.os-type': 'linux' } };
        return freshBin(core, daemons, k, 'bound');
      });
      const free = bins[0];
      if (free === undefined) continue;
      // A mixed group's min/max count weight units; spread over its types, each type may fill it.
      out.push({ group: g.name, type, cpu: free.cpu, memory: free.memory, min: types.length === 1 ? Math.ceil(g.min / type.weight) : 0, max: Math.floor(g.max / type.weight), bins });
    }
  }
  return out;
}

const feasible = (shape: TaskShape, options: readonly Option[]): boolean => options.some((o) => o.bins.some((b) => fits(shape, b).ok));

/** Cheapest instance mix covering (cpu, memory) and at least `minInstances` instances. */
function cheapest(cpu: number, memory: number, minInstances: number, options: readonly Option[]): { instances: number; price: number } {
  let instances = 0;
  let price = 0;
  let cpuLeft = cpu;
  let memLeft = memory;
  const taken = new Map<Option, number>();
  for (const o of options) {
    if (o.min <= 0) continue;
    taken.set(o, o.min);
    instances += o.min;
    price += o.min * o.type.pricePerHour;
    cpuLeft -= o.min * o.cpu;
    memLeft -= o.min * o.memory;
  }
  const cover = (o: Option): number => Math.min(cpuLeft > 0 ? o.cpu / cpuLeft : Number.POSITIVE_INFINITY, memLeft > 0 ? o.memory / memLeft : Number.POSITIVE_INFINITY);
  while (cpuLeft > 1e-9 || memLeft > 1e-9) {
    let best: Option | undefined;
    let bestValue = Number.POSITIVE_INFINITY;
    for (const o of options) {
      if ((taken.get(o) ?? 0) >= o.max) continue;
      const f = cover(o);
      if (!(f > 0)) continue;
      const value = o.type.pricePerHour / Math.min(1, f);
      if (value < bestValue) {
        bestValue = value;
        best = o;
      }
    }
    if (best === undefined) break; // demand beyond every group's max: the rest cannot run
    // Whole instances of the best value while they are all filled, then choose again for the rest:
    // rounding up here bought a second large instance where a small one covered the remainder
    // (17 vCPU as two 16-vCPU instances instead of one and a 4-vCPU one), above what a policy pays.
    const f = cover(best);
    const need = Math.max(1, Math.floor(1 / f + 1e-9));
    const n = Math.min(need, best.max - (taken.get(best) ?? 0));
    taken.set(best, (taken.get(best) ?? 0) + n);
    instances += n;
    price += n * best.type.pricePerHour;
    cpuLeft -= n * best.cpu;
    memLeft -= n * best.memory;
  }
  if (instances < minInstances) {
    const spare = options.filter((o) => (taken.get(o) ?? 0) < o.max).sort((a, b) => a.type.pricePerHour - b.type.pricePerHour);
    for (const o of spare) {
      const n = Math.min(minInstances - instances, o.max - (taken.get(o) ?? 0));
      instances += n;
      price += n * o.type.pricePerHour;
      if (instances >= minInstances) break;
    }
  }
  return { instances, price };
}

/** The bound of the module comment: each minute's demand, covered by its cheapest feasible mix. */
export function lowerBoundOf(scenario: Scenario, submissions: readonly Submission[]): LowerBound {
  const options = optionsOf(scenario);
  const minutes = Math.ceil(scenario.durationMinutes);
  const standalone = standaloneDemand(submissions, options, minutes);
  let infeasible = standalone.infeasible;
  const services = scenario.services.filter((s) => !s.daemon).map((s) => ({ spec: s, shape: shapeOfService(s) }));
  const runnable = services.filter((s) => {
    const ok = feasible(s.shape, options);
    if (!ok) infeasible++;
    return ok;
  });
  const instances: number[] = [];
  const pricePerHour: number[] = [];
  let cost = 0;
  for (let m = 0; m <= minutes; m++) {
    const demand = serviceDemandAt(runnable, m, standalone.cpu[m] ?? 0, standalone.memory[m] ?? 0);
    const best = cheapest(demand.cpu, demand.memory, demand.floor, options);
    instances.push(best.instances);
    pricePerHour.push(best.price);
    if (m < scenario.durationMinutes) cost += (best.price * Math.min(1, scenario.durationMinutes - m)) / 60;
  }
  return { instances, pricePerHour, cost, infeasible };
}

/**
 * Standalone work's average occupancy of each minute 0…`minutes` (partial minutes at the ends,
 * whole minutes through a difference array), and how many submissions fit nowhere.
 */
function standaloneDemand(submissions: readonly Submission[], options: readonly Option[], minutes: number): { cpu: Float64Array; memory: Float64Array; infeasible: number } {
  const cpu = new Float64Array(minutes + 1);
  const memory = new Float64Array(minutes + 1);
  let infeasible = 0;
  const dCpu = new Float64Array(minutes + 2);
  const dMem = new Float64Array(minutes + 2);
  const shapeOk = new Map<string, boolean>();
  for (const s of submissions) {
    const key = `${s.cpu}/${s.memory}`;
    let ok = shapeOk.get(key);
    if (ok === undefined) {
      ok = feasible({ cpu: s.cpu, memory: s.memory }, options);
      shapeOk.set(key, ok);
    }
    if (!ok) {
      infeasible++;
      continue;
    }
    const from = s.atSecond / 60;
    const to = Math.min(minutes, (s.atSecond + s.durationSeconds) / 60);
    const add = (m: number, share: number): void => {
      if (m < 0 || m > minutes) return;
      cpu[m] = (cpu[m] ?? 0) + s.cpu * share;
      memory[m] = (memory[m] ?? 0) + s.memory * share;
    };
    const a = Math.floor(from);
    const b = Math.floor(to);
    if (a === b) add(a, to - from);
    else {
      add(a, a + 1 - from);
      if (b > a + 1) {
        dCpu[a + 1] = (dCpu[a + 1] ?? 0) + s.cpu;
        dCpu[b] = (dCpu[b] ?? 0) - s.cpu;
        dMem[a + 1] = (dMem[a + 1] ?? 0) + s.memory;
        dMem[b] = (dMem[b] ?? 0) - s.memory;
      }
      add(b, to - b);
    }
  }
  let runCpu = 0;
  let runMem = 0;
  for (let m = 0; m <= minutes; m++) {
    runCpu += dCpu[m] ?? 0;
    runMem += dMem[m] ?? 0;
    cpu[m] = (cpu[m] ?? 0) + runCpu;
    memory[m] = (memory[m] ?? 0) + runMem;
  }
  return { cpu, memory, infeasible };
}

/**
 * Minute `m`'s total demand: the standalone part plus every runnable service's desired tasks, and
 * the instance count that host ports and `distinctInstance` force (one task of each per instance).
 */
function serviceDemandAt(runnable: readonly { spec: ServiceSpec }[], m: number, standaloneCpu: number, standaloneMemory: number): { cpu: number; memory: number; floor: number } {
  let cpu = standaloneCpu;
  let memory = standaloneMemory;
  const oneEach = new Map<string, number>();
  for (const s of runnable) {
    const n = desiredAt(s.spec, m);
    cpu += n * s.spec.cpu;
    memory += n * s.spec.memory;
    if (s.spec.distinctInstance === true) oneEach.set(`distinct:${s.spec.name}`, n);
    for (const p of s.spec.hostPorts) oneEach.set(`port:${p}`, (oneEach.get(`port:${p}`) ?? 0) + n);
  }
  return { cpu, memory, floor: Math.max(0, ...oneEach.values()) };
}
