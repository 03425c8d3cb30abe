/** The reference task shape a policy measures headroom in, from the scenario and a configuration. */
import type { Resources, Service } from '../../core/cluster';
import { referenceShape } from '../../core/headroom';
import type { Scenario } from './scenario';

/** Configured (`TASK_CPU`/`TASK_MEMORY`), else Headroom's `auto` shape over the scenario's non-daemon services (no task counts are known here, so the plain median of their shapes; docs/design.md §3.1). */
export function referenceShapeOf(scenario: Scenario, configured: Resources | 'auto'): Resources {
  const services: Service[] = scenario.services.map((s) => ({ name: s.name, shape: { cpu: s.cpu, memory: s.memory }, daemon: s.daemon, desired: 0, running: 0, pending: 0, unplaced: 0 }));
  return referenceShape(configured, services, []);
}

/**
 * The seed design's reference shape ("container max CPU/memory"): the largest CPU and the largest
 * memory reservation among the scenario's non-daemon services, unless configured. Kept apart from
 * Headroom's `auto` shape (a demand-weighted median since the decisions work) so the `ugns`
 * baseline measures its SchedulableContainers metric as it was designed.
 */
export function seedReferenceShapeOf(scenario: Scenario, configured: Resources | 'auto'): Resources {
  if (configured !== 'auto') return configured;
  const services = scenario.services.filter((s) => s.daemon !== true);
  if (services.length === 0) return referenceShapeOf(scenario, configured);
  return { cpu: Math.max(...services.map((s) => s.cpu)), memory: Math.max(...services.map((s) => s.memory)) };
}
