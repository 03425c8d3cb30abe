/**
 * The public suite's files and halves, shared by `npm run suite` and `npm run choose-defaults`:
 * the shipped `sim/scenarios/*.json` (but the slow ones), `sim/scenarios/suite/*.json` and the
 * tuning scenarios of `sim/scenarios/suite/tuning/*.json`, or one list of
 * `sim/scenarios/suite/halves.json` (settings are chosen on the tuning half only). The
 * `fresh` list (`sim/scenarios/suite/fresh/`) is held out too, written after the defaults were
 * chosen and run once at the end: it is never part of the default run (only `--half fresh` runs
 * it), so no routine `npm run suite` shows Headroom's results on it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseScenarioText, type Scenario } from '../scenario/scenario';

export const ROOT = resolve(__dirname, '..', '..');
const SCENARIOS = join(ROOT, 'sim', 'scenarios');
const SUITE = join(SCENARIOS, 'suite');
/** Scenarios written for the tuning half; part of the default run, unlike `fresh/`. */
const TUNING = join(SUITE, 'tuning');
/** Too slow for a tuning loop (minutes per run); run it by naming the file. */
const SLOW = new Set(['large-week.json']);

/** The lists of `halves.json` the suite can run alone (`--half`), as the flag spells them. */
export const HALVES = ['tuning', 'held-out', 'fresh'] as const;
export type Half = (typeof HALVES)[number];

/** The `halves.json` key of each `--half` value. */
const HALF_KEYS = { tuning: 'tuning', 'held-out': 'heldOut', fresh: 'fresh' } as const satisfies Record<Half, string>;

/**
 * The suite's files: one list of `halves.json` when asked, else the shipped scenarios, the
 * scenarios directly in `sim/scenarios/suite/` and those in `sim/scenarios/suite/tuning/` (the
 * tuning and held-out halves; not `fresh/`).
 */
export function suiteFiles(half?: Half): string[] {
  if (half !== undefined) {
    const halves = JSON.parse(readFileSync(join(SUITE, 'halves.json'), 'utf8')) as Partial<Record<(typeof HALF_KEYS)[Half], string[]>>;
    const list = halves[HALF_KEYS[half]];
    if (list === undefined) throw new Error(`sim/scenarios/suite/halves.json has no "${HALF_KEYS[half]}" list`);
    return list.map((n) => join(SCENARIOS, n));
  }
  return [...jsonFiles(SCENARIOS, SLOW), ...jsonFiles(SUITE, new Set(['halves.json'])), ...jsonFiles(TUNING)];
}

/** The `.json` files directly in `dir` but `skip`, sorted by name. */
function jsonFiles(dir: string, skip: ReadonlySet<string> = new Set()): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json') && !skip.has(f)).sort().map((f) => join(dir, f));
}

/** A scenario file with Headroom settings `env` on top of its own `env`, and its short name. */
export function loadSuiteScenario(file: string, env: Readonly<Record<string, string>> = {}): { name: string; scenario: Scenario } {
  const s = parseScenarioText(readFileSync(file, 'utf8'), file);
  return { name: basename(file, '.json'), scenario: Object.keys(env).length === 0 ? s : { ...s, env: { ...s.env, ...env } } };
}
