/** Small helpers shared by the SDK adapters. */
import { HeadroomError } from '../../core/errors';

/** Split `items` into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < items.length; k += size) out.push(items.slice(k, k + size));
  return out;
}

/** Calls the ECS adapters keep in flight at once (`mapLimit`, `limiter`). */
export const ECS_PARALLEL = 4;

/** Map with at most `limit` calls in flight (bounded fan-out keeps bursts below API rate limits). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const k = next++;
      results[k] = await fn(items[k] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A limiter for work that arrives over time (pages as a paginator yields them): at most `limit`
 * functions run at once, the rest queue in arrival order.
 */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let active = 0;
  const queue: Array<() => void> = [];
  const release = (): void => {
    active--;
    queue.shift()?.();
  };
  return async <R>(fn: () => Promise<R>): Promise<R> => {
    if (active >= limit) await new Promise<void>((ok) => queue.push(ok));
    active++;
    try {
      return await fn();
    } finally {
      release();
    }
  };
}

/** The error name an SDK v3 service exception carries (`ThrottlingException`, `ValidationError`, …). */
export function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : '';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Client errors that retrying cannot fix become `HeadroomError('permanent')` (they must surface,
 * never pass for success); everything else
 * (throttling, 5xx, network) is rethrown untouched so the platform retries it.
 */
export function classify(error: unknown, what: string): never {
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  // 4xx errors that a later attempt can get past: throttling, request timeouts (408), and Auto
  // Scaling's "a scaling activity is in progress" / "resource contention" refusals.
  const transient = /throttl|limitexceeded|toomanyrequests|requestlimit|requesttimeout|scalingactivityinprogress|resourcecontention/i.test(name) || status === 408 || status === 429;
  if (!transient && status !== undefined && status >= 400 && status < 500 && name !== '') {
    throw new HeadroomError('permanent', `${what}: ${name}: ${errorMessage(error)}`, { cause: error });
  }
  throw error;
}

/**
 * The SDK's logger middleware deep-copies every response (through the command's sensitive-data
 * filter) to pass it to `logger.info`, and calls it only when `info` exists: the default no-op
 * logger has one, so a 1 MB DescribeContainerInstances page is copied for nothing. This logger has
 * no `info` (the middleware's optional call skips the copy) and forwards SDK warnings and errors.
 */
const SDK_LOGGER = {
  debug: (): void => undefined,
  warn: (...args: unknown[]): void => console.warn(...args),
  error: (...args: unknown[]): void => console.error(...args),
};

/**
 * Client options every adapter uses: adaptive retries (client-side rate limiting with jitter), the
 * logger above (the SDK's `Logger` type wants `info`; leaving it out is the point), and
 * `cacheMiddleware`: the client resolves its middleware stack once per command class instead of on
 * every call (`@smithy/smithy-client` SmithyConfiguration.cacheMiddleware: "the client will only
 * resolve the middleware stack once per Command class", so changes to the stack after the first
 * request are not seen; ours are made when the adapter is built, before any request).
 */
export const CLIENT_OPTIONS = { retryMode: 'adaptive', maxAttempts: 8, cacheMiddleware: true, logger: SDK_LOGGER as unknown as { debug: () => void; info: () => void; warn: () => void; error: () => void } } as const;
