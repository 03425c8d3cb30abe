/**
 * Runs the Serverless CLI offline for the packaging tests: no AWS credentials, no telemetry, the
 * repository as the service directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');

export interface SlsResult {
  readonly status: number | null;
  readonly output: string;
}

/** `serverless <args>` with credentials and config pointed at nothing. */
export function serverless(args: readonly string[]): SlsResult {
  const scratch = mkdtempSync(join(tmpdir(), 'headroom-sls-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v;
  env.AWS_SDK_LOAD_CONFIG = '0';
  env.AWS_SHARED_CREDENTIALS_FILE = join(scratch, 'no-credentials');
  env.AWS_CONFIG_FILE = join(scratch, 'no-config');
  env.SLS_TELEMETRY_DISABLED = '1';
  const r = spawnSync(process.execPath, [require.resolve('osls/bin/serverless.js'), ...args], { cwd: root, env, encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** `serverless package` into a fresh directory; throws with the CLI's output when it fails. */
export function packageInto(params: readonly string[], region = 'eu-west-1'): string {
  const out = mkdtempSync(join(tmpdir(), 'headroom-package-'));
  const r = serverless(['package', '--package', out, '--region', region, ...params.map((p) => `--param=${p}`)]);
  if (r.status !== 0) throw new Error(`serverless package failed (${r.status}):\n${r.output}`);
  return out;
}
