/** The cost target: no more than max(ecs-cas, the lower bound) + 2 % on each scenario (`sim/run/targets.ts`). */
import type { PolicyResult } from '../../sim/run/result';
import { scenarioMisses } from '../../sim/run/targets';

const result = (policy: PolicyResult['policy'], cost: number, lowerBoundCost: number): PolicyResult =>
  ({ policy, cost, lowerBoundCost, tasksLost: 0, pendingTaskMinutes: 0, stuckInstances: 0, boundViolations: 0 }) as PolicyResult;

describe('cost target against max(ecs-cas, lower bound)', () => {
  it.each<[string, number, number, number, boolean]>([
    ['ecs-cas above the bound: 2 % over ecs-cas is met', 10.2, 10, 8, false],
    ['ecs-cas above the bound: 3 % over ecs-cas misses', 10.3, 10, 8, true],
    ['ecs-cas left work undone (below the bound): 2 % over the bound is met', 12.2, 6, 12, false],
    ['ecs-cas below the bound: 4 % over the bound misses', 12.5, 6, 12, true],
  ])('%s', (_rule, headroom, cas, bound, missed) => {
    const misses = scenarioMisses({ scenario: 's', notes: [], results: [result('headroom', headroom, bound), result('ecs-cas', cas, bound)] });
    expect(misses.some((m) => m.includes('cost'))).toBe(missed);
  });
});
