/**
 * The public suite's files and halves, shared by `npm run suite` and `npm run choose-defaults`:
 * the shipped `sim/scenarios/*.json` (but the slow ones) and `sim/scenarios/suite/*.json`, or one
 * half of them as `sim/scenarios/suite/halves.json` splits them (settings are chosen on the tuning
 * half only).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseScenarioText, type Scenario } from '../scenario/scenario';

export const ROOT = resolve(__dirname, '..', '..');
const SCENARIOS = join(ROOT, 'sim', 'scenarios');
const SUITE = join(SCENARIOS, 'suite');
/** Too slow for a tuning loop (minutes per run); run it by naming the file. */
const SLOW = new Set(['large-week.json']);

export type Half = 'tuning' | 'held-out';

/** The suite's files: one half when asked, else the shipped scenarios and the suite. */
export function suiteFiles(half?: Half): string[] {
  const halves = JSON.parse(readFileSync(join(SUITE, 'halves.json'), 'utf8')) as { tuning: string[]; heldOut: string[] };
  if (half === 'tuning') return halves.tuning.map((n) => join(SCENARIOS, n));
  if (half === 'held-out') return halves.heldOut.map((n) => join(SCENARIOS, n));
  const shipped = readdirSync(SCENARIOS).filter((f) => f.endsWith('.json') && !SLOW.has(f)).sort().map((f) => join(SCENARIOS, f));
  const suite = readdirSync(SUITE).filter((f) => f.endsWith('.json') && f !== 'halves.json').sort().map((f) => join(SUITE, f));
  return [...shipped, ...suite];
}

/** A scenario file with Headroom settings `env` on top of its own `env`, and its short name. */
export function loadSuiteScenario(file: string, env: Readonly<Record<string, string>> = {}): { name: string; scenario: Scenario } {
  const s = parseScenarioText(readFileSync(file, 'utf8'), file);
  return { name: basename(file, '.json'), scenario: Object.keys(env).length === 0 ? s : { ...s, env: { ...s.env, ...env } } };
}
