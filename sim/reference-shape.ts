/** The reference task shape a policy measures headroom in, from the scenario and a configuration. */
import type { Resources, Service } from '../core/cluster';
import { referenceShape } from '../core/headroom';
import type { Scenario } from './scenario';

/** Configured (`TASK_CPU`/`TASK_MEMORY`), else the largest non-daemon service (`auto`). */
export function referenceShapeOf(scenario: Scenario, configured: Resources | 'auto'): Resources {
  const services: Service[] = scenario.services.map((s) => ({ name: s.name, shape: { cpu: s.cpu, memory: s.memory }, daemon: s.daemon, desired: 0, running: 0, pending: 0, unplaced: 0 }));
  return referenceShape(configured, services, []);
}
