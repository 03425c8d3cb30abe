/**
 * The Lambda environment of the `headroom` policy for a scenario: the variables a deployment sets
 * (cluster, groups, drain queue) plus the scenario's `env`, validated by the core's `loadConfig`
 * exactly as a deployed handler validates it. Baselines read their thresholds from the same
 * configuration so every policy is tuned alike.
 */
import { loadConfig, type Config } from '../core/config';
import type { Scenario } from './scenario';

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

/** The validated configuration; throws the core's `ConfigError` listing every bad variable. */
export function headroomConfig(scenario: Scenario): Config {
  return loadConfig(lambdaEnvironment(scenario), { requireDrainQueue: true });
}
