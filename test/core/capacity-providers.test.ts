import { capacityProviderWarnings, type CapacityProviderSetup } from '../../core/capacity-providers';

const off: CapacityProviderSetup = { name: 'cp-spot', group: 'demo-spot', managedScaling: false, managedTerminationProtection: false, managedDraining: false };

describe('capacity providers of managed groups must have every managed feature off', () => {
  type Change = { readonly [K in keyof CapacityProviderSetup]?: CapacityProviderSetup[K] | undefined };
  it.each<[string, Change, RegExp | undefined]>([
    ['all off: the recommended setup', {}, undefined],
    ['managed scaling on', { managedScaling: true }, /cp-spot of group demo-spot: managed scaling on; turn it off/],
    ['managed termination protection on', { managedTerminationProtection: true }, /managed termination protection on/],
    ['managed draining on (the default of a new provider)', { managedDraining: true }, /managed draining on; turn it off/],
    ['all three on, named in one line', { managedScaling: true, managedTerminationProtection: true, managedDraining: true }, /managed scaling, managed termination protection, managed draining on; turn them off/],
    ['a group Headroom does not manage is not its business', { group: 'other', managedScaling: true }, undefined],
    ['a provider with no group (Fargate)', { group: undefined, managedDraining: true }, undefined],
  ])('%s', (_name, change, expected) => {
    const { group, ...rest } = { ...off, ...change };
    const p: CapacityProviderSetup = { ...(rest as Omit<CapacityProviderSetup, 'group'>), ...(group !== undefined ? { group } : {}) };
    const warnings = capacityProviderWarnings([p], ['demo-spot', 'demo-ondemand']);
    if (expected === undefined) expect(warnings).toEqual([]);
    else expect(warnings).toEqual([expect.stringMatching(expected)]);
  });
});
