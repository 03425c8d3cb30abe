/**
 * The handlers' test fake (fake-aws.ts) and the simulator (sim/world) answer alike where both model
 * AWS: a decrement lowers a weighted group's desired capacity by the member's weight (one rule,
 * sim/world/asg-capacity.ts, serves both), CompleteLifecycleAction finds an action only by its hook,
 * group and token, the fake's groups keep desired equal to their members, and container instances
 * that are neither ACTIVE nor DRAINING are never schedulable.
 */
import { isSchedulable } from '../../core/cluster';
import { decrementDesired } from '../../sim/world/asg-capacity';
import { lowerBoundOf } from '../../sim/run/lower-bound';
import type { Policy } from '../../sim/policies/policy';
import { parseScenario } from '../../sim/scenario/scenario';
import { buildWorkload } from '../../sim/scenario/workload';
import { World } from '../../sim/world/world';
import { FakeAws, context } from './fake-aws';

const WEIGHTS = { 'm5.xlarge': 1, 'm5.4xlarge': 4 };

/** The fake through the real Auto Scaling adapter: desired after terminating `type` with the decrement, or the answer. */
async function fakeDecrement(desiredOf: Record<string, number>, min: number, type: string): Promise<number | string> {
  const aws = new FakeAws().group('demo-spot', { min, max: 40, weights: WEIGHTS }).group('demo-ondemand');
  let k = 0;
  for (const [t, n] of Object.entries(desiredOf)) for (let j = 0; j < n; j++) aws.instance({ id: `i-0${t === type && j === 0 ? 'aaaa' : `b${k++}`}`, group: 'demo-spot', type: t });
  const result = await context().ports.autoScaling.terminateInstance('i-0aaaa', true);
  return result === 'ok' ? (aws.groups[0]?.DesiredCapacity ?? -1) : result;
}

/** The simulated world: desired after its policy terminates an instance of `type` with the decrement, or the refusal. */
async function simDecrement(desiredOf: Record<string, number>, min: number, type: string): Promise<number | string> {
  const instanceTypes = Object.entries(WEIGHTS).map(([instanceType, weight]) => ({ instanceType, cpu: 4096 * weight, memory: 15000 * weight, pricePerHour: 0.1 * weight, weight }));
  // Launches cycle over the types: ask for the counts in that order (one of each per round).
  const units = Object.entries(desiredOf).reduce((n, [t, c]) => n + c * (WEIGHTS[t as keyof typeof WEIGHTS] ?? 1), 0);
  const scenario = parseScenario({ name: 'agree', seed: 1, durationMinutes: 3, capacityGroups: [{ name: 'g', instanceType: 'm5.xlarge', cpu: 4096, memory: 15000, pricePerHour: 0.1, min, max: 40, initial: units, launchSeconds: 30, instanceTypes }] });
  let answer: number | string = 'not run';
  const policy: Policy = {
    name: 'static-peak',
    settings: {},
    start(world) {
      world.schedule(world.now + 60_000, 'terminate', () => {
        const g = world.groups[0];
        const victim = g === undefined ? undefined : world.liveMembers(g).find((i) => i.type.instanceType === type);
        if (g === undefined || victim === undefined) return;
        try {
          world.terminateInstance(victim.id, true, 'test');
          answer = g.desired;
        } catch {
          answer = 'at-min';
        }
      });
    },
  };
  const workload = buildWorkload(scenario, process.cwd());
  await new World({ scenario, submissions: workload.submissions, policy, stuckAfterSeconds: 960, referenceShape: { cpu: 1024, memory: 2048 }, lowerBound: lowerBoundOf(scenario, workload.submissions) }).run();
  return answer;
}

describe('a decrement on a weighted group, in the fake and in the simulator', () => {
  it.each([
    ['a weight-4 member lowers desired by 4', { 'm5.xlarge': 1, 'm5.4xlarge': 1 }, 0, 'm5.4xlarge', 1],
    ['a weight-1 member lowers desired by 1', { 'm5.xlarge': 1, 'm5.4xlarge': 1 }, 0, 'm5.xlarge', 4],
    ['refused when the weight would take desired below min', { 'm5.xlarge': 1, 'm5.4xlarge': 1 }, 2, 'm5.4xlarge', 'at-min'],
  ])('%s', async (_rule, members, min, type, expected) => {
    const fromRule = ((): number | string => {
      const units = Object.entries(members).reduce((n, [t, c]) => n + c * (WEIGHTS[t as keyof typeof WEIGHTS] ?? 1), 0);
      const after = decrementDesired(units, min, WEIGHTS[type as keyof typeof WEIGHTS]);
      return after.ok ? after.desired : 'at-min';
    })();
    expect(fromRule).toBe(expected);
    expect(await fakeDecrement(members, min, type)).toBe(expected);
    expect(await simDecrement(members, min, type)).toBe(expected);
  });
});

