/**
 * Rule: a mixed-instances group is planned with the types that can hold the work. A task that fits
 * the larger types but not the weakest (after the daemons) scales the group with the weakest type
 * per weight unit among those that hold it, desired growing by that type's weight.
 */
import type { CapacityGroup } from '../../core/cluster';
import { decide } from '../../core/decide';
import { plannedFor, weakestPerUnit } from '../../core/instance-types';
import { splitUnschedulable } from '../../core/unschedulable';
import { group, NOW, SETTINGS, shape } from './builders';

const LARGE = { instanceType: 'm5.large', weight: 1, resources: { cpu: 2048, memory: 7680 } };
const XLARGE = { instanceType: 'm5.xlarge', weight: 2, resources: { cpu: 4096, memory: 15576 } };
const XXLARGE = { instanceType: 'm5.2xlarge', weight: 4, resources: { cpu: 8192, memory: 31152 } };
const mixed = (overrides: Partial<CapacityGroup> = {}): CapacityGroup =>
  group({ name: 'spot-mixed', instance: LARGE.resources, instanceType: 'm5.large', spot: true, max: 80, desired: 4, instanceTypes: [LARGE, XLARGE, XXLARGE], ...overrides });
const daemon = shape(128, 256);

describe('mixed-instances groups: the planned type follows the tasks', () => {
  it.each<[string, ReturnType<typeof shape>[], string, number]>([
    ['small tasks: the weakest type (large), weight 1', [shape(512, 1024)], 'm5.large', 1],
    ['a 2,048-CPU task does not fit a large beside the daemon: the xlarge, weight 2', [shape(2048, 4096)], 'm5.xlarge', 2],
    ['a 6,144-CPU task: only the 2xlarge holds it', [shape(6144, 4096)], 'm5.2xlarge', 4],
    ['a task no type holds leaves the plan as it is', [shape(16384, 1024)], 'm5.large', 1],
    ['the largest waiting task decides', [shape(512, 1024), shape(2048, 4096)], 'm5.xlarge', 2],
  ])('%s', (_rule, tasks, type, weight) => {
    const g = plannedFor(mixed(), tasks, [daemon]);
    expect([g.instanceType, g.weight ?? 1]).toEqual([type, weight]);
  });

  it('a group of one type is never changed', () => {
    const single = group({ name: 'od', instance: LARGE.resources });
    expect(plannedFor(single, [shape(2048, 4096)], [daemon])).toBe(single);
  });

  it('a task only a larger type holds is not unschedulable', () => {
    const split = splitUnschedulable([shape(2048, 4096)], [mixed()], [daemon], []);
    expect([split.schedulable.length, split.unschedulable.length]).toEqual([1, 0]);
  });

  it('decide: 2,048-CPU workers scale the Spot mixed group (2 units per xlarge), not the On-Demand fallback', () => {
    const od = group({ name: 'on-demand', instance: XLARGE.resources, max: 40, desired: 0 });
    const d = decide({
      now: NOW, instances: [], history: [], groups: [mixed({ desired: 0 }), od],
      services: [
        { name: 'agent', shape: daemon, daemon: true, desired: 0, running: 0, pending: 0, unplaced: 0 },
        { name: 'worker', shape: shape(2048, 4096), daemon: false, desired: 3, running: 0, pending: 0, unplaced: 3 },
      ],
      settings: { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1 },
    });
    expect(d.scaleOut.map((a) => [a.group, a.count, a.desired])).toEqual([['spot-mixed', 3, 6]]);
  });
});

/**
 * Rule: one "weakest per weight unit" (`weakestPerUnit`): least capacity per unit in the scarcer
 * dimension, each dimension relative to the group's best per-unit value. The planned shape of a
 * group (`handlers/app/model.ts`) and the type chosen for a task only larger types hold
 * (`plannedFor`) rank types by it alike. Memory-rich types (no type has 4 MiB per CPU unit, the
 * ratio the second rule assumed) are where a fixed ratio and the relative rule disagree.
 */
describe('one rule for the weakest type per weight unit', () => {
  const SMALL = { instanceType: 'r.small', weight: 1, resources: { cpu: 1024, memory: 4096 } };
  // Per unit: R is short of CPU (2,048 of the best 4,096), C short of memory (12,288 of the best 32,768).
  const R = { instanceType: 'r.large', weight: 1, resources: { cpu: 2048, memory: 32768 } };
  const C = { instanceType: 'c.large', weight: 1, resources: { cpu: 4096, memory: 12288 } };
  const richGroup = (): CapacityGroup => group({ name: 'rich', instance: SMALL.resources, instanceType: SMALL.instanceType, max: 10, instanceTypes: [SMALL, R, C] });

  it.each<[string, ReadonlyArray<typeof SMALL>, string]>([
    ['every type: the small one is weakest', [SMALL, R, C], 'r.small'],
    // 0.375 of the best memory per unit is scarcer than 0.5 of the best CPU per unit.
    ['a memory-rich pair: C (0.375 of the best memory) is weaker than R (0.5 of the best CPU)', [R, C], 'c.large'],
  ])('weakestPerUnit: %s', (_rule, candidates, expected) => {
    expect(weakestPerUnit(candidates)?.instanceType).toBe(expected);
  });

  it('plannedFor: a task only R and C hold plans the group with the weakest of them by the same rule', () => {
    // Before, plannedFor ranked by min(CPU, MiB ÷ 4) per unit and took R (2,048 < 3,072).
    const g = plannedFor(richGroup(), [shape(2048, 2048)], []);
    expect(g.instanceType).toBe('c.large');
    expect(g.instanceType).toBe(weakestPerUnit([R, C], [SMALL, R, C])?.instanceType);
  });
});
