import { checkSetup, type CapacityProviderSetup, type GroupProcesses } from '../../core/capacity-providers';

/** The recommended setup of group demo-spot: managed scaling on, the rest off, AlarmNotification suspended. */
const recommended: CapacityProviderSetup = { name: 'cp-spot', group: 'demo-spot', managedScaling: true, managedTerminationProtection: false, managedDraining: false };
const suspended: GroupProcesses = { name: 'demo-spot', suspendedProcesses: ['AlarmNotification'] };

describe('the setup check of a managed group', () => {
  type Change = { readonly [K in keyof CapacityProviderSetup]?: CapacityProviderSetup[K] | undefined };
  it.each<[string, Change, readonly string[], readonly RegExp[]]>([
    ['the recommended setup: nothing to say', {}, ['AlarmNotification'], []],
    ['other suspended processes beside AlarmNotification change nothing', {}, ['ScheduledActions', 'AlarmNotification'], []],
    ['(a) managed scaling off: jobs fail instead of waiting (the plain setup)', { managedScaling: false }, ['AlarmNotification'], [/cp-spot of group demo-spot: managed scaling off, so a job that does not fit fails at once/]],
    ['(a) managed scaling off is the one warning even with AlarmNotification not suspended', { managedScaling: false }, [], [/managed scaling off/]],
    ['(b) managed scaling on, AlarmNotification not suspended, termination protection still on (the start of a migration): not yet unsafe', { managedTerminationProtection: true }, [], [/managed scaling on but the group's AlarmNotification process is not suspended/, /managed termination protection on; turn it off once the group's AlarmNotification process is suspended, not before/]],
    ['(b) with termination protection off: UNSAFE first (ECS can scale in unprotected instances)', {}, [], [/^capacity provider cp-spot of group demo-spot: UNSAFE: managed termination protection is off while ECS's target tracking can still scale the group in.*step 2\)$/, /AlarmNotification process is not suspended/]],
    ['(b) another suspended process does not count', {}, ['ScheduledActions'], [/UNSAFE/, /AlarmNotification process is not suspended/]],
    ['(c) managed termination protection on', { managedTerminationProtection: true }, ['AlarmNotification'], [/: managed termination protection on; turn it off/]],
    ['(c) managed draining on (the default of a new provider)', { managedDraining: true }, ['AlarmNotification'], [/: managed draining on; turn it off/]],
    ['(c) both on, named in one line', { managedTerminationProtection: true, managedDraining: true }, ['AlarmNotification'], [/managed termination protection, managed draining on; turn them off/]],
    ['(b) and (c) together: one line each', { managedDraining: true, managedTerminationProtection: true }, [], [/AlarmNotification process is not suspended/, /managed termination protection, managed draining on; turn them off once/]],
  ])('%s', (_name, change, processes, expected) => {
    const { group, ...rest } = { ...recommended, ...change };
    const p: CapacityProviderSetup = { ...(rest as Omit<CapacityProviderSetup, 'group'>), ...(group !== undefined ? { group } : {}) };
    const check = checkSetup([p], [{ name: 'demo-spot', suspendedProcesses: processes }]);
    expect(check.warnings).toEqual(expected.map((e) => expect.stringMatching(e)));
    expect(check.notes).toEqual([]);
  });

  it.each<[string, CapacityProviderSetup[]]>([
    ['a cluster without capacity providers', []],
    ['a provider of a group Headroom does not manage, however set', [{ ...recommended, group: 'other', managedScaling: false, managedDraining: true }]],
    ['a provider with no group (Fargate)', [{ name: 'FARGATE', managedScaling: false, managedTerminationProtection: false, managedDraining: false }]],
  ])('a managed group with no capacity provider is the plain setup, a note and no warning: %s', (_name, providers) => {
    const check = checkSetup(providers, [{ name: 'demo-spot', suspendedProcesses: [] }]);
    expect(check.warnings).toEqual([]);
    expect(check.notes).toEqual([expect.stringMatching(/^group demo-spot has no capacity provider: it runs in the plain setup/)]);
  });

  it.each<[string, readonly string[] | undefined, readonly string[], boolean]>([
    ['several zones, AZRebalance running: Auto Scaling undoes scale-in picks', ['us-east-1a', 'us-east-1b'], ['AlarmNotification'], true],
    ['several zones, AZRebalance suspended: nothing to say', ['us-east-1a', 'us-east-1b'], ['AlarmNotification', 'AZRebalance'], false],
    ['one zone: nothing to rebalance', ['us-east-1a'], ['AlarmNotification'], false],
    ['zones unknown: no warning', undefined, ['AlarmNotification'], false],
  ])('AZRebalance: %s', (_name, zones, processes, warned) => {
    const check = checkSetup([recommended], [{ name: 'demo-spot', suspendedProcesses: processes, ...(zones !== undefined ? { availabilityZones: zones } : {}) }]);
    expect(check.warnings).toEqual(warned ? [expect.stringMatching(/^group demo-spot: spans 2 zones and its AZRebalance process is not suspended/)] : []);
  });

  it('AZRebalance is checked in the plain setup too (it is an Auto Scaling process)', () => {
    const check = checkSetup([], [{ name: 'demo-spot', suspendedProcesses: [], availabilityZones: ['a', 'b', 'c'] }]);
    expect(check.warnings).toEqual([expect.stringMatching(/spans 3 zones and its AZRebalance process is not suspended/)]);
    expect(check.notes).toHaveLength(1);
  });

  it('each managed group is checked on its own', () => {
    const check = checkSetup(
      [recommended, { ...recommended, name: 'cp-od', group: 'demo-ondemand' }],
      [suspended, { name: 'demo-ondemand', suspendedProcesses: [] }, { name: 'demo-plain', suspendedProcesses: [] }],
    );
    expect(check.warnings).toEqual([expect.stringMatching(/^capacity provider cp-od of group demo-ondemand: UNSAFE/), expect.stringMatching(/^capacity provider cp-od of group demo-ondemand: .*not suspended/)]);
    expect(check.notes).toEqual([expect.stringMatching(/^group demo-plain /)]);
  });

  it.each<[string, Partial<CapacityProviderSetup>, { instances: number; newInstances: boolean } | undefined, readonly RegExp[]]>([
    ['protected instances with managed termination protection off: Headroom cannot remove them (step 5)', {}, { instances: 3, newInstances: false }, [/^group demo-spot: 3 instance\(s\) protected from scale-in, so Auto Scaling refuses the terminations Headroom asks for.*step 5\)$/]],
    ['new instances protected', {}, { instances: 0, newInstances: true }, [/^group demo-spot: new instances protected from scale-in/]],
    ['protection while ECS manages it (managed termination protection on) is ECS\'s: only that flag is named', { managedTerminationProtection: true }, { instances: 3, newInstances: true }, [/managed termination protection on; turn it off/]],
    ['no protection: nothing to say', {}, undefined, []],
  ])('scale-in protection: %s', (_name, change, protection, expected) => {
    const check = checkSetup([{ ...recommended, ...change }], [{ ...suspended, ...(protection !== undefined ? { scaleInProtection: protection } : {}) }]);
    expect(check.warnings).toEqual(expected.map((e) => expect.stringMatching(e)));
  });
});
