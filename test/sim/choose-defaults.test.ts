/** The defaults-selection rules (`sim/choose-defaults.ts`): candidates from results, and their ranking. */
import { candidateOf, GRID, gridEnvs, rank, type Candidate } from '../../sim/choose-defaults';
import type { PolicyResult } from '../../sim/run/result';

const result = (policy: PolicyResult['policy'], cost: number, tasksLost = 0, pendingTaskMinutes = 0): PolicyResult =>
  ({ policy, cost, lowerBoundCost: 0, tasksLost, pendingTaskMinutes, stuckInstances: 0, boundViolations: 0 }) as PolicyResult;
const cand = (name: string, cost: number, misses: number, tasksLost: number, casCost = 100, pendingTaskMinutes = 0): Candidate => ({
  env: { NAME: name },
  cost,
  tasksLost,
  pendingTaskMinutes,
  casCost,
  casPendingTaskMinutes: 50,
  casTasksLost: 10,
  misses: Array.from({ length: misses }, (_, k) => `miss ${k}`),
});
const names = (cs: readonly Candidate[]): string[] => cs.map((c) => c.env.NAME as string);

describe('rank: the rules in order', () => {
  it.each<[string, Candidate[], string[]]>([
    ['1. cheaper than ecs-cas over the half beats fewer misses', [cand('dear', 101, 0, 0), cand('cheap', 99, 3, 0)], ['cheap', 'dear']],
    ['2. then fewer target misses beats fewer tasks lost', [cand('lossy', 90, 1, 9), cand('misses', 90, 2, 0)], ['lossy', 'misses']],
    ['3. then fewer tasks lost beats lower cost', [cand('cheaper', 80, 1, 5), cand('safer', 95, 1, 2)], ['safer', 'cheaper']],
    ['4. then the lowest cost', [cand('b', 95, 1, 2), cand('a', 90, 1, 2)], ['a', 'b']],
    ['a full tie keeps grid order', [cand('first', 90, 1, 2), cand('second', 90, 1, 2)], ['first', 'second']],
    ['1. waiting longer than ecs-cas over the half fails rule 1', [cand('waits', 80, 0, 0, 100, 51), cand('prompt', 99, 4, 0, 100, 50)], ['prompt', 'waits']],
    ['1. losing more tasks than ecs-cas over the half fails rule 1', [cand('loses', 80, 0, 11), cand('keeps', 99, 4, 10)], ['keeps', 'loses']],
    ['costing exactly ecs-cas is not cheaper', [cand('equal', 100, 0, 0), cand('below', 99.99, 5, 5)], ['below', 'equal']],
  ])('%s', (_rule, candidates, order) => {
    expect(names(rank(candidates))).toEqual(order);
  });
});

describe('candidateOf: totals and per-scenario misses from the runs', () => {
  it('sums over scenarios and lists each scenario miss, not the suite line', () => {
    const c = candidateOf({ SHORTAGE_THRESHOLD: '1' }, [
      { name: 'a', headroom: result('headroom', 10, 3, 5), peers: [result('ecs-cas', 10, 1, 5)] },
      { name: 'b', headroom: result('headroom', 20, 0, 1), peers: [result('ecs-cas', 19, 0, 1)] },
    ]);
    expect([c.cost, c.tasksLost, c.casCost, c.casTasksLost, c.casPendingTaskMinutes]).toEqual([30, 3, 29, 1, 6]);
    // a: lost 3 vs 1; b: cost 20 vs 19 (+5.3 %, over 2 %).
    expect(c.misses.map((m) => m.split(':')[0])).toEqual(['a', 'b']);
  });
});

describe('the grid', () => {
  it('tries every valid combination of the rows (excess above shortage)', () => {
    const envs = gridEnvs();
    const product = GRID.reduce((n, r) => n * r.values.length, 1);
    expect(envs.length).toBeGreaterThan(0);
    expect(envs.length).toBeLessThanOrEqual(product);
    for (const e of envs) expect(Number(e.EXCESS_THRESHOLD)).toBeGreaterThan(Number(e.SHORTAGE_THRESHOLD));
  });
});
