import fc from 'fast-check';
import type { TaskShape } from '../../core/cluster';
import { decreasingOrder, packFirstFitDecreasing } from '../../core/packing';
import { binOf, cloneBin, fits, freshBin, place, type Bin } from '../../core/placement';
import { fitting, groupArb, taskArb, taskShapeArb, UNITS, zoneArb } from './arbitraries';
import { instance } from './builders';

/** Existing instances: a unit, a zone and some live tasks that fit on it. */
const existingArb = fc.array(
  fc.record({ unit: fc.constantFrom(...UNITS), zone: zoneArb, tasks: fc.array(taskArb(taskShapeArb), { maxLength: 5 }) }),
  { maxLength: 5 },
);

const scenarioArb = fc.record({
  tasks: fc.array(taskShapeArb, { maxLength: 30 }),
  existing: existingArb,
  group: groupArb('g'),
  daemons: fc.array(taskShapeArb.map((t) => ({ cpu: t.cpu, memory: t.memory, ...(t.tcpPorts !== undefined ? { tcpPorts: t.tcpPorts } : {}) })), { maxLength: 2 }),
  limit: fc.integer({ min: 0, max: 12 }),
  withFresh: fc.boolean(),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

function setUp(s: Scenario) {
  const bins: Bin[] = s.existing.map((e, k) =>
    binOf(instance({ id: `i-${k}`, registered: e.unit, availabilityZone: e.zone, tasks: fitting(e.unit, e.tasks.filter((t) => t.status !== 'STOPPED')) })),
  );
  const before = bins.map(cloneBin);
  const make = (n: number): Bin => freshBin(s.group, s.daemons, n);
  const fresh = s.withFresh ? { make, limit: s.limit } : undefined;
  const result = packFirstFitDecreasing(s.tasks, bins, fresh);
  return { bins, before, make, result };
}

const RUNS = { numRuns: 300 };

describe('packing properties', () => {
  it('capacity is never exceeded: no bin ends with negative cpu/memory or a host port held twice', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { bins, before, make, result } = setUp(s);
        const all = [...bins, ...result.opened];
        for (const b of all) {
          expect(b.cpu).toBeGreaterThanOrEqual(0);
          expect(b.memory).toBeGreaterThanOrEqual(0);
        }
        // Ports: the tasks placed on a bin hold pairwise distinct ports, none already used there.
        const byBin = new Map<string, TaskShape[]>();
        for (const [t, key] of result.placements) byBin.set(key, [...(byBin.get(key) ?? []), s.tasks[t] as TaskShape]);
        const initial = new Map(before.map((b) => [b.key, b]));
        for (const [key, placed] of byBin) {
          const start = initial.get(key);
          for (const proto of ['tcp', 'udp'] as const) {
            const ports = placed.flatMap((t) => (proto === 'tcp' ? t.tcpPorts : t.udpPorts) ?? []);
            expect(new Set(ports).size).toBe(ports.length);
            if (start !== undefined) for (const p of ports) expect(start[proto].has(p)).toBe(false);
          }
          // sums within the free space the bin started with (new bins: capacity after daemons)
          const free = start ?? make(Number(key.split(':')[2]));
          expect(placed.reduce((a, t) => a + t.cpu, 0)).toBeLessThanOrEqual(free.cpu);
          expect(placed.reduce((a, t) => a + t.memory, 0)).toBeLessThanOrEqual(free.memory);
          if (start === undefined) {
            // new bins: no task port collides with a daemon port
            for (const t of placed) for (const p of t.tcpPorts ?? []) expect(free.tcp.has(p)).toBe(false);
          }
        }
      }),
      RUNS,
    );
  });

  it('every placed task fits where it was placed (replayed with fits in FFD order), every task is accounted for once', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { before, make, result } = setUp(s);
        const replay = new Map(before.map((b) => [b.key, b]));
        result.opened.forEach((_, n) => {
          const b = make(n);
          replay.set(b.key, b);
        });
        const probe = s.withFresh ? make(0) : undefined;
        const unit = probe !== undefined ? { cpu: probe.cpu, memory: probe.memory } : { cpu: Math.max(0, ...before.map((b) => b.capacity.cpu)), memory: Math.max(0, ...before.map((b) => b.capacity.memory)) };
        for (const t of decreasingOrder(s.tasks, unit)) {
          const key = result.placements.get(t);
          if (key === undefined) continue;
          const home = replay.get(key);
          expect(home).toBeDefined();
          const task = s.tasks[t] as TaskShape;
          expect(fits(task, home as Bin)).toEqual({ ok: true });
          place(task, home as Bin);
        }
        const unplaced = result.unplaced.map((u) => u.task);
        expect(new Set(unplaced).size).toBe(unplaced.length);
        expect(result.placements.size + unplaced.length).toBe(s.tasks.length);
        for (const t of unplaced) expect(result.placements.has(t)).toBe(false);
        expect(result.opened.length).toBeLessThanOrEqual(s.withFresh ? s.limit : 0);
        // A task with an unreadable memberOf is never placed.
        for (const [t] of result.placements) expect((s.tasks[t] as TaskShape).memberOf?.includes('task:group == x') ?? false).toBe(false);
      }),
      RUNS,
    );
  });

  it('the new-instance count is at least the reported lower bound, and at least ⌈max(Σcpu/C, Σmem/M)⌉ of what went to new instances', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { make, result } = setUp(s);
        expect(result.opened.length).toBeGreaterThanOrEqual(result.lowerBound);
        if (!s.withFresh) return;
        const unit = make(0);
        const onNew = [...result.placements].filter(([, key]) => key.startsWith('new:')).map(([t]) => s.tasks[t] as TaskShape);
        const cpu = onNew.reduce((a, t) => a + t.cpu, 0);
        const memory = onNew.reduce((a, t) => a + t.memory, 0);
        const bound = Math.ceil(Math.max(unit.cpu > 0 ? cpu / unit.cpu : 0, unit.memory > 0 ? memory / unit.memory : 0));
        expect(result.opened.length).toBeGreaterThanOrEqual(bound);
      }),
      RUNS,
    );
  });
});
