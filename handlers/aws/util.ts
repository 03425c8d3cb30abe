/** Small helpers shared by the SDK adapters. */
import { HeadroomError } from '../../core/errors';

/** Split `items` into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < items.length; k += size) out.push(items.slice(k, k + size));
  return out;
}

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

/** Client options every adapter uses: adaptive retries (client-side rate limiting with jitter). */
export const CLIENT_OPTIONS = { retryMode: 'adaptive', maxAttempts: 8 } as const;
