/**
 * Rule: what can never be placed does not block anything. A task no group's instance could ever
 * hold is reported (UnschedulableTasks, reasons) and is neither shortage nor scale-out demand.
 */
import type { CapacityGroup, TaskShape } from '../../core/cluster';
import { decide } from '../../core/decide';
import { tickMetrics } from '../../core/metrics';
import { splitUnschedulable } from '../../core/unschedulable';
import { bin, group, instance, NOW, SETTINGS, service, serviceTask, shape, times } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const A: CapacityGroup = group({ name: 'A', instance: UNIT, max: 20, desired: 8, attributes: { 'ecs.availability-zone': 'eu-west-1a' } });

describe('what can never be placed does not block anything', () => {
  it.each<[string, TaskShape, boolean, RegExp | undefined]>([
    ['larger than any new instance (CPU)', shape(8192, 1024), false, /A: cpu/],
    ['larger than any new instance (memory)', shape(1024, 32768), false, /A: memory/],
    ['pinned to a zone no group launches in', shape(512, 512, { memberOf: ['attribute:ecs.availability-zone == eu-west-1c'] }), false, /A: constraint/],
    ['an expression the evaluator cannot read', shape(512, 512, { memberOf: ['task:group == x'] }), false, /unsupported constraint/],
    ['pinned to the zone the group launches in', shape(512, 512, { memberOf: ['attribute:ecs.availability-zone == eu-west-1a'] }), true, undefined],
    ['a task that fits an empty instance', shape(4096, 1024), true, undefined],
  ])('%s', (_rule, task, schedulable, reason) => {
    const split = splitUnschedulable([task], [A], [], []);
    expect(split.schedulable.length === 1).toBe(schedulable);
    if (reason !== undefined) expect(split.unschedulable[0]?.reason).toMatch(reason);
  });

  it.each<[string, boolean]>([
    ['an existing larger instance with room now', false],
    ['an existing larger instance that is busy now (it may free up)', true],
  ])('a task too large for every group but fitting %s is schedulable', (_rule, busy) => {
    const big = bin({ id: 'i-big', registered: { cpu: 16384, memory: 65536 }, ...(busy ? { tasks: [serviceTask(12288, 1024)] } : {}) });
    expect(splitUnschedulable([shape(8192, 1024)], [A], [], [big]).schedulable).toHaveLength(1);
  });

  it('an unschedulable task neither triggers scale-out nor blocks scale-in, and is counted in the metric', () => {
    const idle = times(8, (k) => instance({ id: `i-${k}`, group: 'A', registered: UNIT }));
    const d = decide({ now: NOW, instances: idle, groups: [A], services: [service({ name: 'huge', shape: shape(8192, 1024), desired: 3, unplaced: 3 })], history: [{ at: NOW - 600_000, value: 1000 }], settings: SETTINGS });
    expect(d.scaleOut).toEqual([]);
    expect(d.scaleIn.length).toBeGreaterThan(0);
    expect(Object.fromEntries(tickMetrics(d).map((m) => [m.name, m.value])).UnschedulableTasks).toBe(3);
    expect(d.reasons.join('\n')).toMatch(/3 task\(s\) of 8192 CPU\/1024 MiB: no group can ever hold it/);
  });
});
