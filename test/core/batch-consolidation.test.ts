/**
 * Rule: batch work can be consolidated. An instance running standalone tasks may be drained for
 * scale-in (service tasks move, standalone tasks finish in place); it is reactivated first on a
 * shortage and terminated only when empty; Headroom never stops a standalone task for scale-in.
 */
import type { CapacityGroup, Instance } from '../../core/cluster';
import { decide, type DecideInput, type Decision } from '../../core/decide';
import { group, instance, NOW, SETTINGS, scaleInDrain, service, serviceTask, standaloneTask, shape, times } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };
const A = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'A', instance: UNIT, min: 0, max: 20, desired: 6, ...overrides });
const batch = (id: string, n = 1): Instance => instance({ id, group: 'A', registered: UNIT, tasks: times(n, () => standaloneTask(512, 512)) });
const web = (id: string, n: number): Instance => instance({ id, group: 'A', registered: UNIT, tasks: times(n, () => serviceTask(1024, 1024)) });

function run(overrides: Partial<DecideInput>): Decision {
  return decide({ now: NOW, instances: [], groups: [A()], services: [], history: [{ at: NOW - 600_000, value: 1000 }], settings: SETTINGS, ...overrides });
}

describe('batch work can be consolidated', () => {
  it.each<[string, Instance[], string[]]>([
    // 5 near-idle instances (4 copies each of 1024/2048 minus small batch tasks): the one with the fewest tasks goes first
    ['an instance whose only work is a standalone task is drained for scale-in', [batch('i-b1'), web('i-w1', 2), web('i-w2', 2), web('i-w3', 2), web('i-w4', 2), web('i-w5', 2)], ['i-b1']],
    ['the instance with fewer live tasks goes first, whatever their role', [batch('i-b3', 3), web('i-w1', 1), web('i-w2', 2), web('i-w3', 2), web('i-w4', 2), web('i-w5', 2)], ['i-w1']],
  ])('%s', (_rule, instances, expected) => {
    const d = run({ instances, groups: [A({ desired: instances.length })], settings: { ...SETTINGS, maxScaleInPercent: 1 } });
    expect(d.scaleIn.map((a) => a.instance)).toEqual(expected);
  });

  it('the reasons say the standalone tasks finish in place', () => {
    const d = run({ instances: [batch('i-b1'), ...times(5, (k) => web(`i-w${k}`, 2))], groups: [A({ desired: 6 })], settings: { ...SETTINGS, maxScaleInPercent: 1 } });
    expect(d.scaleIn[0]?.reasons.join('\n')).toMatch(/1 standalone task\(s\) finish in place/);
  });

  it.each<[string, Instance, boolean]>([
    ['a scale-in drain still running a standalone task is not terminated', scaleInDrain({ id: 'i-d', group: 'A', registered: UNIT, tasks: [standaloneTask(512, 512)] }), false],
    ['a scale-in drain whose standalone task STOPPED is terminated', scaleInDrain({ id: 'i-d', group: 'A', registered: UNIT, tasks: [standaloneTask(512, 512, { status: 'STOPPED' })] }), true],
  ])('%s', (_rule, drain, terminated) => {
    const d = run({ instances: [drain, web('i-w1', 0), web('i-w2', 0)], groups: [A({ desired: 3 })] });
    expect(d.terminate.map((t) => t.instance)).toEqual(terminated ? ['i-d'] : []);
  });

  it('on a shortage the batch instance draining for scale-in is reactivated before anything launches', () => {
    const drain = scaleInDrain({ id: 'i-d', group: 'A', registered: UNIT, tasks: [standaloneTask(512, 512)] });
    const d = run({ instances: [drain, web('i-w1', 4)], groups: [A({ desired: 2 })], services: [service({ name: 'web', shape: shape(1024, 1024), desired: 5, unplaced: 1 })] });
    expect(d.reactivate.map((r) => r.instance)).toEqual(['i-d']);
    expect(d.scaleOut).toEqual([]);
    expect(d.terminate).toEqual([]);
  });
});
