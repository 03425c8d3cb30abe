import fc from 'fast-check';
import type { CapacityGroup, Instance, Resources, Task, TaskShape } from '../../core/cluster';
import { isScaleInDrain, isSchedulable } from '../../core/cluster';
import { headroom } from '../../core/headroom';
import { planScaleIn } from '../../core/scale-in';
import { fitting, plainShapeArb, taskArb, UNITS } from './arbitraries';
import { group, instance, NOW, scaleInDrain } from './builders';

/**
 * An independent model of "remove these instances": free space per remaining instance, the moved
 * service tasks, and an exhaustive search for any placement of them that keeps headroom ≥ the
 * shortage threshold. Sound: if no placement exists, the plan was wrong, whatever order the core
 * packed in. Small clusters keep the search cheap.
 */
interface Space {
  cpu: number;
  memory: number;
  tcp: Set<number>;
  distinct: Set<string>;
}

const spaceOf = (i: Instance): Space => ({
  cpu: i.remaining.cpu,
  memory: i.remaining.memory,
  tcp: new Set(i.usedTcpPorts),
  distinct: new Set((i.tasks ?? []).filter((t) => t.status !== 'STOPPED' && t.distinctInstance === true && t.taskGroup !== undefined).map((t) => t.taskGroup as string)),
});

const copies = (s: Resources, sp: Space): number => Math.max(0, Math.min(Math.floor(sp.cpu / s.cpu), Math.floor(sp.memory / s.memory)));

const canTake = (t: TaskShape, sp: Space): boolean =>
  t.cpu <= sp.cpu && t.memory <= sp.memory && !(t.tcpPorts ?? []).some((p) => sp.tcp.has(p)) && !(t.distinctInstance === true && t.taskGroup !== undefined && sp.distinct.has(t.taskGroup));

function anyPlacementKeeps(tasks: readonly TaskShape[], spaces: Space[], reference: Resources, threshold: number): boolean {
  const sorted = [...tasks].sort((a, b) => b.cpu + b.memory / 4 - (a.cpu + a.memory / 4));
  const go = (k: number): boolean => {
    if (k === sorted.length) return spaces.reduce((n, sp) => n + copies(reference, sp), 0) >= threshold;
    const t = sorted[k] as TaskShape;
    const seen = new Set<string>();
    for (const sp of spaces) {
      if (!canTake(t, sp)) continue;
      const sig = `${sp.cpu}/${sp.memory}/${[...sp.tcp].sort().join(',')}/${[...sp.distinct].sort().join(',')}`;
      if (seen.has(sig)) continue; // identical spaces: trying one is enough
      seen.add(sig);
      sp.cpu -= t.cpu;
      sp.memory -= t.memory;
      for (const p of t.tcpPorts ?? []) sp.tcp.add(p);
      const g = t.distinctInstance === true ? t.taskGroup : undefined;
      if (g !== undefined) sp.distinct.add(g);
      const ok = go(k + 1);
      sp.cpu += t.cpu;
      sp.memory += t.memory;
      for (const p of t.tcpPorts ?? []) sp.tcp.delete(p);
      if (g !== undefined) sp.distinct.delete(g);
      if (ok) return true;
    }
    return false;
  };
  return go(0);
}

/** Service tasks sometimes carry a port or distinctInstance, so "fits elsewhere" is more than arithmetic. */
const movedShapeArb: fc.Arbitrary<TaskShape> = fc
  .record({ base: plainShapeArb, port: fc.option(fc.constant([8080]), { freq: 5 }), distinct: fc.option(fc.constant('service:d'), { freq: 5 }) })
  .map(({ base, port, distinct }) => ({ ...base, ...(port !== null ? { tcpPorts: port } : {}), ...(distinct !== null ? { distinctInstance: true, taskGroup: distinct } : {}) }));

const memberArb = fc.record({
  unit: fc.constantFrom(...UNITS.slice(0, 2)),
  group: fc.constantFrom('A', 'B'),
  tasks: fc.array(taskArb(movedShapeArb, fc.constantFrom<Task['role']>('service', 'service', 'service', 'daemon', 'standalone')), { maxLength: 2 }),
  kind: fc.constantFrom('active', 'active', 'active', 'active', 'scale-in-drain', 'draining'),
  // Capacity units the member counts for (a mixed-instances group with weights).
  weight: fc.constantFrom(1, 1, 1, 2, 4),
});

