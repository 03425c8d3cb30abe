/**
 * Rule: the lower bound never asks for more than a policy doing the work pays. Each minute's demand
 * is covered greedily by price per covered fraction, with whole instances of the best value while
 * they are full and the remainder chosen again (not rounded up to one more of the best value).
 */
import { lowerBoundOf } from '../../sim/run/lower-bound';
import { parseScenario } from '../../sim/scenario/scenario';
import { buildWorkload } from '../../sim/scenario/workload';

/** A 10-minute scenario of `tasks` 1,024-CPU tasks on a 16-vCPU group and a 4-vCPU group of the same price per vCPU. */
function boundPerHour(tasks: number): { instances: number; price: number } {
  const scenario = parseScenario({
    name: 'bound',
    seed: 1,
    durationMinutes: 10,
    capacityGroups: [
      { name: 'large', instanceType: 'm5.4xlarge', cpu: 16384, memory: 65536, pricePerHour: 0.768, min: 0, max: 10, initial: 0, launchSeconds: 60 },
      { name: 'small', instanceType: 'm5.xlarge', cpu: 4096, memory: 16384, pricePerHour: 0.192, min: 0, max: 10, initial: 0, launchSeconds: 60 },
    ],
    services: [{ name: 'web', cpu: 1024, memory: 1024, desired: [[0, tasks], [10, tasks]] }],
  });
  const bound = lowerBoundOf(scenario, buildWorkload(scenario, process.cwd()).submissions);
  return { instances: bound.instances[5] ?? -1, price: bound.pricePerHour[5] ?? -1 };
}

describe('the lower bound covers the remainder with the cheapest instance that holds it', () => {
  it.each<[string, number, number, number]>([
    ['16 tasks: one large instance', 16, 1, 0.768],
    ['17 tasks: one large and one small, not two large', 17, 2, 0.96],
    ['20 tasks: one large and one small', 20, 2, 0.96],
    ['21 tasks: one large and two small', 21, 3, 1.152],
    ['3 tasks: one small', 3, 1, 0.192],
  ])('%s', (_rule, tasks, instances, price) => {
    const b = boundPerHour(tasks);
    expect(b.instances).toBe(instances);
    expect(b.price).toBeCloseTo(price, 6);
  });
});
