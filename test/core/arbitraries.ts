/** fast-check arbitraries for the core property tests: small shapes, instances and groups. */
import fc from 'fast-check';
import type { CapacityGroup, Resources, Task, TaskShape } from '../../core/cluster';
import { group, task } from './builders';

export const UNITS: readonly Resources[] = [
  { cpu: 4096, memory: 16384 },
  { cpu: 2048, memory: 8192 },
  { cpu: 8192, memory: 32768 },
];

const ZONES = ['z1', 'z2'] as const;

/** A task shape with optional ports, distinctInstance and a memberOf on the zone (sometimes unreadable). */
export const taskShapeArb: fc.Arbitrary<TaskShape> = fc
  .record({
    cpu: fc.constantFrom(0, 128, 256, 512, 1024, 1536, 2048, 3072),
    memory: fc.constantFrom(128, 512, 1024, 2048, 4096, 8192, 12288),
    tcp: fc.option(fc.constantFrom([80], [443], [80, 443]), { freq: 4 }),
    udp: fc.option(fc.constantFrom([53]), { freq: 6 }),
    distinct: fc.option(fc.constantFrom('service:a', 'service:b'), { freq: 4 }),
    memberOf: fc.option(fc.constantFrom('attribute:ecs.availability-zone == z1', 'attribute:ecs.availability-zone in [z1, z2]', 'attribute:ecs.availability-zone != z1', 'task:group == x'), { freq: 5 }),
  })
  .map(({ cpu, memory, tcp, udp, distinct, memberOf }) => ({
    cpu,
    memory,
    ...(tcp !== null ? { tcpPorts: tcp } : {}),
    ...(udp !== null ? { udpPorts: udp } : {}),
    ...(distinct !== null ? { distinctInstance: true, taskGroup: distinct } : {}),
    ...(memberOf !== null ? { memberOf: [memberOf] } : {}),
  }));

/** A plain resource shape (no ports, no constraints). */
export const plainShapeArb: fc.Arbitrary<TaskShape> = fc.record({
  cpu: fc.constantFrom(256, 512, 1024, 2048),
  memory: fc.constantFrom(512, 1024, 2048, 4096, 8192),
});

export const zoneArb = fc.constantFrom(...ZONES);

/** Keep the tasks that still fit (cpu, memory, ports) on an instance of `unit`, in order. */
export function fitting<T extends TaskShape>(unit: Resources, tasks: readonly T[]): T[] {
  let cpu = unit.cpu;
  let memory = unit.memory;
  const tcp = new Set<number>();
  const udp = new Set<number>();
  const kept: T[] = [];
  for (const t of tasks) {
    if (t.cpu > cpu || t.memory > memory) continue;
    if ((t.tcpPorts ?? []).some((p) => tcp.has(p)) || (t.udpPorts ?? []).some((p) => udp.has(p))) continue;
    cpu -= t.cpu;
    memory -= t.memory;
    for (const p of t.tcpPorts ?? []) tcp.add(p);
    for (const p of t.udpPorts ?? []) udp.add(p);
    kept.push(t);
  }
  return kept;
}

/** A task on an instance: a role and a status drawn with the shape. */
export function taskArb(shapes: fc.Arbitrary<TaskShape>, roles: fc.Arbitrary<Task['role']> = fc.constantFrom('service', 'service', 'service', 'daemon', 'standalone')): fc.Arbitrary<Task> {
  return fc
    .record({
      shape: shapes,
      role: roles,
      status: fc.constantFrom<Task['status']>('RUNNING', 'RUNNING', 'RUNNING', 'PENDING', 'STOPPED'),
    })
    .map(({ shape, role, status }) => task({ ...shape, role, status }));
}

export function groupArb(name: string): fc.Arbitrary<CapacityGroup> {
  return fc.record({ unit: fc.constantFrom(...UNITS), zone: zoneArb }).map(({ unit, zone }) => group({ name, instance: unit, attributes: { 'ecs.availability-zone': zone } }));
}
