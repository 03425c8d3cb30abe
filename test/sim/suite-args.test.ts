/**
 * `npm run suite` flags: `--headroom-setup` runs Headroom in one cluster setup on every scenario and
 * refuses a setup the scenario schema does not know; `--headroom-az-rebalance` turns Headroom's
 * AZRebalance suspension on or off.
 */
import { parseArgs } from '../../sim/suite';

describe('npm run suite flags', () => {
  it.each([
    ['no flag leaves each scenario its own setup', [], undefined],
    ['plain runs Headroom without capacity providers', ['--headroom-setup', 'plain'], 'plain'],
    ['capacity-providers is accepted', ['--headroom-setup', 'capacity-providers'], 'capacity-providers'],
  ])('%s', (_rule, argv, setup) => {
    expect(parseArgs(argv).headroomSetup).toBe(setup);
  });

  it.each([
    ['an unknown setup is refused with the known ones', ['--headroom-setup', 'fargate'], /one of capacity-providers, plain, got fargate/],
    ['the flag needs a value', ['--headroom-setup'], /needs a value/],
  ])('%s', (_rule, argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it.each([
    ['no flag leaves Headroom its recommended setup', [], undefined],
    ['on runs Headroom with AZRebalance acting', ['--headroom-az-rebalance', 'on'], false],
    ['suspended is accepted', ['--headroom-az-rebalance', 'suspended'], true],
  ])('%s', (_rule, argv, suspends) => {
    expect(parseArgs(argv).headroomSuspendsAzRebalance).toBe(suspends);
  });

  it('refuses an AZRebalance state other than on or suspended', () => {
    expect(() => parseArgs(['--headroom-az-rebalance', 'off'])).toThrow(/on or suspended, got off/);
  });
});
