/**
 * Typed errors. The category decides what the platform does with a failed invocation:
 * - `transient`: throw so Lambda/EventBridge/SQS retry (throttling, timeouts, 5xx).
 * - `configuration`: refuse to act; retrying cannot help until the environment is fixed.
 * - `not-found`: the thing we wanted to act on is gone; treat the work as done.
 * - `invalid-input`: a malformed or foreign event; log once and drop.
 */
export type ErrorCategory = 'transient' | 'configuration' | 'not-found' | 'invalid-input';

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
