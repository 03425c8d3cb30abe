/**
 * Rule: the read plan asks for the tasks the new decisions need: the instances of fallback groups a
 * cheaper group can replace now (given back without waiting for the excess window), and every Spot
 * instance with a rebalance recommendation when the storm reserve is on (insured first).
 */
import type { CapacityGroup, Instance } from '../../core/cluster';
import { REBALANCE_ATTRIBUTE } from '../../core/cluster';
import type { DecideSettings } from '../../core/decide';
import { readPlan } from '../../core/read-plan';
import { group, NOW, service, SETTINGS } from './builders';

const XL = { cpu: 4096, memory: 16384 };
/** An instance whose tasks were not read (half full by its reservations). */
const unread = (id: string, g: string, extra: Partial<Instance> = {}): Instance => ({
  id, group: g, status: 'ACTIVE', registered: XL, remaining: { cpu: 2048, memory: 8192 }, usedTcpPorts: [], usedUdpPorts: [], attributes: {}, ...extra,
});
// A service that wants tasks: the cluster is not possibly idle, so no other rule reads every task.
const WEB = service({ name: 'web', shape: { cpu: 512, memory: 1024 }, desired: 6, running: 6 });
const spot = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'spot', instance: XL, spot: true, max: 10, desired: 2, ...overrides });
const od = (overrides: Partial<CapacityGroup> = {}): CapacityGroup => group({ name: 'od', instance: XL, max: 10, desired: 1, ...overrides });
const plan = (instances: Instance[], groups: CapacityGroup[], settings: Partial<DecideSettings> = {}) =>
  [...readPlan({ now: NOW, instances, groups, services: [WEB], history: [], settings: { ...SETTINGS, ...settings } }).tasks].sort();

describe('read plan for fallback capacity and exposed Spot instances', () => {
  const fleet = (): Instance[] => [unread('i-s1', 'spot'), unread('i-s2', 'spot'), unread('i-o1', 'od')];
  it.each<[string, CapacityGroup[], Partial<DecideSettings>, string[]]>([
    ['an On-Demand instance a cheaper Spot group can replace: its tasks are read', [spot(), od()], {}, ['i-o1']],
    ['the On-Demand group at its min: nothing to give back, nothing read', [spot(), od({ min: 1 })], {}, []],
    ['the Spot group backed off after a failed launch: nothing read', [spot({ launchFailedAt: NOW - 60_000 }), od()], {}, []],
    ['scale-in disabled: nothing read', [spot(), od()], { scaleInEnabled: false }, []],
  ])('%s', (_rule, groups, settings, expected) => {
    expect(plan(fleet(), groups, settings)).toEqual(expected);
  });

  it('with the storm reserve on, a Spot instance with a rebalance recommendation is read even when it is the emptiest', () => {
    const instances = [unread('i-s1', 'spot'), unread('i-s2', 'spot'), unread('i-s3', 'spot'), unread('i-s4', 'spot', { remaining: { cpu: 3968, memory: 16000 }, attributes: { [REBALANCE_ATTRIBUTE]: '2026-01-01T11:50:00Z' } })];
    expect(plan(instances, [spot({ desired: 4 })], { spotReserveInstances: 1 })).toContain('i-s4');
    expect(plan(instances.map((i) => ({ ...i, attributes: {} })), [spot({ desired: 4 })], { spotReserveInstances: 1 })).not.toContain('i-s4');
  });
});
