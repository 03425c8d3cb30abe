/**
 * Partial batch responses for the SQS-fed handlers (drain, lifecycle, interruption), in one place:
 * a failed record is reported in `batchItemFailures` so SQS redelivers it alone (Lambda developer
 * guide, "Handling errors for an SQS event source in Lambda": `ReportBatchItemFailures`), and after
 * the queue's `maxReceiveCount` moves it to the dead-letter queue, which alarms. Every failure is
 * an error log line naming its messages and error category; a permanent one (AccessDenied, an
 * unexpected validation error: a retry cannot fix it) is also counted in `PermanentFailures`, which
 * alarms at once. Nothing failed is ever acknowledged as done.
 *
 * Powertools' batch utility processes records one by one; these handlers read and decide for the
 * whole batch at once (one ECS read, duplicates merged, one scale-out decision per storm), so this
 * small collector fits them better than another dependency.
 */
import { categoryOf, isRetryable } from '../../core/errors';
import type { MetricDatum } from '../../core/metrics';
import type { Logger } from './ports';

export interface BatchItemFailure {
  readonly itemIdentifier: string;
}

export class BatchFailures {
  private readonly failed = new Set<string>();
  private permanent = 0;
  /** The first transient error, for callers invoked without SQS (they rethrow it). */
  transient: unknown;
  /** The first permanent error. */
  permanentError: unknown;

  constructor(private readonly log: Logger) {}

  /** Fail `records` because of `error` while doing `what`: one error log line; permanent ones counted. */
  fail(records: readonly (string | undefined)[], what: string, error: unknown, context: Record<string, unknown> = {}): void {
    const ids = records.filter((r): r is string => r !== undefined);
    for (const id of ids) this.failed.add(id);
    const retryable = isRetryable(error);
    if (retryable) this.transient ??= error;
    else {
      this.permanent += Math.max(1, ids.length);
      this.permanentError ??= error;
    }
    const then = retryable ? 'redelivered' : 'redelivered until it is dead-lettered (a retry cannot fix it)';
    this.log.error(`${what} failed; the record will be ${then}`, { ...context, messageIds: ids, category: categoryOf(error), error: String(error) });
  }

  /** Run `fn`; on error, fail `records` and answer undefined. */
  async attempt<T>(records: readonly (string | undefined)[], what: string, fn: () => Promise<T>, context: Record<string, unknown> = {}): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.fail(records, what, error, context);
      return undefined;
    }
  }

  has(record: string | undefined): boolean {
    return record !== undefined && this.failed.has(record);
  }

  /** The handler's answer to the event source mapping. */
  response(): BatchItemFailure[] {
    return [...this.failed].map((itemIdentifier) => ({ itemIdentifier }));
  }

  /** `PermanentFailures` when any record failed permanently. */
  metrics(): MetricDatum[] {
    return this.permanent > 0 ? [{ name: 'PermanentFailures', value: this.permanent, unit: 'Count' }] : [];
  }
}
