/**
 * Rule: Auto Scaling's scale-in draws from the termination-policy random stream only when it
 * terminates a member. In a weighted group, desired capacity can fall below the live units by less
 * than any member's weight: nothing may go (the group keeps at least desired units, EC2 Auto
 * Scaling User Guide, "Configure instance weighting"), and such a reconcile must leave the stream
 * alone, so later scale-in victims are those of the same run without it (before: it shuffled the
 * candidates anyway and every later pick shifted).
 */
import { lowerBoundOf } from '../../sim/run/lower-bound';
import type { Policy } from '../../sim/policies/policy';
import { parseScenario } from '../../sim/scenario/scenario';
import { buildWorkload } from '../../sim/scenario/workload';
import { EPOCH, World } from '../../sim/world/world';

const XLARGE = { instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.192, weight: 2 };

/** Six weight-2 members (12 units); optionally desired 11 at minute 5 (nothing may go), then 6 at minute 10. */
async function victims(withNoOp: boolean): Promise<string[]> {
  const s = parseScenario({
    name: 'weighted-scale-in',
    seed: 11,
    durationMinutes: 20,
    capacityGroups: [{ name: 'g', instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.192, min: 0, max: 40, initial: 12, launchSeconds: 60, availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], instanceTypes: [XLARGE] }],
  });
  const policy: Policy = {
    name: 'static-peak',
    settings: {},
    start(world) {
      const g = (): NonNullable<World['groups'][0]> => world.groups[0] as NonNullable<World['groups'][0]>;
      if (withNoOp) world.schedule(EPOCH + 5 * 60_000, 'no-op scale-in', () => world.setDesired(g(), 11, 'test'));
      world.schedule(EPOCH + 10 * 60_000, 'scale-in', () => world.setDesired(g(), 6, 'test'));
    },
  };
  const workload = buildWorkload(s, process.cwd());
  const world = new World({ scenario: s, submissions: workload.submissions, policy, stuckAfterSeconds: 960, referenceShape: { cpu: 1024, memory: 2048 }, lowerBound: lowerBoundOf(s, workload.submissions) });
  await world.run();
  return world.log.flatMap((l) => /scale-in picks (\S+)/.exec(l)?.[1] ?? []);
}

describe('the termination policy and its random stream', () => {
  it('a scale-in that may terminate nothing does not change which instances later scale-in terminates', async () => {
    const without = await victims(false);
    expect(without).toHaveLength(3);
    expect(await victims(true)).toEqual(without);
  });
});
