import type { CapacityGroup, Resources, TaskShape } from '../../core/cluster';
import { decreasingOrder, lowerBound, packFirstFitDecreasing, type NewBins } from '../../core/packing';
import { freshBin, type Bin } from '../../core/placement';
import { bin, group, serviceTask, shape, times } from './builders';

/** New instances: 4096 CPU / 16384 MiB, easy to divide by hand. */
const G: CapacityGroup = group({ name: 'g', instance: { cpu: 4096, memory: 16384 } });
const fresh = (limit = 100, daemons: TaskShape[] = [], g: CapacityGroup = G): NewBins => ({ make: (n) => freshBin(g, daemons, n), limit });
/** An existing instance with `cpu`/`memory` free out of 4096/16384. */
const existing = (id: string, cpu: number, memory = 16384): Bin => bin({ id, registered: { cpu: 4096, memory: 16384 }, tasks: cpu < 4096 || memory < 16384 ? [serviceTask(4096 - cpu, 16384 - memory)] : [] });
const many = (n: number, cpu: number, memory: number, extra: Partial<TaskShape> = {}): TaskShape[] => times(n, () => shape(cpu, memory, extra));

describe('first-fit decreasing order', () => {
  it.each<[string, TaskShape[], Resources, number[]]>([
    ['larger cpu first', [shape(512, 1), shape(2048, 1), shape(1024, 1)], { cpu: 4096, memory: 16384 }, [1, 2, 0]],
    // sizes: A = max(2048/4096, 1024/16384) = 0.5; B = max(1024/4096, 12288/16384) = 0.75 → B first
    ['by the larger normalised dimension, not raw cpu', [shape(2048, 1024), shape(1024, 12288)], { cpu: 4096, memory: 16384 }, [1, 0]],
    ['equal tasks keep input order', [shape(100, 100), shape(100, 100), shape(100, 100)], { cpu: 4096, memory: 16384 }, [0, 1, 2]],
  ])('%s', (_rule, tasks, unit, expected) => {
    expect(decreasingOrder(tasks, unit)).toEqual(expected);
  });

  it('the largest task is placed first: it takes the only space that holds it', () => {
    // Existing bin has 3072 CPU free; tasks 1024 (index 0) then 3072 (index 1).
    // Placing in input order would put 1024 there and need a new instance for 3072;
    // FFD puts 3072 there first and 1024 goes to a new instance.
    const r = packFirstFitDecreasing([shape(1024, 1), shape(3072, 1)], [existing('i-a', 3072)], fresh());
    expect(r.placements.get(1)).toBe('i-a');
    expect(r.placements.get(0)).toBe('new:g:0');
  });
});

