/**
 * Auto Scaling's AZRebalance (sim/world/az-rebalance.ts): a group whose zones drift more than one
 * instance apart gets a launch in the emptiest zone, then a termination in the fullest, for every
 * policy, unless the scenario or the policy's setup suspends the process.
 */
import { imbalance } from '../../sim/world/az-rebalance';
import { zoneCounts } from '../../sim/world/zone-counts';
import { lowerBoundOf } from '../../sim/run/lower-bound';
import type { Policy } from '../../sim/policies/policy';
import { parseScenario, type Scenario } from '../../sim/scenario/scenario';
import { buildWorkload } from '../../sim/scenario/workload';
import { EPOCH, World } from '../../sim/world/world';

describe('the imbalance that starts a rebalancing activity', () => {
  it.each([
    ['balanced zones', { a: 2, b: 2, c: 2 }, undefined],
    ['one instance apart is balanced', { a: 1, b: 2, c: 2 }, undefined],
    ['two apart: emptiest and fullest', { a: 0, b: 2, c: 2 }, { emptiest: 'a', fullest: 'b' }],
    ['an empty zone counts', { a: 3, b: 1, c: 0 }, { emptiest: 'c', fullest: 'a' }],
    ['one zone is never unbalanced', { a: 5 }, undefined],
  ])('%s', (_rule, counts, expected) => {
    expect(imbalance(new Map(Object.entries(counts)))).toEqual(expected);
  });

  it('counts every zone of the group, empty ones at 0', () => {
    expect([...zoneCounts(['a', 'b', 'c'], [{ zone: 'b' }, { zone: 'b' }, { zone: 'c' }])]).toEqual([['a', 0], ['b', 2], ['c', 1]]);
  });
});

const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

function scenario(azRebalance: boolean): Scenario {
  return parseScenario({
    name: 'rebalance',
    seed: 5,
    durationMinutes: 30,
    capacityGroups: [{ name: 'g', instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.1, min: 0, max: 10, initial: 6, launchSeconds: 60, availabilityZones: ZONES, azRebalance }],
  });
}

/** A policy that, at minute 5, terminates both instances of the first zone with the decrement. */
async function unbalanced(s: Scenario, settings: Policy['settings'] = {}): Promise<World> {
  const workload = buildWorkload(s, process.cwd());
  const policy: Policy = {
    name: 'static-peak',
    settings,
    start(world) {
      world.schedule(EPOCH + 5 * 60_000, 'unbalance', () => {
        const g = world.groups[0];
        if (g === undefined) return;
        for (const i of world.liveMembers(g).filter((m) => m.zone === ZONES[0])) world.terminateInstance(i.id, true, 'test');
      });
    },
  };
  const world = new World({ scenario: s, submissions: workload.submissions, policy, stuckAfterSeconds: 960, referenceShape: { cpu: 1024, memory: 2048 }, lowerBound: lowerBoundOf(s, workload.submissions) });
  await world.run();
  return world;
}

const zonesOfLive = (world: World): number[] => {
  const g = world.groups[0];
  return g === undefined ? [] : ZONES.map((z) => world.liveMembers(g).filter((i) => i.zone === z).length);
};

describe('AZRebalance in the world', () => {
  it('launches in the emptiest zone, then terminates one in a fuller zone, keeping desired', async () => {
    const world = await unbalanced(scenario(true));
    expect(world.rebalanceLaunches).toBe(1);
    expect(world.groups[0]?.desired).toBe(4);
    expect(zonesOfLive(world).sort()).toEqual([1, 1, 2]);
    expect(zonesOfLive(world)[0]).toBe(1);
    const launch = world.log.findIndex((l) => /AZRebalance launches .* in us-east-1a/.test(l));
    const terminate = world.log.findIndex((l) => /AZRebalance terminates .* in us-east-1[bc]/.test(l));
    expect(launch).toBeGreaterThanOrEqual(0);
    expect(terminate).toBeGreaterThan(launch);
  });

  it.each([
    ['the scenario suspends it (azRebalance: false)', false, {}],
    ["the policy's setup suspends it", true, { suspendAzRebalance: true }],
  ])('does nothing when %s', async (_rule, on, settings) => {
    const world = await unbalanced(scenario(on), settings);
    expect(world.rebalanceLaunches).toBe(0);
    expect(zonesOfLive(world)).toEqual([0, 2, 2]);
  });

  it('leaves instances under managed termination protection in place: no activity starts when none may go', async () => {
    const busy = parseScenario({
      ...scenario(true),
      services: [{ name: 'web', cpu: 3000, memory: 12000, desired: [[0, 6]] }],
    });
    const world = await unbalanced(busy, { protectBusyFromScaleIn: true });
    expect(world.rebalanceLaunches).toBe(0);
  });
});

/**
 * Rule: the AZRebalance check draws from the termination-policy random stream only when it acts
 * (terminates a member). A check that finds an imbalance but launches nothing (every launch fails)
 * must leave the stream alone, so the scale-in victims Auto Scaling picks afterwards are those of
 * the same run with the process suspended.
 */
describe('AZRebalance and the termination-policy random stream', () => {
  /** Unbalanced at minute 5 with every launch failing from then on; desired 4 → 3 → 2 → 1 later. */
  async function victims(azRebalance: boolean): Promise<string[]> {
    const base = scenario(azRebalance);
    const s = parseScenario({ ...base, capacityGroups: base.capacityGroups.map((g) => ({ ...g, launchFailures: [{ fromMinute: 5, toMinute: 30 }] })) });
    const workload = buildWorkload(s, process.cwd());
    const policy: Policy = {
      name: 'static-peak',
      settings: {},
      start(world) {
        const g = (): NonNullable<World['groups'][0]> => world.groups[0] as NonNullable<World['groups'][0]>;
        world.schedule(EPOCH + 5 * 60_000, 'unbalance', () => {
          for (const i of world.liveMembers(g()).filter((m) => m.zone === ZONES[0])) world.terminateInstance(i.id, true, 'test');
        });
        for (const [minute, desired] of [[12, 3], [18, 2], [24, 1]] as const) world.schedule(EPOCH + minute * 60_000, 'scale-in', () => world.setDesired(g(), desired, 'test'));
      },
    };
    const world = new World({ scenario: s, submissions: workload.submissions, policy, stuckAfterSeconds: 960, referenceShape: { cpu: 1024, memory: 2048 }, lowerBound: lowerBoundOf(s, workload.submissions) });
    await world.run();
    expect(world.rebalanceLaunches).toBe(0);
    return world.log.flatMap((l) => /scale-in picks (\S+)/.exec(l)?.[1] ?? []);
  }

  it('a check that launches nothing does not change which instances scale-in terminates', async () => {
    const suspended = await victims(false);
    expect(suspended).toHaveLength(3);
    expect(await victims(true)).toEqual(suspended);
  });
});
