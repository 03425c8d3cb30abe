/**
 * Rule: right-sizing. Once the excess has held, an instance whose service tasks new instances of
 * another group would hold for less (a 16-vCPU instance kept for one port-bound task) is replaced:
 * the cheaper group is grown first, and the instance is drained once its tasks fit, before the
 * emptier replacement could be given back instead. Nothing moves when the large type is needed,
 * when the instance runs standalone tasks, when its room insures the Spot reserve, or on a tie.
 */
import type { CapacityGroup, Instance, Resources, Task } from '../../core/cluster';
import { decide, type Decision } from '../../core/decide';
import { group, instance, NOW, SETTINGS, serviceTask, standaloneTask, times } from './builders';

const SMALL: Resources = { cpu: 4096, memory: 15576 };
const LARGE: Resources = { cpu: 16384, memory: 62304 };
const member = (id: string) => ({ id, pending: false, launchedAt: NOW - 7_200_000 });
// Priority order puts the large group first, so the small group is the lower-priority one: scale-in
// alone would give back an empty small instance before a large one.
const groups = (large: string[], small: string[], smallOverrides: Partial<CapacityGroup> = {}): CapacityGroup[] => [
  group({ name: 'large', instance: LARGE, instanceType: 'm5.4xlarge', spot: true, max: 10, desired: large.length, members: large.map(member) }),
  group({ name: 'small', instance: SMALL, instanceType: 'm5.xlarge', spot: true, max: 10, desired: small.length, members: small.map(member), ...smallOverrides }),
];
const api = (): Task => serviceTask(256, 512, { tcpPorts: [8080] });
const analytics = (): Task => serviceTask(6144, 12288);
const web = (): Task => serviceTask(512, 1024);
const large = (id: string, tasks: Task[]): Instance => instance({ id, group: 'large', registered: LARGE, tasks });
const small = (id: string, tasks: Task[]): Instance => instance({ id, group: 'small', registered: SMALL, tasks });
/**
 * The busy large instance: two analytics tasks and web tasks (15 of its 16 vCPUs), with its own api
 * task on port 8080 unless `withApi` is false (then its tasks fit the other large instance's room).
 */
const busy = (withApi = true): Instance => large('i-busy', [analytics(), analytics(), ...times(withApi ? 5 : 6, web), ...(withApi ? [api()] : [])]);

// Excess held well past the 600 s window (no scale-out since the members launched 2 h ago).
const HELD = [NOW - 1_200_000, NOW - 900_000, NOW - 600_000, NOW - 300_000].map((at) => ({ at, value: 30 }));

function run(instances: Instance[], g: CapacityGroup[], opts: { history?: typeof HELD; reserve?: number } = {}): Decision {
  return decide({ now: NOW, instances, groups: g, services: [], history: opts.history ?? HELD, settings: { ...SETTINGS, shortageThreshold: 1, excessThreshold: 2, maxScaleInPercent: 50, spotReserveInstances: opts.reserve ?? 0 } });
}
const summary = (d: Decision) => ({ scaleIn: d.scaleIn.map((a) => a.instance), scaleOut: d.scaleOut.map((a) => [a.group, a.count]) });

describe('right-sizing: an instance kept for tasks a cheaper instance would hold', () => {
  it.each<[string, () => Decision, ReturnType<typeof summary>]>([
    ['a large instance held for one port-bound task: a small replacement is launched first', () => run([busy(), large('i-api', [api()])], groups(['i-busy', 'i-api'], [])), { scaleIn: [], scaleOut: [['small', 1]] }],
    ['the replacement is registered: the large instance is drained, not the empty replacement', () => run([busy(), large('i-api', [api()]), small('i-new', [])], groups(['i-busy', 'i-api'], ['i-new'])), { scaleIn: ['i-api'], scaleOut: [] }],
    ['the excess window has not held: nothing moves', () => run([busy(), large('i-api', [api()])], groups(['i-busy', 'i-api'], []), { history: [] }), { scaleIn: [], scaleOut: [] }],
    ['its tasks need the large type (a 6-vCPU task): kept', () => run([busy(), large('i-api', [api(), analytics()])], groups(['i-busy', 'i-api'], [])), { scaleIn: [], scaleOut: [] }],
    ['it runs a standalone task: kept (the drain would wait for it beside the replacement)', () => run([busy(), large('i-api', [api(), standaloneTask(256, 512)])], groups(['i-busy', 'i-api'], [])), { scaleIn: [], scaleOut: [] }],
    ['its free room insures the Spot reserve: kept (a replacement would only add an instance)', () => run([busy(false), large('i-api', [api()])], groups(['i-busy', 'i-api'], []), { reserve: 1 }), { scaleIn: [], scaleOut: [] }],
    ['the small group is backed off after a failed launch: kept', () => run([busy(), large('i-api', [api()])], groups(['i-busy', 'i-api'], [], { launchFailedAt: NOW - 60_000 })), { scaleIn: [], scaleOut: [] }],
    ['the other group is no cheaper (same size): a tie moves nothing', () => run([busy(), large('i-api', [api()])], groups(['i-busy', 'i-api'], [], { instance: LARGE, instanceType: 'm5.4xlarge' })), { scaleIn: [], scaleOut: [] }],
  ])('%s', (_rule, decision, expected) => {
    expect(summary(decision())).toEqual(expected);
  });
});

describe('right-sizing under the Spot reserve cost cap', () => {
  // The reviewer's case: five large instances, one holding only an api task; the fullest's web tasks
  // need that instance's room for the reserve. At a 30 % cap the reserve can buy one instance of a
  // five-instance fleet, so scale-in keeps the api instance; right-sizing must then not replace it
  // (a replacement it launched would be the one drained, every tick).
  const fleet = (): Instance[] => [large('i-busy', times(32, web)), large('i-api', [api()]), ...['f1', 'f2', 'f3'].map((id) => large(id, [...times(28, web), api()]))];
  it.each<[string, number, Array<[string, number]>]>([
    ['at the default 30 % cap: no replacement for an instance the reserve keeps', 30, []],
    ['with no cap (100 %): the same', 100, []],
  ])('%s', (_rule, percent, scaleOut) => {
    const names = ['i-busy', 'i-api', 'f1', 'f2', 'f3'];
    const d = decide({ now: NOW, instances: fleet(), groups: groups(names, []), services: [], history: HELD, settings: { ...SETTINGS, shortageThreshold: 1, excessThreshold: 2, maxScaleInPercent: 50, spotReserveInstances: 1, spotReservePercent: percent } });
    expect(summary(d).scaleOut).toEqual(scaleOut);
  });
});
