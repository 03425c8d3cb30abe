/**
 * The arithmetic of interruption warnings and rebalance recommendations (core/interruption.ts):
 * which instances are drained, replaced, marked and terminated, the seats each group gives up for
 * the decision, and what the scale-out adds back.
 */
import type { CapacityGroup, Instance } from '../../core/cluster';
import { INTERRUPTED_ATTRIBUTE, REBALANCE_ATTRIBUTE } from '../../core/cluster';
import type { RebalancePolicy } from '../../core/config';
import type { Decision } from '../../core/decide';
import { drainCheckWindow, noticeTargets, seatPlan, SPOT_NOTICE_SECONDS, withReplacedSeats, type InterruptionNotice, type Membership } from '../../core/interruption';
import { group, instance, NOW, scaleInDrain, serviceTask, standaloneTask } from './builders';

const warn = (id: string, time?: number): InterruptionNotice => ({ kind: 'spot-interruption', instanceId: id, ...(time !== undefined ? { time } : {}) });
const rebalance = (id: string): InterruptionNotice => ({ kind: 'rebalance', instanceId: id });
const byId = (...is: Instance[]): Map<string, Instance> => new Map(is.map((i) => [i.id, i]));

const plain = instance({ id: 'i-plain' });
const replacedBefore = instance({ id: 'i-replaced', attributes: { [REBALANCE_ATTRIBUTE]: '2026-01-01T11:00:00Z' } });
const markedBefore = instance({ id: 'i-marked', attributes: { [INTERRUPTED_ATTRIBUTE]: '2026-01-01T11:00:00Z' } });
const surplus = scaleInDrain({ id: 'i-surplus' });
const ours = byId(plain, replacedBefore, markedBefore, surplus);

describe('which instances a batch of notices drains, replaces and marks', () => {
  it.each<[string, InterruptionNotice[], RebalancePolicy, { drain: string[]; replace: string[]; mark: string[] }]>([
    ['a warning drains and marks the instance (Auto Scaling replaces it)', [warn('i-plain')], 'replace', { drain: ['i-plain'], replace: [], mark: ['i-plain'] }],
    ['a repeated warning counts once', [warn('i-plain'), warn('i-plain')], 'replace', { drain: ['i-plain'], replace: [], mark: ['i-plain'] }],
    ['a notice for an instance of another cluster is left out', [warn('i-elsewhere')], 'replace', { drain: [], replace: [], mark: [] }],
    ['replace: a recommendation launches a replacement without draining', [rebalance('i-plain')], 'replace', { drain: [], replace: ['i-plain'], mark: [] }],
    ['replace: an instance replaced before launches nothing more', [rebalance('i-replaced')], 'replace', { drain: [], replace: [], mark: [] }],
    ['replace: a warning with a recommendation drains, and replaces nothing', [rebalance('i-plain'), warn('i-plain')], 'replace', { drain: ['i-plain'], replace: [], mark: ['i-plain'] }],
    ['drain: a recommendation drains like a warning', [rebalance('i-plain')], 'drain', { drain: ['i-plain'], replace: [], mark: ['i-plain'] }],
    ['ignore: a recommendation is only counted', [rebalance('i-plain')], 'ignore', { drain: [], replace: [], mark: [] }],
    ['an instance replaced before leaves with a decrement: not marked', [warn('i-replaced')], 'replace', { drain: ['i-replaced'], replace: [], mark: [] }],
    ['a scale-in drain is surplus: not marked', [warn('i-surplus')], 'replace', { drain: ['i-surplus'], replace: [], mark: [] }],
    ['an instance marked before is not marked again', [warn('i-marked')], 'replace', { drain: ['i-marked'], replace: [], mark: [] }],
  ])('%s', (_rule, notices, policy, expected) => {
    const t = noticeTargets(notices, ours, policy);
    expect({ drain: t.drain, replace: t.replace, mark: t.mark }).toEqual(expected);
  });

  it('the standalone tasks of warned instances are stopped, not their service tasks, nor those of recommended ones', () => {
    const job = standaloneTask(256, 512);
    const other = standaloneTask(256, 512);
    const warned = instance({ id: 'i-w', tasks: [serviceTask(256, 512), job] });
    const recommended = instance({ id: 'i-r', tasks: [other] });
    const t = noticeTargets([warn('i-w'), rebalance('i-r')], byId(warned, recommended), 'drain');
    expect(t.standaloneTasks).toEqual([{ instance: 'i-w', task: job.id }]);
  });
});

