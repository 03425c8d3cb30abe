/**
 * Command-line flags for the simulator's commands: `--flag value`, `--flag=value`, switches and
 * repeatable flags; a flag not in the spec, or a value that is missing, is a `UsageError`.
 */
export class UsageError extends Error {}

export type FlagKind = 'value' | 'switch' | 'repeat';

export interface Flags {
  readonly values: Readonly<Record<string, string>>;
  readonly switches: ReadonlySet<string>;
  readonly repeats: Readonly<Record<string, readonly string[]>>;
}

export function parseFlags(argv: readonly string[], spec: Readonly<Record<string, FlagKind>>): Flags {
  const values: Record<string, string> = {};
  const switches = new Set<string>();
  const repeats: Record<string, string[]> = {};
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] as string;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = a === '-h' ? '--help' : eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    const kind = spec[flag];
    if (kind === undefined) throw new UsageError(`unknown argument ${a}`);
    if (kind === 'switch') {
      switches.add(flag);
      continue;
    }
    const v = inline ?? argv[++k];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    if (kind === 'value') values[flag] = v;
    else (repeats[flag] ??= []).push(v);
  }
  return { values, switches, repeats };
}

/**
 * Run a command's `main` as the process entry point: its result is the exit code; a `UsageError`
 * prints its message and `usage` (exit 2), anything else its stack (exit 1).
 */
export function runAsMain(main: () => Promise<number>, usage?: string): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const bad = e instanceof UsageError && usage !== undefined;
      process.stderr.write(bad ? `${e.message}\n${usage}\n` : `error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = bad ? 2 : 1;
    },
  );
}
