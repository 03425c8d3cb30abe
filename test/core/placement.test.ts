import type { TaskShape } from '../../core/cluster';
import { cloneBin, fits, freshBin, place, unplace, utilisation, type Bin, type FitResult } from '../../core/placement';
import { bin, group, instance, serviceTask, shape } from './builders';

/** 1024 CPU / 2048 MiB free, port 80/tcp and 53/udp in use, one distinctInstance task of group service:web. */
const busy = (): Bin =>
  bin({
    id: 'i-busy',
    registered: { cpu: 2048, memory: 4096 },
    availabilityZone: 'us-east-1a',
    instanceType: 'c5.large',
    attributes: { stack: 'prod' },
    tasks: [serviceTask(1024, 2048, { tcpPorts: [80], udpPorts: [53], taskGroup: 'service:web', distinctInstance: true })],
  });

const reason = (r: FitResult): string => (r.ok ? 'fits' : r.reason);

describe('fits', () => {
  it.each<[string, TaskShape, string]>([
    ['cpu: exactly the free cpu fits', shape(1024, 1), 'fits'],
    ['cpu: one unit more than free does not', shape(1025, 1), 'cpu'],
    ['memory: exactly the free memory fits', shape(1, 2048), 'fits'],
    ['memory: one MiB more than free does not', shape(1, 2049), 'memory'],
    ['tcp port in use does not fit', shape(1, 1, { tcpPorts: [80] }), 'port'],
    ['tcp port reserved by ECS (22) does not fit', shape(1, 1, { tcpPorts: [22] }), 'port'],
    ['a free tcp port fits', shape(1, 1, { tcpPorts: [8080] }), 'fits'],
    ['udp port in use does not fit', shape(1, 1, { udpPorts: [53] }), 'port'],
    ['udp 80 is free although tcp 80 is used', shape(1, 1, { udpPorts: [80] }), 'fits'],
    ['tcp 53 is free although udp 53 is used', shape(1, 1, { tcpPorts: [53] }), 'fits'],
    ['distinctInstance: a task of a group already present does not fit', shape(1, 1, { distinctInstance: true, taskGroup: 'service:web' }), 'distinct-instance'],
    ['distinctInstance: another group fits', shape(1, 1, { distinctInstance: true, taskGroup: 'service:api' }), 'fits'],
    ['same group without distinctInstance fits', shape(1, 1, { taskGroup: 'service:web' }), 'fits'],
    ['memberOf: matching zone fits', shape(1, 1, { memberOf: ['attribute:ecs.availability-zone == us-east-1a'] }), 'fits'],
    ['memberOf: other zone does not fit', shape(1, 1, { memberOf: ['attribute:ecs.availability-zone == us-east-1b'] }), 'constraint'],
    ['memberOf: all expressions must hold', shape(1, 1, { memberOf: ['attribute:stack == prod', 'attribute:ecs.instance-type =~ m5.*'] }), 'constraint'],
    ['memberOf: several matching expressions fit', shape(1, 1, { memberOf: ['attribute:stack == prod', 'attribute:ecs.instance-type =~ c5.*'] }), 'fits'],
    ['memberOf: an unreadable expression is unsupported, never a fit', shape(1, 1, { memberOf: ['task:group == service:web'] }), 'unsupported-constraint'],
    ['memberOf: an unreadable expression after a matching one is still unsupported', shape(1, 1, { memberOf: ['attribute:stack == prod', 'runningTasksCount == 0'] }), 'unsupported-constraint'],
  ])('%s', (_rule, task, expected) => {
    expect(reason(fits(task, busy()))).toBe(expected);
  });

  it('an unsupported constraint carries a detail naming the expression', () => {
    const r = fits(shape(1, 1, { memberOf: ['attribute:x > 1'] }), busy());
    expect(r).toMatchObject({ ok: false, reason: 'unsupported-constraint' });
    if (!r.ok && r.reason === 'unsupported-constraint') expect(r.detail).toContain('attribute:x > 1');
  });

  it('STOPPED tasks hold no task group', () => {
    const b = bin({ id: 'i-1', tasks: [serviceTask(1, 1, { taskGroup: 'service:web', distinctInstance: true, status: 'STOPPED' })] });
    expect(fits(shape(1, 1, { distinctInstance: true, taskGroup: 'service:web' }), b).ok).toBe(true);
  });
});

