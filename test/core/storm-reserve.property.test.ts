import fc from 'fast-check';
import type { Instance } from '../../core/cluster';
import { planScaleOut } from '../../core/scale-out';
import { binOf, freshBin } from '../../core/placement';
import { reserveBudget, reserveShortfall, reserveVictims } from '../../core/reserve';
import { group, instance, NOW, serviceTask, shape } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };

/** One UNIT-sized Spot instance per load, holding the tasks of the load that fit on it, in order. */
function spotInstances(loads: ReadonlyArray<ReadonlyArray<{ cpu: number; memory: number }>>): Instance[] {
  return loads.map((tasks, n) => {
    const fitting: Array<{ cpu: number; memory: number }> = [];
    let cpu = 0;
    let memory = 0;
    for (const t of tasks) if (cpu + t.cpu <= UNIT.cpu && memory + t.memory <= UNIT.memory) [cpu, memory] = [cpu + t.cpu, memory + t.memory], fitting.push(t);
    return instance({ id: `i-${n}`, group: 'spot', registered: UNIT, tasks: fitting.map((t) => serviceTask(t.cpu, t.memory)) });
  });
}

describe('storm reserve properties', () => {
  it('after the planned scale-out, the service tasks of the k fullest Spot instances fit on the rest', () => {
    const taskArb = fc.record({ cpu: fc.integer({ min: 128, max: 2048 }), memory: fc.integer({ min: 128, max: 8192 }) });
    fc.assert(
      fc.property(fc.array(fc.array(taskArb, { maxLength: 6 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 3 }), (loads, k) => {
        const instances = spotInstances(loads);
        const spot = group({ name: 'spot', instance: UNIT, max: 1000, desired: instances.length, members: instances.map((i) => ({ id: i.id, pending: false })), spot: true });
        const plan = planScaleOut({ now: NOW, instances, groups: [spot], services: [], shape: shape(128, 128), shortageThreshold: 0, maxStep: 1000, backoffSeconds: 300, provisioningTimeoutSeconds: 600, spotReserve: k });
        const added = plan.actions.reduce((n, a) => n + a.count, 0);
        const bins = [...instances.map(binOf), ...Array.from({ length: added }, (_, n) => freshBin(spot, [], n))];
        const victims = reserveVictims(instances, new Set(['spot']), k, () => false);
        expect(reserveShortfall(victims, bins)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('the room insured never exceeds SPOT_RESERVE_PERCENT of the fleet, in CPU and in memory', () => {
    const taskArb = fc.record({ cpu: fc.integer({ min: 128, max: 2048 }), memory: fc.integer({ min: 128, max: 8192 }) });
    fc.assert(
      fc.property(fc.array(fc.array(taskArb, { maxLength: 4 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 100 }), (loads, k, percent) => {
        const instances: Instance[] = loads.map((tasks, n) => instance({ id: `i-${n}`, group: 'spot', registered: { cpu: 16384, memory: 65536 }, tasks: tasks.map((t) => serviceTask(t.cpu, t.memory)) }));
        const budget = reserveBudget(instances, percent);
        const insured = reserveVictims(instances, new Set(['spot']), k, () => false, budget).flatMap((v) => v.tasks);
        expect(insured.reduce((n, t) => n + t.cpu, 0)).toBeLessThanOrEqual(budget.cpu);
        expect(insured.reduce((n, t) => n + t.memory, 0)).toBeLessThanOrEqual(budget.memory);
      }),
      { numRuns: 300 },
    );
  });

  it('the reserve never buys more new instances than SPOT_RESERVE_PERCENT of the fleet, rounded down', () => {
    const taskArb = fc.record({ cpu: fc.integer({ min: 128, max: 2048 }), memory: fc.integer({ min: 128, max: 8192 }) });
    fc.assert(
      fc.property(fc.array(fc.array(taskArb, { maxLength: 6 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 99 }), (loads, k, percent) => {
        const instances = spotInstances(loads);
        const spot = group({ name: 'spot', instance: UNIT, max: 1000, desired: instances.length, members: instances.map((i) => ({ id: i.id, pending: false })), spot: true });
        const plan = planScaleOut({ now: NOW, instances, groups: [spot], services: [], shape: shape(128, 128), shortageThreshold: 0, maxStep: 1000, backoffSeconds: 300, provisioningTimeoutSeconds: 600, spotReserve: k, spotReservePercent: percent });
        expect(plan.actions.reduce((n, a) => n + a.count, 0)).toBeLessThanOrEqual(Math.floor((percent * instances.length) / 100));
      }),
      { numRuns: 300 },
    );
  });
});
