/**
 * Checks across the fields of a scenario file (`scenario.ts` validates each field on its own), run
 * on the raw input whether or not the field types are valid, so a file with a wrong type in one
 * place and an inconsistent range in another lists both problems at once.
 */
import { DEFAULTS } from '../../core/config';

/** The variables `core/config.ts` reads that a scenario may tune (the deployment ones are the simulator's). */
export const TUNABLE_ENV = Object.keys(DEFAULTS) as ReadonlyArray<keyof typeof DEFAULTS>;
const tunable = new Set<string>(TUNABLE_ENV);

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Every cross-field problem of `input`, in file order (groups, cluster, services, faults, env,
 * interruptions); each check reads only fields that are individually well-typed.
 */
export function crossFieldProblems(input: unknown): string[] {
  const out: string[] = [];
  const s = obj(input);
  if (s === undefined) return out;
  const { groupNames, zones } = groupProblems(s, out);
  strategyProblems(obj(s.cluster)?.defaultCapacityProviderStrategy, 'cluster.defaultCapacityProviderStrategy', groupNames, out);
  serviceProblems(s, groupNames, out);
  faultProblems(s, out);
  for (const key of Object.keys(obj(s.env) ?? {})) {
    if (!tunable.has(key)) out.push(`env.${key}: unknown variable: expected one of ${TUNABLE_ENV.join(', ')} (the deployment's CLUSTER_NAME, ASG_NAMES and DRAIN_QUEUE_URL are set by the simulator)`);
  }
  const intr = obj(s.interruptions);
  rangeProblem(obj(intr?.rebalance)?.leadMinutes, 'interruptions.rebalance.leadMinutes', out);
  arr(intr?.storms).forEach((raw, k) => {
    const z = obj(raw)?.availabilityZone;
    if (typeof z === 'string' && !zones.has(z)) out.push(`interruptions.storms[${k}].availabilityZone: no capacity group has zone "${z}"`);
  });
  return out;
}

/** Capacity groups: min ≤ initial ≤ max, unique names, one way to give zones, launch-failure windows. Returns the names and zones seen. */
function groupProblems(s: Loose, out: string[]): { groupNames: Set<string>; zones: Set<string> } {
  const groupNames = new Set<string>();
  const zones = new Set<string>();
  arr(s.capacityGroups).forEach((raw, i) => {
    const g = obj(raw);
    if (g === undefined) return;
    const [min, max, initial] = [num(g.min), num(g.max), num(g.initial)];
    if (min !== undefined && max !== undefined && min > max) out.push(`capacityGroups[${i}].min: must not exceed max (${min} > ${max})`);
    if (initial !== undefined && min !== undefined && max !== undefined && (initial < min || initial > max)) out.push(`capacityGroups[${i}].initial: must lie between min ${min} and max ${max} (got ${initial})`);
    if (typeof g.name === 'string') {
      if (groupNames.has(g.name)) out.push(`capacityGroups[${i}].name: duplicate group name "${g.name}"`);
      groupNames.add(g.name);
    }
    if (typeof g.availabilityZone === 'string') zones.add(g.availabilityZone);
    if (g.availabilityZone !== undefined && g.availabilityZones !== undefined) out.push(`capacityGroups[${i}]: set availabilityZone or availabilityZones, not both`);
    for (const z of arr(g.availabilityZones)) if (typeof z === 'string') zones.add(z);
    arr(g.launchFailures).forEach((w, k) => {
      const f = obj(w);
      const [from, to] = [num(f?.fromMinute), num(f?.toMinute)];
      if (from !== undefined && to !== undefined && from >= to) out.push(`capacityGroups[${i}].launchFailures[${k}]: expected fromMinute < toMinute (got ${from} ≥ ${to})`);
    });
  });
  return { groupNames, zones };
}

/** A capacity provider strategy names existing groups and gives at least one a weight above 0. */
function strategyProblems(list: unknown, path: string, groupNames: ReadonlySet<string>, out: string[]): void {
  arr(list).forEach((raw, k) => {
    const p = obj(raw)?.capacityProvider;
    if (typeof p === 'string' && !groupNames.has(p)) out.push(`${path}[${k}].capacityProvider: no capacity group named "${p}"`);
  });
  if (Array.isArray(list) && list.length > 0 && list.every((raw) => num(obj(raw)?.weight) === 0)) out.push(`${path}: at least one weight must be above 0`);
}

/** Services: unique names, a desired curve for non-daemons with minutes in order, their strategies. */
function serviceProblems(s: Loose, groupNames: ReadonlySet<string>, out: string[]): void {
  const services = new Set<string>();
  arr(s.services).forEach((raw, i) => {
    const sv = obj(raw);
    if (sv === undefined) return;
    if (typeof sv.name === 'string') {
      if (services.has(sv.name)) out.push(`services[${i}].name: duplicate service name "${sv.name}"`);
      services.add(sv.name);
    }
    const desired = arr(sv.desired);
    if (sv.daemon !== true && desired.length === 0) out.push(`services[${i}].desired: expected at least one [minute, count] point for a non-daemon service`);
    for (let k = 1; k < desired.length; k++) {
      const [prev, cur] = [num(arr(desired[k - 1])[0]), num(arr(desired[k])[0])];
      if (prev !== undefined && cur !== undefined && cur < prev) out.push(`services[${i}].desired[${k}]: minutes must not decrease (${cur} after ${prev})`);
    }
    strategyProblems(sv.capacityProviderStrategy, `services[${i}].capacityProviderStrategy`, groupNames, out);
  });
}

/** Faults: the event delay range, and throttle buckets that are used and refill no faster than their size. */
function faultProblems(s: Loose, out: string[]): void {
  rangeProblem(obj(s.faults)?.eventDelaySeconds, 'faults.eventDelaySeconds', out);
  const throttleSpec = obj(obj(s.faults)?.throttle);
  const buckets = Object.entries(obj(throttleSpec?.buckets) ?? {});
  if (throttleSpec?.enabled === false && buckets.length > 0) out.push('faults.throttle: buckets have no effect with enabled: false (remove one or the other)');
  for (const [name, raw] of buckets) {
    const [burst, rate] = [num(obj(raw)?.burst), num(obj(raw)?.ratePerSecond)];
    // AWS's buckets refill no faster than their size per second; a faster refill is a typo.
    if (burst !== undefined && burst >= 1 && rate !== undefined && rate > burst) out.push(`faults.throttle.buckets.${name}: expected ratePerSecond ≤ burst (got ${rate} > ${burst})`);
  }
}

/** A `[min, max]` pair with min ≤ max. */
function rangeProblem(v: unknown, path: string, out: string[]): void {
  const [lo, hi] = [num(arr(v)[0]), num(arr(v)[1])];
  if (lo !== undefined && hi !== undefined && lo > hi) out.push(`${path}: expected [min, max] with min ≤ max (got [${lo}, ${hi}])`);
}
