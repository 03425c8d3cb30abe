/** Tune's pure rules: the grid, the Pareto front and the recommendation. */
import type { PolicyResult } from '../../sim/run/result';
import { DEFAULTS } from '../../core/config';
import { boundsOf, dominates, grid, recommend, tradeOff, withFront, type Point } from '../../sim/tune/tune';

const BASE_ENV = { CLUSTER_NAME: 'c', ASG_NAMES: 'g', DRAIN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/q' };

function pt(cost: number, tasksLost: number, pendingTaskMinutes: number, extra: Partial<Point> = {}): Omit<Point, 'pareto'> {
  return { env: { COST: String(cost) }, cost, costRatio: 1, tasksLost, pendingTaskMinutes, p99PendingSeconds: 0, stuckInstances: 0, boundViolations: 0, ...extra };
}
const peer = (policy: PolicyResult['policy'], tasksLost: number, pendingTaskMinutes: number): PolicyResult => ({ policy, tasksLost, pendingTaskMinutes }) as PolicyResult;

describe('grid', () => {
  const SWEEP = [
    { env: 'SHORTAGE_THRESHOLD', values: ['1', '4'] },
    { env: 'EXCESS_THRESHOLD', values: ['2', '8'] },
    { env: 'NOT_A_SETTING_YET', values: ['0', '1'] },
  ];
  it('sweeps the product of the known rows, each with its default added, and skips combinations loadConfig rejects', () => {
    const { envs, skipped, current } = grid({}, BASE_ENV, SWEEP, new Set(['SHORTAGE_THRESHOLD', 'EXCESS_THRESHOLD']));
    // EXCESS_THRESHOLD's default (4) joins its row; (4, 2) and (4, 4) are rejected: excess must exceed shortage.
    expect(envs).toEqual([
      { SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '2' },
      { SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '4' },
      { SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '8' },
      { SHORTAGE_THRESHOLD: '4', EXCESS_THRESHOLD: '8' },
    ]);
    expect(skipped).toEqual(['NOT_A_SETTING_YET']);
    expect(current).toEqual({ SHORTAGE_THRESHOLD: String(DEFAULTS.SHORTAGE_THRESHOLD), EXCESS_THRESHOLD: String(DEFAULTS.EXCESS_THRESHOLD) });
    expect(envs).toContain(current);
  });

  it('a row joins the sweep as soon as the configuration knows its variable', () => {
    const known = new Set(['SHORTAGE_THRESHOLD', 'EXCESS_THRESHOLD', 'NOT_A_SETTING_YET']);
    // loadConfig ignores variables it does not know, so every combination with excess > shortage is valid.
    expect(grid({}, BASE_ENV, SWEEP, known).envs).toHaveLength(8);
  });

  it('--set replaces a row’s values; the default and the current value stay in it', () => {
    const { envs, current } = grid({ EXCESS_THRESHOLD: '12' }, BASE_ENV, SWEEP, new Set(['SHORTAGE_THRESHOLD', 'EXCESS_THRESHOLD']), { EXCESS_THRESHOLD: ['20'] });
    expect([...new Set(envs.map((e) => e.EXCESS_THRESHOLD))]).toEqual(['4', '12', '20']);
    expect(current).toEqual({ SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '12' });
  });

  it('the real sweep holds the defaults of every row it sweeps', () => {
    const { current, envs } = grid({}, BASE_ENV);
    for (const [name, value] of Object.entries(current ?? {})) expect(String((DEFAULTS as Record<string, unknown>)[name])).toBe(value);
    expect(envs).toContainEqual(current);
  });

  it('the scenario env is the base the grid overrides', () => {
    const { envs } = grid({ EXCESS_THRESHOLD: '3' }, BASE_ENV, [{ env: 'SHORTAGE_THRESHOLD', values: ['1', '2', '3'] }], new Set(['SHORTAGE_THRESHOLD']));
    expect(envs).toEqual([{ SHORTAGE_THRESHOLD: '1' }, { SHORTAGE_THRESHOLD: '2' }]);
  });
});

describe('Pareto front', () => {
  it.each([
    ['cheaper and no worse elsewhere dominates', pt(1, 0, 0), pt(2, 0, 0), true],
    ['equal on everything does not dominate', pt(1, 1, 1), pt(1, 1, 1), false],
    ['cheaper but loses more does not dominate', pt(1, 2, 0), pt(2, 1, 0), false],
    ['waits less, same cost and losses, dominates', pt(1, 1, 5), pt(1, 1, 6), true],
  ])('%s', (_rule, a, b, expected) => {
    expect(dominates(a, b)).toBe(expected);
  });

  it('marks exactly the non-dominated points', () => {
    const points = withFront([pt(10, 0, 50), pt(8, 0, 80), pt(12, 0, 60), pt(9, 3, 10), pt(8, 0, 90)]);
    expect(points.map((p) => p.pareto)).toEqual([true, true, false, true, false]);
  });
});

describe('recommendation', () => {
  const peers = [peer('ugns', 9, 700), peer('ecs-cas', 2, 100), peer('static-peak', 4, 90)];

  it('bounds: fewest tasks lost by any peer, ecs-cas waiting', () => {
    expect(boundsOf(peers)).toEqual({ maxTasksLost: 2, maxPendingTaskMinutes: 100 });
  });

  it.each([
    ['the cheapest point within both bounds', [pt(9, 1, 90), pt(7, 2, 100), pt(5, 3, 50), pt(6, 0, 120)], 7, true],
    ['ties in cost go to fewer losses, then less waiting', [pt(7, 2, 60), pt(7, 1, 99), pt(7, 1, 80)], 7, true],
    ['a point with stuck instances is never recommended', [pt(5, 0, 10, { stuckInstances: 1 }), pt(6, 0, 10)], 6, true],
    ['none within bounds: the fewest losses, then least waiting', [pt(5, 4, 50), pt(9, 3, 300), pt(8, 3, 200)], 8, false],
  ])('%s', (_rule, raw, cost, meets) => {
    const rec = recommend(withFront(raw), boundsOf(peers));
    expect(rec?.point.cost).toBe(cost);
    expect(rec?.meetsBounds).toBe(meets);
  });

  it('no points: no recommendation', () => {
    expect(recommend([], boundsOf(peers))).toBeUndefined();
  });
});

describe('weighed against the current settings', () => {
  const peers = [peer('ugns', 9, 700), peer('ecs-cas', 2, 100), peer('static-peak', 4, 90)];

  it('never recommends a point the current settings dominate (here the current point is not among those tried, as when the grid lacked the defaults)', () => {
    const current = withFront([pt(7, 3, 150)])[0] as Point;
    const points = withFront([pt(8, 3, 200), pt(5, 4, 50)]);
    expect(dominates(current, points[0] as Point)).toBe(true);
    // Control: without the current settings, the fallback (fewest tasks lost) picks the dominated point.
    expect(recommend(points, boundsOf(peers))?.point.cost).toBe(8);
    expect(recommend(points, boundsOf(peers), current)?.point.cost).toBe(5);
  });

  it.each([
    ['the same point', pt(7, 1, 50), pt(7, 1, 50), /^Keep the current settings/],
    ['cheaper, no worse', pt(6, 1, 50), pt(8, 1, 50), /^Against the current settings, the recommendation saves \$2\.00 \(25\.0 %\), and is no worse on anything else\.$/],
    ['cheaper but waits longer', pt(6, 1, 60), pt(8, 1, 50), /saves \$2\.00 \(25\.0 %\), but waits 10\.0 task-minutes longer\.$/],
    ['dearer, loses fewer tasks and waits less', pt(9, 0, 40), pt(8, 2, 50), /loses 2 fewer task\(s\) and waits 10\.0 task-minutes less, but costs \$1\.00 \(12\.5 %\) more\.$/],
    ['worse everywhere (the current settings miss the bounds)', pt(9, 2, 60), pt(8, 1, 50), /costs \$1\.00 .* more, loses 1 more task\(s\) and waits 10\.0 task-minutes longer: it is chosen to meet the bounds/],
  ])('the trade-off in one sentence: %s', (_rule, rec, current, sentence) => {
    const [r, c] = withFront([{ ...rec, env: { A: 'rec' } }, { ...current, env: { A: _rule === 'the same point' ? 'rec' : 'cur' } }]);
    const text = tradeOff(r as Point, c as Point);
    expect(text).toMatch(sentence);
    expect(text.split(/[.:]\s+[A-Z]/)).toHaveLength(1);
  });
});
