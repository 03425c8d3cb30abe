/**
 * Typed errors. The category decides what the platform does with a failed invocation:
 * - `transient`: throw so Lambda/EventBridge/SQS retry (throttling, timeouts, 5xx).
 * - `configuration`: refuse to act; retrying cannot help until the environment is fixed.
 * - `not-found`: the thing we wanted to act on is gone; treat the work as done.
 * - `invalid-input`: a malformed or foreign event; log once and drop.
 * - `permanent`: AWS refused an action and a retry as such cannot fix it (AccessDenied, an
 *   unexpected validation error). Never success: the record fails (dead-letter queue and alarm) so
 *   a person sees it; only "already gone" answers count as done, and adapters return those as data.
 */
export type ErrorCategory = 'transient' | 'configuration' | 'not-found' | 'invalid-input' | 'permanent';

export class HeadroomError extends Error {
  readonly category: ErrorCategory;
  constructor(category: ErrorCategory, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HeadroomError';
    this.category = category;
  }
}

/** Invalid configuration: `problems` lists every problem found, one per entry. */
export class ConfigError extends HeadroomError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('configuration', `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function isRetryable(error: unknown): boolean {
  return !(error instanceof HeadroomError) || error.category === 'transient';
}

/** The category of any thrown value (an error we did not type is treated as transient). */
export function categoryOf(error: unknown): ErrorCategory {
  return error instanceof HeadroomError ? error.category : 'transient';
}
