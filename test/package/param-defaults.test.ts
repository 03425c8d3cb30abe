/**
 * The stack's parameter defaults are the functions' documented defaults: a deploy without
 * `--param` must run the settings the README and `core/config.ts` describe (they once drifted:
 * the stack kept deploying the old thresholds after the defaults were chosen by simulation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../core/config';

const { paramNames } = require('../../deploy/validate-params.cjs') as { paramNames: (yml: string) => Record<string, string> };

const yml = readFileSync(join(__dirname, '../../serverless.yml'), 'utf8');

/** `name → default` from the `params: default:` block (four-space indented `name: value` lines). */
function paramDefaults(text: string): Record<string, string> {
  const block = /^params:\n {2}default:\n((?: {4}.*\n| *#.*\n)+)/m.exec(text)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of block.matchAll(/^ {4}([A-Za-z0-9_]+):\s*(.*?)\s*$/gm)) out[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
  return out;
}

const envToParam = paramNames(yml);
const defaults = paramDefaults(yml);
// HOOK_NAME: the stack names its hooks after the cluster (an empty parameter means that name).
const rows = Object.entries(DEFAULTS).filter(([env]) => env !== 'HOOK_NAME' && envToParam[env] !== undefined);

describe('stack parameter defaults', () => {
  it('reads the parameters of serverless.yml', () => {
    expect(rows.length).toBeGreaterThan(10);
  });
  it.each(rows)('%s: the stack default equals the documented default', (env, value) => {
    expect(defaults[envToParam[env]!]).toBe(String(value));
  });
});
