/**
 * The Lambda environment of the `headroom` policy for a scenario: the variables a deployment sets
 * (cluster, groups, drain queue) plus the scenario's `env`, validated by the core's `loadConfig`
 * exactly as a deployed handler validates it. The scenario's `env` tunes `headroom` only (docs/design.md
 * §7); the `ugns` baseline runs with the seed design's own thresholds (`baselineConfig`), as the
 * seed design shipped them, so tuning Headroom never retunes what it is compared with.
 */
import { DEFAULTS, loadConfig, type Config } from '../../../core/config';
import type { Scenario } from '../../scenario/scenario';

export const SIM_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-drain';

export function clusterNameOf(scenario: Scenario): string {
  return scenario.name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 255) || 'sim';
}

export function lambdaEnvironment(scenario: Scenario): Record<string, string> {
  return {
    CLUSTER_NAME: clusterNameOf(scenario),
    ASG_NAMES: scenario.capacityGroups.map((g) => g.name).join(','),
    DRAIN_QUEUE_URL: SIM_QUEUE_URL,
    ...scenario.env,
  };
}

/**
 * The seed design's own thresholds (its SchedulableContainers alarms: scale out at ≤ 2, scale in at
 * ≥ 10; docs/design.md §7). Pinned here, not read from Headroom's `DEFAULTS`:
 * choosing Headroom's defaults by simulation must never retune the baseline it is compared with.
 */
export const SEED_DESIGN_THRESHOLDS = { SHORTAGE_THRESHOLD: '2', EXCESS_THRESHOLD: '10' } as const;

/** The configuration the `ugns` baseline runs with: the seed design's thresholds, no scenario `env`. */
export function baselineConfig(scenario: Scenario): Config {
  const { CLUSTER_NAME, ASG_NAMES, DRAIN_QUEUE_URL } = lambdaEnvironment(scenario);
  return loadConfig({ CLUSTER_NAME, ASG_NAMES, DRAIN_QUEUE_URL, ...SEED_DESIGN_THRESHOLDS });
}

/** The validated configuration; throws the core's `ConfigError` listing every bad variable. */
export function headroomConfig(scenario: Scenario): Config {
  return loadConfig(lambdaEnvironment(scenario), { requireDrainQueue: true });
}

/** The scenario env entries that change Headroom's documented defaults, as `NAME=value (default d)`. */
export function envChanges(scenario: Scenario): string[] {
  const defaults: Readonly<Record<string, unknown>> = DEFAULTS;
  return Object.entries(scenario.env)
    .filter(([k, v]) => String(defaults[k]) !== v.trim())
    .map(([k, v]) => `${k}=${v} (default ${String(defaults[k])})`);
}
