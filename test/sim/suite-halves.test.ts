/**
 * The suite's lists (`sim/scenarios/suite/halves.json`) and `npm run suite -- --half`: each list
 * runs exactly its files, the lists never share a scenario, and the fresh held-out scenarios
 * (`sim/scenarios/suite/fresh/`) run only when asked for, never in the default run, so no routine
 * `npm run suite` shows Headroom's results on them. The fresh scenarios are checked to load, to run
 * Headroom at its documented defaults, and not to copy an older scenario's name or seed. No
 * simulation runs here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from '../../sim/suite';
import { HALVES, loadSuiteScenario, suiteFiles } from '../../sim/cli/suite-files';

const SCENARIOS = join(__dirname, '..', '..', 'sim', 'scenarios');
const FRESH = join(SCENARIOS, 'suite', 'fresh');
const TUNING = join(SCENARIOS, 'suite', 'tuning');
const tuningDirFiles = readdirSync(TUNING).filter((f) => f.endsWith('.json')).sort().map((f) => join(TUNING, f));
const freshFiles = readdirSync(FRESH).filter((f) => f.endsWith('.json')).sort().map((f) => join(FRESH, f));
const halves = JSON.parse(readFileSync(join(SCENARIOS, 'suite', 'halves.json'), 'utf8')) as Record<string, unknown>;

describe('npm run suite --half', () => {
  it.each([
    ['tuning runs the tuning half', ['--half', 'tuning'], 'tuning'],
    ['held-out runs the held-out half', ['--half', 'held-out'], 'held-out'],
    ['fresh runs the fresh held-out scenarios', ['--half', 'fresh'], 'fresh'],
    ['no flag runs the default set', [], undefined],
  ])('%s', (_rule, argv, half) => {
    expect(parseArgs(argv).half).toBe(half);
  });

  it.each([
    ['an unknown list is refused with every known one', ['--half', 'heldout'], /one of tuning, held-out, fresh, got heldout/],
    ['the flag needs a value', ['--half'], /needs a value/],
  ])('%s', (_rule, argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('the suite lists', () => {
  it('--half fresh runs exactly the scenarios of sim/scenarios/suite/fresh/', () => {
    expect(freshFiles.length).toBe(10);
    expect([...suiteFiles('fresh')].sort()).toEqual(freshFiles);
  });

  it('the default run holds no fresh scenario and every tuning and held-out one', () => {
    const all = suiteFiles();
    expect(all.filter((f) => f.startsWith(FRESH))).toEqual([]);
    for (const f of [...suiteFiles('tuning'), ...suiteFiles('held-out')]) expect(all).toContain(f);
  });

  it('every scenario of sim/scenarios/suite/tuning/ is in the tuning half and in the default run', () => {
    expect(tuningDirFiles.length).toBe(8);
    const tuning = suiteFiles('tuning');
    const all = suiteFiles();
    for (const f of tuningDirFiles) {
      expect(tuning).toContain(f);
      expect(all).toContain(f);
    }
  });

  it('no scenario is in two lists, and every list names files that exist', () => {
    const lists = HALVES.map((h) => suiteFiles(h));
    const everything = lists.flat();
    expect(new Set(everything).size).toBe(everything.length);
    for (const f of everything) expect(() => readFileSync(f, 'utf8')).not.toThrow();
  });

  it('the list file says what the fresh list is for', () => {
    expect(halves.description).toMatch(/fresh/);
  });
});

describe.each(freshFiles.map((f) => [basename(f, '.json'), f]))('fresh scenario %s', (name, file) => {
  const { scenario } = loadSuiteScenario(file);
  const older = [...suiteFiles('tuning'), ...suiteFiles('held-out')].map((f) => loadSuiteScenario(f).scenario);

  it('loads, is named for its file, describes itself and runs Headroom at its documented defaults', () => {
    expect(scenario.name).toBe(name);
    expect(scenario.description ?? '').toMatch(/documented defaults\.$/);
    expect(scenario.env).toEqual({});
    expect(scenario.tickSeconds).toBe(60);
  });

  it('lasts one to three simulated days', () => {
    expect(scenario.durationMinutes).toBeGreaterThanOrEqual(1440);
    expect(scenario.durationMinutes).toBeLessThanOrEqual(3 * 1440);
  });

  it('has Spot interruptions and work', () => {
    expect(scenario.capacityGroups.some((g) => g.spot)).toBe(true);
    expect(scenario.interruptions.spotPerInstanceHour + scenario.interruptions.storms.length).toBeGreaterThan(0);
    expect(scenario.services.some((s) => !s.daemon) || scenario.jobs.length > 0).toBe(true);
  });

  it('copies no older scenario: its name and seed are its own', () => {
    expect(older.map((s) => s.name)).not.toContain(scenario.name);
    expect(older.map((s) => s.seed)).not.toContain(scenario.seed);
    const freshSeeds = freshFiles.map((f) => loadSuiteScenario(f).scenario.seed);
    expect(freshSeeds.filter((s) => s === scenario.seed)).toHaveLength(1);
  });
});

describe.each(tuningDirFiles.map((f) => [basename(f, '.json'), f]))('tuning scenario %s', (name, file) => {
  const { scenario } = loadSuiteScenario(file);
  const others = [...suiteFiles('tuning'), ...suiteFiles('held-out'), ...freshFiles].filter((f) => f !== file).map((f) => loadSuiteScenario(f).scenario);

  it('loads, is named for its file, describes itself and runs Headroom at its documented defaults', () => {
    expect(scenario.name).toBe(name);
    expect(scenario.description ?? '').toMatch(/documented defaults\.$/);
    expect(scenario.env).toEqual({});
    expect(scenario.tickSeconds).toBe(60);
    expect([1440, 2880]).toContain(scenario.durationMinutes);
  });

  it('copies no other scenario: its name and seed are its own', () => {
    expect(others.map((s) => s.name)).not.toContain(scenario.name);
    expect(others.map((s) => s.seed)).not.toContain(scenario.seed);
  });
});
