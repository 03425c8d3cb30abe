/**
 * The Lambda entry wrapper: configuration validated and ports built once per cold start, then every
 * invocation calls the handler function with the same context. With invalid configuration the
 * entry throws the `ConfigError` (every problem listed) on every invocation and acts on nothing.
 * `HEADROOM_SNAPSHOT=file.json` reads a saved cluster instead of AWS (handlers/app/snapshot-ports.ts);
 * with it, or under `serverless invoke local` (`IS_LOCAL=true`), the handler always runs in dry run.
 */
import { loadConfig, type LoadOptions } from '../core/config';
import { ConfigError } from '../core/errors';
import type { Config } from '../core/config';
import type { HandlerContext } from './app/context';
import type { Logger, Ports } from './app/ports';
import { jsonLogger } from './aws/logger';
import { readSnapshot, snapshotPorts } from './app/snapshot-ports';

export type HandlerFunction<E, R> = (event: E, ctx: HandlerContext) => Promise<R>;

export interface EntryOptions extends LoadOptions {
  /** Handler name, for log lines. */
  readonly name: string;
  /**
   * Builds the ports: each handler passes the AWS factory of the clients it uses (so its bundle
   * holds no other client), a test its own.
   */
  readonly ports: (config: Config, log: Logger) => Ports;
  readonly log?: Logger;
}

/**
 * A Lambda entry for `fn` reading configuration from `env` (the Lambda passes `process.env`; tests
 * pass an object). The context is built lazily on the first invocation and then kept.
 */
export function lambdaEntry<E, R>(fn: HandlerFunction<E, R>, env: Readonly<Record<string, string | undefined>>, options: EntryOptions): (event: E) => Promise<R> {
  let context: HandlerContext | undefined;
  let failure: ConfigError | undefined;
  const log = options.log ?? jsonLogger({ handler: options.name });
  const init = (): HandlerContext => {
    if (failure !== undefined) throw failure;
    if (context !== undefined) return context;
    try {
      const loaded = loadConfig(env, options);
      const snapshot = (env.HEADROOM_SNAPSHOT ?? '').trim();
      // A local run (`serverless invoke local` sets IS_LOCAL) or a run on a saved snapshot never
      // acts: DRY_RUN is forced and logged, whatever the parameters say.
      const local = snapshot !== '' || env.IS_LOCAL === 'true';
      if (local && !loaded.dryRun) log.warn('local invocation: DRY_RUN forced to true', { snapshot: snapshot || undefined });
      const config: Config = local ? { ...loaded, dryRun: true } : loaded;
      const ports = snapshot !== '' ? (_c: Config, l: Logger) => snapshotPorts(readSnapshot(snapshot), l, () => Date.now()) : options.ports;
      context = { config, ports: ports(config, log) };
      return context;
    } catch (error) {
      if (error instanceof ConfigError) {
        failure = error;
        log.error('invalid configuration: refusing to act', { problems: error.problems });
      }
      throw error;
    }
  };
  return async (event: E) => fn(event, init());
}