const clusterArb = fc.record({
  members: fc.array(memberArb, { minLength: 1, maxLength: 6 }),
  reference: plainShapeArb,
  shortage: fc.integer({ min: 0, max: 8 }),
  excessGap: fc.integer({ min: 1, max: 4 }),
  percent: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(100)),
  minA: fc.integer({ min: 0, max: 6 }),
  minB: fc.integer({ min: 0, max: 6 }),
  extraDesired: fc.integer({ min: 0, max: 1 }),
});

type Cluster = typeof clusterArb extends fc.Arbitrary<infer C> ? C : never;

function build(c: Cluster): { instances: Instance[]; groups: CapacityGroup[] } {
  const instances = c.members.map((m, k) => {
    const spec = { id: `i-${k}`, group: m.group, registered: m.unit, tasks: fitting(m.unit, m.tasks.filter((t) => t.status !== 'STOPPED')) };
    return m.kind === 'scale-in-drain' ? scaleInDrain(spec) : instance({ ...spec, ...(m.kind === 'draining' ? { status: 'DRAINING' as const } : {}) });
  });
  const listed = (g: string) => c.members.flatMap((m, k) => (m.group === g ? [{ id: `i-${k}`, pending: false, weight: m.weight }] : []));
  const units = (g: string): number => listed(g).reduce((n, m) => n + m.weight, 0);
  const groups = [
    group({ name: 'A', instance: UNITS[0] as Resources, desired: units('A') + c.extraDesired, min: Math.min(c.minA, units('A')), max: 50, members: listed('A') }),
    group({ name: 'B', instance: UNITS[1] as Resources, desired: units('B'), min: Math.min(c.minB, units('B')), max: 50, members: listed('B') }),
  ];
  return { instances, groups };
}

function planFor(c: Cluster) {
  const { instances, groups } = build(c);
  const h = headroom(c.reference, instances).total;
  const excess = Math.min(c.shortage + c.excessGap, Math.max(0, h - 1)); // let the plan run often
  const shortage = Math.min(c.shortage, Math.max(0, excess - 1));
  const plan = planScaleIn({
    now: NOW,
    instances,
    groups,
    shape: c.reference,
    headroom: h,
    history: [{ at: NOW - 600_000, value: h }],
    shortageThreshold: shortage,
    excessThreshold: excess,
    stabilizationSeconds: 600,
    maxScaleInPercent: c.percent,
  });
  return { instances, groups, plan, shortage, h, excess };
}

describe('scale-in properties', () => {
  it('a plan never leaves headroom under the shortage threshold (removal applied and re-packed independently)', () => {
    let acted = 0;
    fc.assert(
      fc.property(clusterArb, (c) => {
        const { instances, plan, shortage } = planFor(c);
        if (plan.actions.length === 0) return;
        acted++;
        const gone = new Set(plan.actions.map((a) => a.instance));
        const chosen = instances.filter((i) => gone.has(i.id));
        for (const i of chosen) {
          expect(isSchedulable(i)).toBe(true);
        }
        const moved = chosen.flatMap((i) => (i.tasks ?? []).filter((t) => t.role === 'service' && t.status !== 'STOPPED'));
        const spaces = instances.filter((i) => isSchedulable(i) && !gone.has(i.id)).map(spaceOf);
        expect(anyPlacementKeeps(moved, spaces, c.reference, shortage)).toBe(true);
        expect(plan.headroomAfter).toBeGreaterThanOrEqual(shortage);
      }),
      { numRuns: 2500 },
    );
    expect(acted).toBeGreaterThan(20); // the generator exercises real plans
  });

  it('a plan never takes a group below its min in capacity units, counting members already draining for scale-in', () => {
    fc.assert(
      fc.property(clusterArb, (c) => {
        const { instances, groups, plan } = planFor(c);
        const weight = (id: string): number => c.members[Number(id.slice(2))]?.weight ?? 1;
        for (const g of groups) {
          const removing = plan.actions.filter((a) => a.group === g.name).reduce((n, a) => n + weight(a.instance), 0);
          const draining = instances.filter((i) => i.group === g.name && isScaleInDrain(i)).reduce((n, i) => n + weight(i.id), 0);
          // (a group may already be at or under min through earlier drains: then it loses nothing)
          if (removing > 0) expect(g.desired - draining - removing).toBeGreaterThanOrEqual(g.min);
        }
        // and within the per-tick budget
        const schedulable = instances.filter(isSchedulable).length;
        expect(plan.actions.length).toBeLessThanOrEqual(Math.max(1, Math.floor((schedulable * c.percent) / 100)));
        expect(new Set(plan.actions.map((a) => a.instance)).size).toBe(plan.actions.length);
      }),
      { numRuns: 400 },
    );
  });
});
