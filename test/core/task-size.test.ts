/**
 * Rule: a task's size is its dominant share of the instance shape it is measured against (one
 * helper, core/task-size.ts, for packing, spare, the storm reserve and scale-in), so the same task
 * is large on an instance short of its scarce resource and small on one rich in it.
 */
import type { Instance, Task } from '../../core/cluster';
import { headroom } from '../../core/headroom';
import { planScaleIn } from '../../core/scale-in';
import { dominantShare, reservedShare } from '../../core/task-size';
import { group, instance, NOW, serviceTask, shape } from './builders';

describe('dominant share', () => {
  it.each<[string, { cpu: number; memory: number }, { cpu: number; memory: number }, number]>([
    ['CPU-bound: the CPU fraction', { cpu: 1024, memory: 1024 }, { cpu: 4096, memory: 16384 }, 0.25],
    ['memory-bound: the memory fraction', { cpu: 256, memory: 8192 }, { cpu: 4096, memory: 16384 }, 0.5],
    ['the same task on a memory-optimised shape is smaller', { cpu: 256, memory: 8192 }, { cpu: 2048, memory: 32768 }, 0.25],
    ['a dimension the shape lacks does not count', { cpu: 512, memory: 1024 }, { cpu: 0, memory: 2048 }, 0.5],
    ['an empty shape: 0', { cpu: 512, memory: 1024 }, { cpu: 0, memory: 0 }, 0],
  ])('%s', (_rule, r, of, expected) => {
    expect(dominantShare(r, of)).toBe(expected);
  });

  it('the reserved share of an instance: what its tasks hold, against what it registered', () => {
    expect(reservedShare({ cpu: 4096, memory: 16384 }, { cpu: 3072, memory: 4096 })).toBe(0.75);
  });
});

/**
 * Scale-in moves a candidate's tasks largest first, sized against the instances they land on. On
 * memory-optimised instances (2048 CPU / 16384 MiB) a 1280-CPU task is the larger of the two below;
 * the hard-coded max(cpu, memory / 4) called the 6144-MiB one larger (1536 > 1280), placed it
 * first on the fullest instance, and left no instance for the CPU task: the surplus instance stayed.
 */
describe('scale-in sizes the tasks it moves against the instances they land on', () => {
  const R = { cpu: 2048, memory: 16384 };
  const on = (id: string, g: string, tasks: Task[]): Instance => instance({ id, group: g, registered: R, tasks });
  const instances = [
    on('i-full', 'kept', [serviceTask(768, 10240)]), // free 1280 / 6144: takes either task, not both
    on('i-roomy', 'kept', [serviceTask(1024, 384)]), // free 1024 / 16000: takes the memory task only
    on('i-surplus', 'spare', [serviceTask(1280, 1024), serviceTask(256, 6144)]),
  ];
  const REF = shape(256, 512);

  it('the CPU task goes first, both fit, and the surplus instance is scaled in', () => {
    const p = planScaleIn({
      now: NOW,
      instances,
      groups: [group({ name: 'kept', instance: R, min: 2, desired: 2 }), group({ name: 'spare', instance: R, min: 0, desired: 1 })],
      shape: REF,
      headroom: headroom(REF, instances).total,
      history: [{ at: NOW - 600_000, value: 100 }],
      shortageThreshold: 0,
      excessThreshold: 1,
      stabilizationSeconds: 600,
      maxScaleInPercent: 50,
    });
    expect(p.actions.map((a) => a.instance)).toEqual(['i-surplus']);
  });
});