describe("the fake's CompleteLifecycleAction finds an action by hook, group and token", () => {
  const ID = 'i-0aaaa';
  const setup = (): FakeAws => {
    const aws = new FakeAws().group('demo-spot', { max: 10 }).group('demo-ondemand');
    aws.instance({ id: ID, group: 'demo-spot', lifecycleState: 'Terminating:Wait' });
    return aws.hookPending(ID, 'headroom-drain', 'tok-1');
  };
  it.each([
    ['the right hook, group and token', { hookName: 'headroom-drain', group: 'demo-spot', token: 'tok-1' }, 'ok'],
    ['the instance id alone (no token)', { hookName: 'headroom-drain', group: 'demo-spot' }, 'ok'],
    ['another hook', { hookName: 'ecs-managed-draining', group: 'demo-spot', token: 'tok-1' }, 'gone'],
    ['another group', { hookName: 'headroom-drain', group: 'demo-ondemand', token: 'tok-1' }, 'gone'],
    ['another token', { hookName: 'headroom-drain', group: 'demo-spot', token: 'tok-2' }, 'gone'],
  ])('%s', async (_rule, ref, expected) => {
    const aws = setup();
    expect(await context().ports.autoScaling.completeLifecycleAction({ instanceId: ID, ...ref })).toBe(expected);
    expect(aws.completed).toEqual(expected === 'ok' ? [ID] : []);
    expect(aws.pendingHooks.has(ID)).toBe(expected !== 'ok');
  });
});

describe("the fake's groups keep desired capacity equal to their members", () => {
  it.each([
    ['unweighted members count 1 each', undefined, [['m5.xlarge', 'InService'], ['m5.xlarge', 'Pending']], 2],
    ['weighted members count their weight', WEIGHTS, [['m5.xlarge', 'InService'], ['m5.4xlarge', 'InService']], 5],
    ['a member leaving (Terminating:Wait) no longer counts', undefined, [['m5.xlarge', 'InService'], ['m5.xlarge', 'Terminating:Wait']], 1],
  ])('%s', (_rule, weights, members, expected) => {
    const aws = new FakeAws().group('demo-spot', { desired: 7, ...(weights !== undefined ? { weights } : {}) }).group('demo-ondemand');
    members.forEach(([type, state], k) => aws.instance({ id: `i-0${k}`, group: 'demo-spot', type: type as string, lifecycleState: state as string }));
    expect(aws.groups[0]?.DesiredCapacity).toBe(expected);
  });
});

describe('container instances neither ACTIVE nor DRAINING are never schedulable', () => {
  it.each([['REGISTERING'], ['DEREGISTERING'], ['REGISTRATION_FAILED'], ['DRAINING'], ['A_STATUS_ADDED_LATER']])('%s, read through the ECS adapter from the fake', async (status) => {
    const aws = new FakeAws().group('demo-spot').group('demo-ondemand');
    aws.instance({ id: 'i-0a', group: 'demo-spot', status });
    aws.instance({ id: 'i-0b', group: 'demo-spot' });
    const { instances } = await context().ports.ecs.snapshot();
    expect(instances.filter(isSchedulable).map((i) => i.id)).toEqual(['i-0b']);
  });

  it('in the simulator, placement only ever picks ACTIVE instances, and the core view of a DRAINING one is not schedulable', async () => {
    const scenario = parseScenario({
      name: 'status',
      seed: 1,
      durationMinutes: 5,
      capacityGroups: [{ name: 'g', instanceType: 'm5.xlarge', cpu: 4096, memory: 15000, pricePerHour: 0.1, min: 2, max: 2, initial: 2, launchSeconds: 30 }],
      services: [{ name: 'web', cpu: 256, memory: 512, desired: [[0, 0], [3, 0], [3.5, 4], [5, 4]] }],
    });
    const policy: Policy = {
      name: 'static-peak',
      settings: {},
      start(world) {
        world.schedule(world.now + 2 * 60_000, 'drain one', () => {
          const first = world.ecsInstances()[0];
          if (first !== undefined) world.setEcsStatus(first, 'DRAINING', 'test');
        });
      },
    };
    const workload = buildWorkload(scenario, process.cwd());
    const world = new World({ scenario, submissions: workload.submissions, policy, stuckAfterSeconds: 960, referenceShape: { cpu: 256, memory: 512 }, lowerBound: lowerBoundOf(scenario, workload.submissions) });
    await world.run();
    const [drained, active] = world.instances;
    expect(drained?.tasks.size).toBe(0);
    expect(active?.tasks.size).toBe(4);
    expect(world.toCore(drained as never).status).toBe('DRAINING');
    expect(isSchedulable(world.toCore(drained as never))).toBe(false);
  });
});