describe('place / unplace / clone', () => {
  it('place reserves resources, ports and the task group; unplace gives them back', () => {
    const b = busy();
    const t = shape(512, 1024, { tcpPorts: [8080], udpPorts: [5353], taskGroup: 'service:api', distinctInstance: true });
    place(t, b);
    expect({ cpu: b.cpu, memory: b.memory }).toEqual({ cpu: 512, memory: 1024 });
    expect(reason(fits(shape(1, 1, { tcpPorts: [8080] }), b))).toBe('port');
    expect(reason(fits(shape(1, 1, { udpPorts: [5353] }), b))).toBe('port');
    expect(reason(fits(shape(1, 1, { taskGroup: 'service:api', distinctInstance: true }), b))).toBe('distinct-instance');
    unplace(t, b);
    expect({ cpu: b.cpu, memory: b.memory }).toEqual({ cpu: 1024, memory: 2048 });
    expect(fits(t, b).ok).toBe(true);
    expect(b.tcp.has(80)).toBe(true); // ports of the existing task stay
    expect(b.taskGroups.get('service:web')).toBe(1);
  });

  it('a clone is independent of the original', () => {
    const b = busy();
    const c = cloneBin(b);
    place(shape(100, 100, { tcpPorts: [9000], taskGroup: 'x' }), c);
    expect({ cpu: b.cpu, memory: b.memory, port: b.tcp.has(9000), group: b.taskGroups.has('x') }).toEqual({ cpu: 1024, memory: 2048, port: false, group: false });
  });

  it.each<[string, number, number, number]>([
    ['empty instance', 0, 0, 0],
    ['cpu dominates', 1024, 1024, 0.5],
    ['memory dominates', 512, 3072, 0.75],
  ])('utilisation is the larger reserved fraction: %s', (_rule, cpu, memory, expected) => {
    const b = bin({ id: 'i', registered: { cpu: 2048, memory: 4096 }, tasks: cpu + memory > 0 ? [serviceTask(cpu, memory)] : [] });
    expect(utilisation(b)).toBeCloseTo(expected);
  });
});

describe('freshBin (an instance not launched yet)', () => {
  it('subtracts every daemon reservation and holds daemon ports', () => {
    const g = group({ instance: { cpu: 2048, memory: 8192 } });
    const b = freshBin(g, [shape(128, 256, { tcpPorts: [9100] }), shape(64, 128)], 0);
    expect({ cpu: b.cpu, memory: b.memory, fresh: b.fresh, key: b.key }).toEqual({ cpu: 2048 - 192, memory: 8192 - 384, fresh: true, key: 'new:g1:0' });
    expect(reason(fits(shape(1, 1, { tcpPorts: [9100] }), b))).toBe('port');
  });

  it('takes instance type and zone from the group for memberOf', () => {
    const b = freshBin(group({ instanceType: 'm5.large', attributes: { 'ecs.availability-zone': 'eu-west-1b', stack: 'prod' } }), [], 3, 'incoming');
    expect(b.key).toBe('incoming:g1:3');
    expect(fits(shape(1, 1, { memberOf: ['attribute:ecs.instance-type == m5.large and attribute:ecs.availability-zone == eu-west-1b and attribute:stack == prod'] }), b).ok).toBe(true);
  });

  it('an existing instance bin keeps its id as key and is not fresh', () => {
    const b = bin({ id: 'i-9' });
    expect({ key: b.key, fresh: b.fresh }).toEqual({ key: 'i-9', fresh: false });
    expect(instance({ id: 'i-9' }).remaining).toEqual(b.capacity);
  });
});
