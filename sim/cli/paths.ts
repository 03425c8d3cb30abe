/**
 * Paths given on the command line: resolved from the directory the user ran the command in
 * (`INIT_CWD` under `npm start` / `npm run tune`, where the process's own directory is the project
 * root), checked before any simulation runs, and shown resolved in every error.
 */
import { accessSync, constants, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export class PathError extends Error {}

/** The user's directory: npm's INIT_CWD when run through npm, else the working directory. */
export function callerDirectory(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const init = env.INIT_CWD?.trim();
  return init !== undefined && init !== '' ? init : cwd;
}

export function resolveFrom(base: string, path: string): string {
  return resolve(base, path);
}

/**
 * Where a report may be written: not a directory, its directory exists and is writable, an
 * existing file is writable. Throws `PathError` naming the resolved path.
 */
export function checkOutputPath(path: string): void {
  const dir = dirname(path);
  const stat = (p: string) => {
    try {
      return statSync(p);
    } catch {
      return undefined;
    }
  };
  const target = stat(path);
  if (target?.isDirectory() === true) throw new PathError(`--out ${path}: is a directory; give a file name such as ${join(path, 'report.html')}`);
  const parent = stat(dir);
  if (parent === undefined) throw new PathError(`--out ${path}: the directory ${dir} does not exist`);
  if (!parent.isDirectory()) throw new PathError(`--out ${path}: ${dir} is not a directory`);
  try {
    accessSync(target !== undefined ? path : dir, constants.W_OK);
  } catch {
    throw new PathError(`--out ${path}: ${target !== undefined ? 'the file' : `the directory ${dir}`} is not writable`);
  }
}

/** A fresh file in a new directory under the system temp directory: never overwrites another run's report. */
export function uniqueReportPath(stem: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-'));
  return join(dir, `${stem.replace(/[^A-Za-z0-9_-]/g, '-')}.html`);
}