describe('packFirstFitDecreasing', () => {
  it('uses free space of existing bins before opening a new instance', () => {
    const r = packFirstFitDecreasing(many(4, 1024, 1024), [existing('i-a', 2048), existing('i-b', 2048)], fresh());
    expect(r.opened).toHaveLength(0);
    expect([...r.placements.values()].sort()).toEqual(['i-a', 'i-a', 'i-b', 'i-b']);
  });

  it('existing bins are tried in the given order (first fit)', () => {
    const r = packFirstFitDecreasing([shape(1024, 1)], [existing('i-a', 512), existing('i-b', 2048), existing('i-c', 4096)], fresh());
    expect(r.placements.get(0)).toBe('i-b');
  });

  it('opens a new instance only for what does not fit, and fills it before opening another', () => {
    // 2048 free on i-a takes 2 tasks; 7 remain → ⌈7/4⌉ = 2 new instances (4 + 3).
    const r = packFirstFitDecreasing(many(9, 1024, 1024), [existing('i-a', 2048)], fresh());
    expect(r.opened.map((b) => b.key)).toEqual(['new:g:0', 'new:g:1']);
    const count = (key: string): number => [...r.placements.values()].filter((k) => k === key).length;
    expect([count('i-a'), count('new:g:0'), count('new:g:1')]).toEqual([2, 4, 3]);
  });

  it('subtracts daemon reservations on every new instance', () => {
    // 4096 − 1024 (daemon) leaves room for 3 tasks of 1024 per instance: 6 tasks → 2 instances.
    // Without the daemon, 6 tasks would need ⌈6/4⌉ = 2 as well, so use 4 tasks: 1 without, 2 with.
    expect(packFirstFitDecreasing(many(4, 1024, 1024), [], fresh()).opened).toHaveLength(1);
    const withDaemon = packFirstFitDecreasing(many(4, 1024, 1024), [], fresh(100, [shape(1024, 256)]));
    expect(withDaemon.opened).toHaveLength(2);
    expect(withDaemon.opened[0]?.cpu).toBe(0);
  });

  it('daemon host ports on a new instance block tasks wanting the same port', () => {
    const r = packFirstFitDecreasing([shape(1, 1, { tcpPorts: [9100] })], [], fresh(100, [shape(64, 64, { tcpPorts: [9100] })]));
    expect(r.opened).toHaveLength(0);
    expect(r.unplaced[0]?.reason).toMatch(/^does not fit an empty instance: port/);
  });

  it('stops at the new-instance limit and reports the rest as cap', () => {
    const r = packFirstFitDecreasing(many(10, 1024, 1024), [], fresh(2));
    expect(r.opened).toHaveLength(2);
    expect(r.placements.size).toBe(8);
    expect(r.unplaced).toHaveLength(2);
    expect(r.unplaced.every((u) => u.reason === 'cap')).toBe(true);
  });

  it('limit 0 opens nothing', () => {
    const r = packFirstFitDecreasing(many(1, 1, 1), [], fresh(0));
    expect({ opened: r.opened.length, reason: r.unplaced[0]?.reason }).toEqual({ opened: 0, reason: 'cap' });
  });

  it.each<[string, TaskShape, RegExp]>([
    ['more cpu than an empty instance', shape(4097, 1), /^does not fit an empty instance: cpu/],
    ['more memory than an empty instance', shape(1, 16385), /^does not fit an empty instance: memory/],
    ['a memberOf the group cannot satisfy', shape(1, 1, { memberOf: ['attribute:ecs.instance-type == p3.2xlarge'] }), /^does not fit an empty instance: constraint/],
    ['an unsupported memberOf', shape(1, 1, { memberOf: ['task:group == x'] }), /^does not fit an empty instance: .*unsupported subject/],
  ])('a task too big or impossible for an empty instance is unplaced and opens nothing: %s', (_rule, t, reason) => {
    const r = packFirstFitDecreasing([t, shape(1024, 1024)], [], fresh());
    expect(r.opened).toHaveLength(1); // only for the possible task
    expect(r.placements.has(1)).toBe(true);
    expect(r.unplaced).toEqual([{ task: 0, reason: expect.stringMatching(reason) }]);
  });

  it('without new instances, what does not fit is unplaced for lack of free space', () => {
    const r = packFirstFitDecreasing([shape(2048, 1)], [existing('i-a', 1024)]);
    expect(r.unplaced).toEqual([{ task: 0, reason: 'no free space' }]);
  });

  it.each<[string, TaskShape[], number]>([
    ['a static host port: one task per instance', many(3, 256, 256, { tcpPorts: [8080] }), 3],
    ['distinctInstance: one task of the group per instance', many(3, 256, 256, { distinctInstance: true, taskGroup: 'service:x' }), 3],
    ['no port: all on one instance', many(3, 256, 256), 1],
    ['udp port: one per instance', many(2, 256, 256, { udpPorts: [8125] }), 2],
  ])('%s', (_rule, tasks, instances) => {
    expect(packFirstFitDecreasing(tasks, [], fresh()).opened).toHaveLength(instances);
  });

  it('reduces the free space of the bins it was given (they are mutated)', () => {
    const a = existing('i-a', 2048, 4096);
    packFirstFitDecreasing([shape(1024, 1000)], [a]);
    expect({ cpu: a.cpu, memory: a.memory }).toEqual({ cpu: 1024, memory: 3096 });
  });
});

describe('lower bound', () => {
  it.each<[string, Resources[], Resources, number]>([
    ['cpu-bound: ⌈5·1024/4096⌉ = 2', many(5, 1024, 1024), { cpu: 4096, memory: 16384 }, 2],
    ['memory-bound: ⌈3·8192/16384⌉ = 2', many(3, 1, 8192), { cpu: 4096, memory: 16384 }, 2],
    ['exact fit: ⌈4·1024/4096⌉ = 1', many(4, 1024, 1), { cpu: 4096, memory: 16384 }, 1],
    ['nothing: 0', [], { cpu: 4096, memory: 16384 }, 0],
  ])('lowerBound: %s', (_rule, tasks, unit, expected) => {
    expect(lowerBound(tasks, unit)).toBe(expected);
  });

  it('the packer reports ⌈max(Σcpu/C, Σmem/M)⌉ for new instances, with C, M after daemons', () => {
    // C = 4096 − 1024 = 3072: 5 × 1024 → ⌈5120/3072⌉ = 2
    const r = packFirstFitDecreasing(many(5, 1024, 1024), [], fresh(100, [shape(1024, 0)]));
    expect(r.lowerBound).toBe(2);
    expect(r.opened.length).toBeGreaterThanOrEqual(r.lowerBound);
  });

  it('free space of existing bins is subtracted from the bound', () => {
    // 5 × 1024 placed, 1024 free on i-a → ⌈(5120 − 1024)/4096⌉ = 1
    const r = packFirstFitDecreasing(many(5, 1024, 1024), [existing('i-a', 1024)], fresh());
    expect({ bound: r.lowerBound, opened: r.opened.length }).toEqual({ bound: 1, opened: 1 });
  });

  it('port-bound tasks: the count exceeds the resource bound', () => {
    const r = packFirstFitDecreasing(many(3, 256, 256, { tcpPorts: [80] }), [], fresh());
    expect({ bound: r.lowerBound, opened: r.opened.length }).toEqual({ bound: 1, opened: 3 });
  });
});
