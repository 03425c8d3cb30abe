/**
 * awsvpc tasks need a network interface each: ENI slots per instance type (the instance keeps its
 * primary interface), unmodelled where the limit is unknown (unknown type, or ENI trunking on).
 */
import { decide } from '../../core/decide';
import { TRUNK_ATTRIBUTE, awsvpcSlots } from '../../core/eni';
import { copiesThatFit } from '../../core/headroom';
import { binOf, fits, freshBin, place } from '../../core/placement';
import { taskShapeOf } from '../../core/task-definition';
import { NOW, SETTINGS, group, instance, service, serviceTask, shape } from './builders';

const AWSVPC = shape(256, 512, { awsvpc: true });

describe('ENI slots per instance type', () => {
  it.each<[string | undefined, boolean, number | undefined]>([
    ['m5.large', false, 2],
    ['m5.xlarge', false, 3],
    ['m5.4xlarge', false, 7],
    ['c5.large', false, 2],
    ['t3.micro', false, 1],
    ['m5.large', true, undefined],
    ['x9.unknown', false, undefined],
    [undefined, false, undefined],
  ])('%s (trunking %s): %s awsvpc task(s)', (type, trunked, slots) => {
    expect(awsvpcSlots(type, trunked)).toBe(slots);
  });
});

describe('placement with ENI slots', () => {
  const full = (type: string, n: number, attributes: Record<string, string> = {}) =>
    instance({ id: 'i-1', instanceType: type, attributes, tasks: Array.from({ length: n }, () => serviceTask(256, 512, { awsvpc: true })) });

  it.each<[string, ReturnType<typeof instance>, boolean]>([
    ['an m5.large with 2 awsvpc tasks has no ENI left', full('m5.large', 2), false],
    ['an m5.large with 1 awsvpc task has one ENI left', full('m5.large', 1), true],
    ['ENI trunking on: not limited by the table', full('m5.large', 2, { [TRUNK_ATTRIBUTE]: 'eni-0abc' }), true],
    ['an unknown instance type: not limited', full('z1.weird', 5), true],
  ])('%s', (_rule, inst, ok) => {
    const result = fits(AWSVPC, binOf(inst));
    expect(result.ok).toBe(ok);
    if (!ok) expect(result).toEqual({ ok: false, reason: 'eni' });
  });

  it('a bridge-mode task needs no ENI: it fits where awsvpc does not', () => {
    expect(fits(shape(256, 512), binOf(full('m5.large', 2))).ok).toBe(true);
  });

  it('placing awsvpc tasks uses the slots up; headroom of an awsvpc shape is bounded by them', () => {
    const b = binOf(instance({ id: 'i-1', instanceType: 'm5.xlarge' }));
    expect(copiesThatFit(AWSVPC, b)).toBe(3);
    place(AWSVPC, b);
    expect(copiesThatFit(AWSVPC, b)).toBe(2);
    expect(copiesThatFit(shape(256, 512), b)).toBeGreaterThan(3);
  });

  it('a new instance of a group offers the slots of its type', () => {
    expect(copiesThatFit(AWSVPC, freshBin(group({ instanceType: 'm5.large' }), [], 0))).toBe(2);
  });

  it('task definitions in awsvpc mode give shapes that need an ENI', () => {
    expect(taskShapeOf({ networkMode: 'awsvpc', cpu: '256', memory: '512' }).awsvpc).toBe(true);
    expect(taskShapeOf({ networkMode: 'bridge', cpu: '256', memory: '512' }).awsvpc).toBeUndefined();
  });

  it('unplaced awsvpc tasks with CPU and memory to spare but no ENI left make a scale-out', () => {
    const instances = [1, 2].map((k) => instance({ id: `i-${k}`, instanceType: 'm5.large', registered: { cpu: 2048, memory: 7680 }, tasks: [serviceTask(256, 512, { awsvpc: true }), serviceTask(256, 512, { awsvpc: true })] }));
    const d = decide({
      now: NOW,
      instances,
      groups: [group({ instanceType: 'm5.large', instance: { cpu: 2048, memory: 7680 }, desired: 2 })],
      services: [service({ name: 'api', shape: AWSVPC, desired: 6, running: 4, unplaced: 2 })],
      history: [],
      settings: { ...SETTINGS, taskShape: { cpu: 256, memory: 512 }, shortageThreshold: 0, excessThreshold: 100 },
    });
    expect(d.scaleOut.reduce((n, a) => n + a.count, 0)).toBe(1);
  });
});
