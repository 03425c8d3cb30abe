import type { Instance, TaskShape } from '../../core/cluster';
import { REACTIVATED_ATTRIBUTE, REBALANCE_ATTRIBUTE } from '../../core/cluster';
import { decide } from '../../core/decide';
import { awaitingMove, movesThatFit } from '../../core/rebalance-move';
import { group, instance, NOW, scaleInDrain, serviceTask, service, SETTINGS, shape, standaloneTask, times } from './builders';

const at = (minutesAgo: number): string => new Date(NOW - minutesAgo * 60_000).toISOString();
const recommended = (minutesAgo = 1): Record<string, string> => ({ [REBALANCE_ATTRIBUTE]: at(minutesAgo) });
/** `n` service tasks of 1024 CPU / 2048 MiB: four fill an m5.xlarge's CPU. */
const web = (n: number) => times(n, () => serviceTask(1024, 2048, { service: 'web' }));

const R = (extra: Partial<Instance> = {}): Instance => instance({ id: 'i-r', attributes: recommended(), tasks: web(2), ...extra });
const A = (tasks: number): Instance => instance({ id: 'i-a', tasks: web(tasks) });

describe('REBALANCE_POLICY=move waits for the room of the moved service tasks (launch before drain)', () => {
  it.each<[string, Instance[], TaskShape[], string[]]>([
    ['room on another active instance: the move starts now', [R(), A(2)], [], ['i-r']],
    ['no room yet (the replacement is still launching): it waits', [R(), A(4)], [], []],
    ['a task waiting with no instance takes the room first', [R(), A(2)], [shape(2048, 4096)], []],
    ['another instance awaiting its move is no target', [R(), A(4), instance({ id: 'i-b', attributes: recommended(2), tasks: [] })], [], []],
    ['standalone tasks stay where they are: only the service tasks need room', [R({ tasks: [...web(2), standaloneTask(2048, 4096)] }), A(2)], [], ['i-r']],
    ['tasks moving off a draining instance take the room first', [R(), A(2), scaleInDrain({ id: 'i-d', tasks: web(2) })], [], []],
  ])('%s', (_rule, instances, waiting, moved) => {
    const candidates = awaitingMove(instances).filter((i) => i.id === 'i-r');
    const moves = movesThatFit({ now: NOW, instances, services: [], candidates, waiting });
    expect(moves.map((m) => m.instance.id)).toEqual(moved);
  });

  it.each<[string, boolean, Instance]>([
    ['recommended and ACTIVE', true, R()],
    ['not recommended', false, instance({ id: 'i-r', tasks: web(2) })],
    ['already drained (its move started)', false, scaleInDrain({ id: 'i-r', attributes: recommended(), tasks: web(2) })],
    ['returned to service after its move (it has had it)', false, R({ attributes: { ...recommended(90), [REACTIVATED_ATTRIBUTE]: at(10) } })],
    ['returned to service before the recommendation', true, R({ attributes: { ...recommended(10), [REACTIVATED_ATTRIBUTE]: at(90) } })],
  ])('%s: awaiting its move %s', (_rule, awaiting, i) => {
    expect(awaitingMove([i]).length === 1).toBe(awaiting);
  });

  it('an instance in the leaving set (its interruption warning) awaits no move', () => {
    expect(awaitingMove([R()], new Set(['i-r']))).toEqual([]);
  });
});

describe('decide under REBALANCE_POLICY=move: an instance awaiting its move is leaving, its seat given up', () => {
  const settings = { ...SETTINGS, shortageThreshold: 0, excessThreshold: 1000, rebalancePolicy: 'move' as const };
  const members = (...ids: string[]) => ids.map((id) => ({ id, pending: id === 'i-n', launchedAt: NOW - 60_000 }));
  const services = [service({ name: 'web', shape: { cpu: 1024, memory: 2048 }, desired: 6, running: 6 })];

  it.each<[string, Instance[], number, string[], TaskShape[], Array<{ group: string; count: number; desired: number }>, string[]]>([
    // The replacement registered (i-a has room): the tick drains i-r for scale-in, nothing launched.
    ['room registered: drained now', [R(), A(1)], 2, ['i-r', 'i-a'], [], [], ['i-r']],
    // The replacement (i-n) is launching and holds i-r's tasks: counted once, nothing more launched, no drain yet.
    ['replacement on its way: counted once, no drain yet', [R(), A(4)], 3, ['i-r', 'i-a', 'i-n'], [], [], []],
    // i-r's own seat is not capacity on its way: a waiting task beside its 4 moved tasks needs one more instance.
    ['its seat is not capacity on its way', [R({ tasks: web(4) }), A(4)], 3, ['i-r', 'i-a', 'i-n'], [shape(1024, 2048)], [{ group: 'g1', count: 1, desired: 4 }], []],
    // No replacement at all: one is launched, and the group keeps i-r's seat until its decrement.
    ['no replacement yet: launched, its seat kept in desired', [R(), A(4)], 2, ['i-r', 'i-a'], [], [{ group: 'g1', count: 1, desired: 3 }], []],
  ])('%s', (_rule, instances, desired, ids, waiting, scaleOut, drained) => {
    const groups = [group({ name: 'g1', desired, max: 10, members: members(...ids) })];
    const d = decide({ now: NOW, instances, groups, services, history: [], waiting, settings });
    expect(d.scaleOut.map((a) => ({ group: a.group, count: a.count, desired: a.desired }))).toEqual(scaleOut);
    expect(d.scaleIn.map((a) => a.instance)).toEqual(drained);
  });

  it('REBALANCE_POLICY=replace never drains a recommended instance on a tick', () => {
    const groups = [group({ name: 'g1', desired: 2, max: 10, members: members('i-r', 'i-a') })];
    const d = decide({ now: NOW, instances: [R(), A(1)], groups, services, history: [], settings: { ...settings, rebalancePolicy: 'replace' } });
    expect(d.scaleIn).toEqual([]);
  });
});
