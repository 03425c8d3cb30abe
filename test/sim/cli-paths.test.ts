/**
 * Simulator CLI paths: relative to the caller's directory, problems with `--out` found before any
 * simulation, a fresh default report per run, duplicate policies run once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main, parseArgs } from '../../sim/cli';
import { callerDirectory, checkOutputPath, PathError, uniqueReportPath } from '../../sim/cli/paths';

let dir: string;
let stderr: jest.SpyInstance;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stderr.mockRestore();
  rmSync(dir, { recursive: true, force: true });
});
const errors = (): string => stderr.mock.calls.map((c) => String(c[0])).join('');

describe('paths', () => {
  it.each([
    ['npm sets INIT_CWD: the caller directory', { INIT_CWD: '/home/me/work' }, '/home/me/work'],
    ['no INIT_CWD: the working directory', {}, '/repo'],
    ['blank INIT_CWD: the working directory', { INIT_CWD: ' ' }, '/repo'],
  ])('%s', (_rule, env, expected) => {
    expect(callerDirectory(env, '/repo')).toBe(expected);
  });

  it.each([
    ['a directory', (d: string) => d, /is a directory/],
    ['a missing directory', (d: string) => join(d, 'missing', 'r.html'), /the directory .*missing does not exist/],
    ['a file used as a directory', (d: string) => (writeFileSync(join(d, 'f'), ''), join(d, 'f', 'r.html')), /is not a directory/],
  ])('--out into %s is refused with the resolved path', (_rule, make, message) => {
    const path = make(dir);
    expect(() => checkOutputPath(path)).toThrow(PathError);
    expect(() => checkOutputPath(path)).toThrow(message);
    expect(() => checkOutputPath(path)).toThrow(path);
  });

  it('--out to a new file in an existing directory is accepted', () => {
    expect(() => checkOutputPath(join(dir, 'r.html'))).not.toThrow();
  });

  it('the default report path is new on every run', () => {
    const a = uniqueReportPath('headroom-report-x');
    const b = uniqueReportPath('headroom-report-x');
    expect(a).not.toBe(b);
    for (const p of [a, b]) rmSync(dirname(p), { recursive: true, force: true });
  });

  it('--policies a,a,b runs each policy once, in the order given', () => {
    expect(parseArgs(['--policies', 'ugns,headroom,ugns']).policies).toEqual(['ugns', 'headroom']);
  });
});

describe('main', () => {
  it('a missing scenario is reported with its path resolved from the caller directory', async () => {
    const code = await main(['--scenario', 'nope.json'], { env: { INIT_CWD: dir }, cwd: '/' });
    expect(code).toBe(2);
    expect(errors()).toContain(join(dir, 'nope.json'));
  });

  it('a bad --out with a valid scenario fails before the simulation', async () => {
    const code = await main(['--out', join(dir, 'missing', 'r.html')], { env: {}, cwd: dir });
    expect(code).toBe(2);
    expect(errors()).toContain(`${join(dir, 'missing')} does not exist`);
  });
});