describe('seats: who is terminated how, and the groups the decision sees', () => {
  const G = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'g1', desired: 6, max: 8, ...overrides });
  const member = (g = 'g1', live = true): Membership => ({ group: g, live });
  const weighted = G({ desired: 10, members: [{ id: 'i-plain', pending: false, weight: 2 }, { id: 'i-replaced', pending: false, weight: 3 }, { id: 'i-surplus', pending: false, weight: 4 }] });

  it.each<[string, { drain: string[]; replace: string[] }, Record<string, Membership>, CapacityGroup, { terminate: string[]; decrement: string[]; drainChecks: string[]; desired: number }]>([
    ['a warned member is terminated without decrement: its seat stays for its replacement', { drain: ['i-plain'], replace: [] }, { 'i-plain': member() }, G(), { terminate: ['i-plain'], decrement: [], drainChecks: [], desired: 6 }],
    ['one replaced on its recommendation gives its seat up (its replacement is running)', { drain: ['i-replaced'], replace: [] }, { 'i-replaced': member() }, G(), { terminate: ['i-replaced'], decrement: ['i-replaced'], drainChecks: [], desired: 5 }],
    ['a scale-in drain gives its seat up (surplus)', { drain: ['i-surplus'], replace: [] }, { 'i-surplus': member() }, G(), { terminate: ['i-surplus'], decrement: ['i-surplus'], drainChecks: [], desired: 5 }],
    ['one replaced now is not terminated, its seat is taken out for the decision', { drain: [], replace: ['i-plain'] }, { 'i-plain': member() }, G(), { terminate: [], decrement: [], drainChecks: [], desired: 5 }],
    ['seats are capacity units: the members\' weights', { drain: ['i-replaced', 'i-surplus'], replace: ['i-plain'] }, { 'i-plain': member(), 'i-replaced': member(), 'i-surplus': member() }, weighted, { terminate: ['i-replaced', 'i-surplus'], decrement: ['i-replaced', 'i-surplus'], drainChecks: [], desired: 1 }],
    ['a member no longer live (already terminating) is not terminated again', { drain: ['i-plain'], replace: [] }, { 'i-plain': member('g1', false) }, G(), { terminate: [], decrement: [], drainChecks: [], desired: 6 }],
    ['an instance in no configured group gets a drain check instead', { drain: ['i-plain'], replace: [] }, {}, G(), { terminate: [], decrement: [], drainChecks: ['i-plain'], desired: 6 }],
    ['seats of another group leave this one alone', { drain: ['i-replaced'], replace: ['i-plain'] }, { 'i-plain': member('g2'), 'i-replaced': member('g2') }, G(), { terminate: ['i-replaced'], decrement: ['i-replaced'], drainChecks: [], desired: 6 }],
  ])('%s', (_rule, targets, members, g, expected) => {
    const p = seatPlan(targets, ours, new Map(Object.entries(members)), [g]);
    expect({ terminate: p.terminate, decrement: [...p.decrement], drainChecks: p.drainChecks, desired: p.groups[0]?.desired }).toEqual(expected);
  });

  it('desired never goes below 0', () => {
    const p = seatPlan({ drain: ['i-replaced', 'i-surplus'], replace: [] }, ours, new Map([['i-replaced', member()], ['i-surplus', member()]]), [G({ desired: 1 })]);
    expect(p.groups[0]?.desired).toBe(0);
  });
});

describe('the scale-out adds back the seats of the instances replaced now', () => {
  const decision = (desired: number): Decision => ({ scaleOut: [{ kind: 'scale-out', group: 'g1', count: 1, desired, reasons: [] }] }) as unknown as Decision;
  const members = new Map<string, Membership>([['i-a', { group: 'g1', live: true }], ['i-b', { group: 'g1', live: true }], ['i-c', { group: 'g2', live: true }]]);
  it.each<[string, string[], number, number, number]>([
    ['one replaced: one seat back', ['i-a'], 4, 10, 5],
    ['two replaced: two seats back', ['i-a', 'i-b'], 4, 10, 6],
    ['a seat of another group is not added here', ['i-c'], 4, 10, 4],
    ['never above the group max', ['i-a', 'i-b'], 9, 10, 10],
  ])('%s', (_rule, replace, desired, max, expected) => {
    const d = withReplacedSeats(decision(desired), replace, members, [group({ name: 'g1', max }), group({ name: 'g2' })]);
    expect(d.scaleOut[0]?.desired).toBe(expected);
  });
});

describe('the drain check window of an instance in no configured group', () => {
  it.each<[string, InterruptionNotice | undefined, { cause: string; startedAt: number; deadline: number }]>([
    ['a warning: the two-minute notice from when it was sent', warn('i-x', NOW - 30_000), { cause: 'interruption', startedAt: NOW - 30_000, deadline: NOW - 30_000 + SPOT_NOTICE_SECONDS * 1000 }],
    ['a notice from the future is taken as now', warn('i-x', NOW + 60_000), { cause: 'interruption', startedAt: NOW, deadline: NOW + SPOT_NOTICE_SECONDS * 1000 }],
    ['a recommendation: DRAIN_TIMEOUT_SECONDS (it gives no deadline)', rebalance('i-x'), { cause: 'rebalance', startedAt: NOW, deadline: NOW + 900_000 }],
  ])('%s', (_rule, notice, expected) => {
    expect(drainCheckWindow(notice, NOW, 900)).toEqual(expected);
  });
});
