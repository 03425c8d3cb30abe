/** The report's first sentence says who wins and by how much; losses say which event, which instance; no peer flattens a chart. */
import { flattening } from '../../sim/report/report';
import { clock, describeLoss, ranked, verdict } from '../../sim/report/verdict';
import { parseScenario } from '../../sim/scenario/scenario';
import { DEFAULT_SCENARIO } from '../../sim/scenario/default-scenario';

const r = (policy: 'headroom' | 'ugns' | 'ecs-cas' | 'static-peak', cost: number, tasksLost: number, pendingTaskMinutes: number) => ({ policy, cost, tasksLost, pendingTaskMinutes });

describe('verdict', () => {
  it.each([
    ['the cheapest of those losing the fewest tasks', [r('ugns', 10, 3, 50), r('headroom', 12, 0, 20), r('ecs-cas', 14, 0, 10)], /^On this scenario headroom wins \(it is the cheapest of those that lose the fewest tasks\): \$12\.00, 14\.3 % less than ecs-cas's \$14\.00, 0 task\(s\) lost against 0, 20\.0 pending task-minutes against 10\.0\.$/],
    ['fewer losses beat a lower cost', [r('ugns', 8, 5, 50), r('headroom', 12, 1, 20)], /^On this scenario headroom wins \(it loses the fewest tasks\): \$12\.00, 50\.0 % more than ugns's \$8\.00, 1 task\(s\) lost against 5/],
    ['a peer can win', [r('headroom', 12, 2, 20), r('ecs-cas', 11, 2, 10)], /^On this scenario ecs-cas wins/],
    ['one policy', [r('headroom', 1, 0, 0)], /^Only headroom ran/],
  ])('%s', (_rule, results, sentence) => {
    expect(verdict(results)).toMatch(sentence);
  });

  it('ranks by tasks lost, then cost, then waiting', () => {
    expect(ranked([r('ugns', 5, 1, 0), r('ecs-cas', 5, 0, 9), r('headroom', 5, 0, 3)]).map((x) => x.policy)).toEqual(['headroom', 'ecs-cas', 'ugns']);
  });

  it('describes each loss: when, how many, which instance, which event', () => {
    expect(clock(900.5)).toBe('15:00');
    expect(describeLoss({ minute: 900.5, tasks: 3, instance: 'i-00042', why: 'spot interruption' })).toBe('15:00: 3 task(s) on i-00042, spot interruption');
    expect(describeLoss({ minute: 62, tasks: 2, instance: 'i-1', why: 'spot' })).toMatch(/^1:02: 2 task\(s\) on i-1, Spot interruption: EC2 reclaimed the instance/);
  });

  it.each([
    ['a peak over four times the rest is hidden', [5, 4, 30], ['static-peak']],
    ['four times exactly is kept', [5, 4, 20], []],
    ['all zero but one: nothing to flatten', [0, 0, 30], []],
  ])('flattening: %s', (_rule, peaks, hidden) => {
    const names = ['headroom', 'ecs-cas', 'static-peak'] as const;
    expect(flattening(peaks.map((peak, k) => ({ policy: names[k] as (typeof names)[number], peak })))).toEqual(hidden);
  });
});

describe('the default scenario', () => {
  it('describes the setup each policy runs in, and calls the capacity-provider setup the recommended one (as the scenario runs Headroom)', () => {
    const s = parseScenario(DEFAULT_SCENARIO, 'default');
    expect(s.cluster.headroomSetup).toBe('capacity-providers');
    expect(s.description).toMatch(/Headroom runs in the recommended setup: a capacity provider per group with managed scaling on/);
    expect(s.description).not.toMatch(/no capacity provider \(the recommended setup\)/);
  });
});
