/**
 * `tune` end to end on a tiny scenario: worker threads (through tsx) and the in-process path give
 * the same points, the JSON has the contract's shape, and the recommendation is one of the points.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tuneMain } from '../../sim/tune-cli';

const TINY = {
  name: 'tiny-tune',
  seed: 3,
  durationMinutes: 120,
  tickSeconds: 60,
  capacityGroups: [{ name: 'spot', instanceType: 'm5.large', cpu: 2048, memory: 7680, pricePerHour: 0.04, spot: true, min: 1, max: 10, initial: 1, launchSeconds: 120 }],
  services: [{ name: 'web', cpu: 512, memory: 1024, desired: [[0, 2], [40, 12], [90, 3], [120, 3]] }],
  jobs: [],
};

let dir: string;
let out: jest.SpyInstance;
let err: jest.SpyInstance;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-tune-'));
  writeFileSync(join(dir, 'tiny.json'), JSON.stringify(TINY));
  out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  out.mockRestore();
  err.mockRestore();
  rmSync(dir, { recursive: true, force: true });
});

type TunePoint = { env: Record<string, string>; cost: number; tasksLost: number; pendingTaskMinutes: number; pareto: boolean };

async function tune(workers: number, extra: string[] = []): Promise<{ recommended: Record<string, string>; current: TunePoint; tradeOff: string; points: TunePoint[] }> {
  out.mockClear();
  const code = await tuneMain(['--scenario', 'tiny.json', '--json', '--workers', String(workers), '--set', 'SHORTAGE_THRESHOLD=1,3', '--set', 'EXCESS_THRESHOLD=6', '--set', 'SPOT_RESERVE_INSTANCES=2', '--out', 'front.html', ...extra], { env: { INIT_CWD: dir }, cwd: join(__dirname, '..', '..') });
  expect(code).toBe(0);
  const printed = out.mock.calls.map((c) => String(c[0])).join('');
  return JSON.parse(printed);
}

describe('npm run tune', () => {
  it('sweeps the grid on worker threads, prints the contract JSON and writes the front report', async () => {
    const parallel = await tune(2);
    expect(Object.keys(parallel)).toEqual(expect.arrayContaining(['recommended', 'points']));
    // The defaults (EXCESS_THRESHOLD 4) join the rows --set gave.
    expect(parallel.points.map((p) => p.env)).toEqual([
      { SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '4', SPOT_RESERVE_INSTANCES: '2' },
      { SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '6', SPOT_RESERVE_INSTANCES: '2' },
      { SHORTAGE_THRESHOLD: '3', EXCESS_THRESHOLD: '4', SPOT_RESERVE_INSTANCES: '2' },
      { SHORTAGE_THRESHOLD: '3', EXCESS_THRESHOLD: '6', SPOT_RESERVE_INSTANCES: '2' },
    ]);
    // The current settings (the defaults: the scenario sets none) are a row, with every field of a point.
    expect(parallel.current).toEqual(parallel.points[0]);
    expect(Object.keys(parallel.current)).toEqual(expect.arrayContaining(['env', 'cost', 'tasksLost', 'pendingTaskMinutes']));
    expect(parallel.tradeOff).toMatch(/^(Keep the current settings|Against the current settings, the recommendation)/);
    expect(parallel.points.every((p) => p.cost > 0)).toBe(true);
    expect(parallel.points.some((p) => p.pareto)).toBe(true);
    expect(parallel.points.map((p) => p.env)).toContainEqual(parallel.recommended);
    const html = readFileSync(join(dir, 'front.html'), 'utf8');
    expect(html).toContain('Pareto front');
    expect(html).toContain('uPlot');

    const inProcess = await tune(1);
    // The same points and recommendation (the results' simulator-speed field differs by machine load).
    expect(inProcess.points).toEqual(parallel.points);
    expect(inProcess.recommended).toEqual(parallel.recommended);
  }, 120_000);

  it('--current names the settings run today: they are the current row and join the grid; settings the configuration rejects are a usage error', async () => {
    const r = await tune(1, ['--current', 'EXCESS_THRESHOLD=9']);
    expect(r.current.env).toEqual({ SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '9', SPOT_RESERVE_INSTANCES: '2' });
    expect(r.points.map((p) => p.env)).toContainEqual(r.current.env);
    const code = await tuneMain(['--scenario', 'tiny.json', '--json', '--workers', '1', '--current', 'EXCESS_THRESHOLD=0'], { env: { INIT_CWD: dir }, cwd: join(__dirname, '..', '..') });
    expect(code).toBe(2);
  }, 120_000);
});
