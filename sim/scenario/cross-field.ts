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

/** Every cross-field problem of `input`; each check reads only fields that are individually well-typed. */
export function crossFieldProblems(input: unknown): string[] {
  const out: string[] = [];
  const s = obj(input);
  if (s === undefined) return out;
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
  const strategyRefs = (list: unknown, path: string): void => {
    arr(list).forEach((raw, k) => {
      const p = obj(raw)?.capacityProvider;
      if (typeof p === 'string' && !groupNames.has(p)) out.push(`${path}[${k}].capacityProvider: no capacity group named "${p}"`);
    });
    if (Array.isArray(list) && list.length > 0 && list.every((raw) => num(obj(raw)?.weight) === 0)) out.push(`${path}: at least one weight must be above 0`);
  };
  strategyRefs(obj(s.cluster)?.defaultCapacityProviderStrategy, 'cluster.defaultCapacityProviderStrategy');
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
    strategyRefs(sv.capacityProviderStrategy, `services[${i}].capacityProviderStrategy`);
  });
  const range = (v: unknown, path: string): void => {
    const [lo, hi] = [num(arr(v)[0]), num(arr(v)[1])];
    if (lo !== undefined && hi !== undefined && lo > hi) out.push(`${path}: expected [min, max] with min ≤ max (got [${lo}, ${hi}])`);
  };
  range(obj(s.faults)?.eventDelaySeconds, 'faults.eventDelaySeconds');
  const throttleSpec = obj(obj(s.faults)?.throttle);
  const buckets = Object.entries(obj(throttleSpec?.buckets) ?? {});
  if (throttleSpec?.enabled === false && buckets.length > 0) out.push('faults.throttle: buckets have no effect with enabled: false (remove one or the other)');
  for (const [name, raw] of buckets) {
    const [burst, rate] = [num(obj(raw)?.burst), num(obj(raw)?.ratePerSecond)];
    // AWS's buckets refill no faster than their size per second; a faster refill is a typo.
    if (burst !== undefined && burst >= 1 && rate !== undefined && rate > burst) out.push(`faults.throttle.buckets.${name}: expected ratePerSecond ≤ burst (got ${rate} > ${burst})`);
  }
  for (const key of Object.keys(obj(s.env) ?? {})) {
    if (!tunable.has(key)) out.push(`env.${key}: unknown variable: expected one of ${TUNABLE_ENV.join(', ')} (the deployment's CLUSTER_NAME, ASG_NAMES and DRAIN_QUEUE_URL are set by the simulator)`);
  }
  const intr = obj(s.interruptions);
  range(obj(intr?.rebalance)?.leadMinutes, 'interruptions.rebalance.leadMinutes');
  arr(intr?.storms).forEach((raw, k) => {
    const z = obj(raw)?.availabilityZone;
    if (typeof z === 'string' && !zones.has(z)) out.push(`interruptions.storms[${k}].availabilityZone: no capacity group has zone "${z}"`);
  });
  return out;
}

