import type { Instance, Resources, TaskShape } from '../../core/cluster';
import { copiesThatFit, FALLBACK_REFERENCE_SHAPE, headroom, referenceShape, weightedMedian } from '../../core/headroom';
import { bin, daemonTask, group, instance, service, serviceTask, shape, standaloneTask } from './builders';

const small = { cpu: 4096, memory: 8192 };

describe('copies of a reference shape on one instance', () => {
  it.each<[string, Resources, TaskShape, number]>([
    // 4096/1024 = 4 by cpu, 8192/1024 = 8 by memory → 4
    ['cpu-limited: min(⌊4096/1024⌋, ⌊8192/1024⌋) = 4', small, shape(1024, 1024), 4],
    // 4096/256 = 16, 8192/2048 = 4 → 4
    ['memory-limited: min(⌊4096/256⌋, ⌊8192/2048⌋) = 4', small, shape(256, 2048), 4],
    ['floors: ⌊4096/1500⌋ = 2', small, shape(1500, 1), 2],
    ['too large: 0', small, shape(4097, 1), 0],
    ['a static tcp port limits to 1 per instance', small, shape(256, 256, { tcpPorts: [8080] }), 1],
    ['a static udp port limits to 1 per instance', small, shape(256, 256, { udpPorts: [8125] }), 1],
    ['distinctInstance limits to 1 per instance', small, shape(256, 256, { distinctInstance: true, taskGroup: 'service:x' }), 1],
    ['a port already in use gives 0', small, shape(256, 256, { tcpPorts: [22] }), 0],
    ['zero cpu is limited by memory alone', small, shape(0, 4096), 2],
    ['a zero shape counts 0, never infinity', small, shape(0, 0), 0],
  ])('%s', (_rule, registered, s, expected) => {
    expect(copiesThatFit(s, bin({ id: 'i', registered }))).toBe(expected);
  });

  it('counts only the free space left by running tasks', () => {
    // 4096 − 1024 − 512 (daemon) = 2560 cpu → 2 copies of 1024; memory 8192 − 1024 − 256 = 6912 → 6
    const b = bin({ id: 'i', registered: small, tasks: [serviceTask(1024, 1024), daemonTask(512, 256)] });
    expect(copiesThatFit(shape(1024, 1024), b)).toBe(2);
  });
});

describe('cluster headroom', () => {
  const s = shape(1024, 2048);
  const cases: Array<[string, Instance[], number, Record<string, number>]> = [
    ['sums per-instance copies', [instance({ id: 'a', registered: small }), instance({ id: 'b', registered: small, tasks: [serviceTask(2048, 1024)] })], 4 + 2, { a: 4, b: 2 }],
    ['DRAINING instances do not count', [instance({ id: 'a', registered: small }), instance({ id: 'd', registered: small, status: 'DRAINING' })], 4, { a: 4 }],
    ['terminating instances do not count', [instance({ id: 'a', registered: small }), instance({ id: 't', registered: small, terminating: true })], 4, { a: 4 }],
    ['instances with a disconnected agent do not count', [instance({ id: 'a', registered: small }), instance({ id: 'x', registered: small, agentConnected: false })], 4, { a: 4 }],
    ['REGISTERING instances do not count', [instance({ id: 'r', registered: small, status: 'REGISTERING' })], 0, {}],
    ['a full instance counts 0 and is still listed', [instance({ id: 'f', registered: small, tasks: [standaloneTask(4096, 8192)] })], 0, { f: 0 }],
    ['no instances: 0', [], 0, {}],
  ];
  it.each(cases)('%s', (_rule, instances, total, perInstance) => {
    const h = headroom(s, instances);
    expect(h.total).toBe(total);
    expect(Object.fromEntries(h.perInstance)).toEqual(perInstance);
  });

  it('a port-bound shape counts at most one per instance across the cluster', () => {
    const instances = [instance({ id: 'a' }), instance({ id: 'b' }), instance({ id: 'c', tasks: [serviceTask(1, 1, { tcpPorts: [443] })] })];
    expect(headroom(shape(256, 512, { tcpPorts: [443] }), instances).total).toBe(2);
  });
});

describe('auto reference shape', () => {
  it.each<[string, Parameters<typeof referenceShape>[1], Instance[], Resources]>([
    ['the demand-weighted median, dimension by dimension', [service({ name: 'a', shape: shape(1024, 512), desired: 3 }), service({ name: 'b', shape: shape(256, 4096), desired: 1 })], [], { cpu: 1024, memory: 512 }],
    ['one large service does not set the shape for many small tasks', [service({ name: 'web', shape: shape(512, 1024), desired: 40 }), service({ name: 'big', shape: shape(6144, 12288), desired: 2 })], [], { cpu: 512, memory: 1024 }],
    ['the large shape once it carries at least half the tasks', [service({ name: 'web', shape: shape(512, 1024), desired: 2 }), service({ name: 'big', shape: shape(6144, 12288), desired: 2 })], [], { cpu: 512, memory: 1024 }],
    ['the large shape once it carries more than half the tasks', [service({ name: 'web', shape: shape(512, 1024), desired: 2 }), service({ name: 'big', shape: shape(6144, 12288), desired: 3 })], [], { cpu: 6144, memory: 12288 }],
    ['daemon services are ignored', [service({ name: 'd', daemon: true, shape: shape(4000, 8000), desired: 9 }), service({ name: 'a', shape: shape(256, 512), desired: 1 })], [], { cpu: 256, memory: 512 }],
    [
      'without running services: the median live non-daemon task',
      [],
      [instance({ id: 'i', tasks: [serviceTask(512, 256), standaloneTask(128, 1024), serviceTask(1024, 2048), daemonTask(2048, 2048), serviceTask(4000, 4000, { status: 'STOPPED' })] })],
      { cpu: 512, memory: 1024 },
    ],
    ['nothing at all: the fallback shape', [], [], FALLBACK_REFERENCE_SHAPE],
    ['a zero dimension is raised to 1 (never an infinite headroom)', [service({ name: 'a', shape: shape(0, 512), desired: 1 })], [], { cpu: 1, memory: 512 }],
  ])('%s', (_rule, services, instances, expected) => {
    expect(referenceShape('auto', services, instances)).toEqual(expected);
  });

  it('capped to an empty instance of the largest group, so a shortage can be met by launching', () => {
    const groups = [group({ name: 'small', instance: { cpu: 2048, memory: 8192 } }), group({ name: 'large', instance: { cpu: 4096, memory: 7000 } })];
    expect(referenceShape('auto', [service({ name: 'huge', shape: shape(8192, 16384), desired: 1 })], [], groups)).toEqual({ cpu: 4096, memory: 8192 });
  });

  it.each<[string, Array<[number, number]>, number | undefined]>([
    ['odd count', [[1, 1], [2, 1], [3, 1]], 2],
    ['weights move it', [[1, 5], [100, 4]], 1],
    ['half the weight is enough (smallest such value)', [[1, 1], [100, 1]], 1],
    ['zero weights are ignored', [[1, 0], [7, 2]], 7],
    ['empty', [], undefined],
  ])('weightedMedian: %s', (_rule, pairs, expected) => {
    expect(weightedMedian(pairs.map(([value, weight]) => ({ value, weight })))).toBe(expected);
  });

  it('a configured shape is used as is', () => {
    expect(referenceShape({ cpu: 300, memory: 700 }, [service({ name: 'a', shape: shape(1024, 4096) })], [])).toEqual({ cpu: 300, memory: 700 });
  });
});
