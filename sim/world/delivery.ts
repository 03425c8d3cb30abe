/**
 * Delivery of events to handler functions the way the platform does it, with the scenario's
 * faults. Counted per run: invocations, failed invocations, retries, messages sent to the DLQ.
 *
 * - EventBridge → Lambda is an asynchronous invocation: on an error Lambda retries twice, one
 *   minute and then two minutes later (AWS Lambda Developer Guide, "Asynchronous invocation"),
 *   then drops the event.
 * - SQS → Lambda (batch size 1 here): a failed message, reported in `batchItemFailures` or by a
 *   thrown error, becomes visible again after the visibility timeout and goes to the dead-letter
 *   queue after `maxReceiveCount` receives (Amazon SQS Developer Guide, "Dead-letter queues").
 *   `DelaySeconds` postpones the first delivery.
 * - Faults: every delivery is late by a uniform draw from `eventDelaySeconds`, and delivered twice
 *   with probability `duplicateEventRate` (at-least-once delivery).
 */
import type { Prng } from './prng';
import type { Scenario } from '../scenario/scenario';
import type { SimWorld } from './sim-world';

export const LAMBDA_ASYNC_RETRY_SECONDS = [60, 120] as const;

/**
 * The interruption queue's event source mapping and redrive, as in serverless.yml: batches of up to
 * 100 messages gathered for up to 1 s (`maximumBatchingWindow`), visibility timeout 60 s,
 * `maxReceiveCount` 3 (AWS Lambda Developer Guide, "Using Lambda with Amazon SQS": the poller
 * invokes the function when the batch is full or the window has passed).
 */
export interface SqsBatching {
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly visibilitySeconds: number;
  readonly maxReceiveCount: number;
}
export const INTERRUPTION_QUEUE: SqsBatching = { batchSize: 100, windowSeconds: 1, visibilitySeconds: 60, maxReceiveCount: 3 };

interface Buffered {
  readonly messageId: string;
  readonly body: string;
  receives: number;
}
export const SQS_VISIBILITY_TIMEOUT_SECONDS = 60;
export const SQS_MAX_RECEIVE_COUNT = 5;

export interface DeliveryStats {
  invocations: number;
  failures: number;
  retries: number;
  deadLetters: number;
  duplicates: number;
  dropped: number;
}

export interface SqsBatchResult {
  readonly batchItemFailures?: ReadonlyArray<{ readonly itemIdentifier: string }>;
}

export class Delivery {
  readonly stats: DeliveryStats = { invocations: 0, failures: 0, retries: 0, deadLetters: 0, duplicates: 0, dropped: 0 };
  readonly errors: string[] = [];
  private messageSeq = 0;
  private readonly buffers = new Map<string, { messages: Buffered[]; flushAt?: number }>();

  constructor(
    private readonly world: SimWorld,
    private readonly faults: Prng,
    private readonly config: Scenario['faults'],
  ) {}

  private lateness(): number {
    const [lo, hi] = this.config.eventDelaySeconds;
    return hi > 0 ? this.faults.between(lo, hi) * 1000 : 0;
  }

  private recordError(label: string, error: unknown): void {
    this.stats.failures++;
    if (this.errors.length < 200) this.errors.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** An EventBridge rule target (asynchronous Lambda invocation). */
  eventBridge(label: string, invoke: () => Promise<unknown>): void {
    const copies = this.faults.chance(this.config.duplicateEventRate) ? 2 : 1;
    if (copies > 1) this.stats.duplicates++;
    for (let c = 0; c < copies; c++) {
      const attempt = (n: number): void => {
        this.world.schedule(this.world.now + (n === 0 ? this.lateness() : 0), label, async () => {
          this.stats.invocations++;
          try {
            await invoke();
          } catch (error) {
            this.recordError(label, error);
            const wait = LAMBDA_ASYNC_RETRY_SECONDS[n];
            if (wait === undefined) {
              this.stats.dropped++;
              return;
            }
            this.stats.retries++;
            this.world.schedule(this.world.now + wait * 1000, `${label}-retry`, () => attempt(n + 1));
          }
        });
      };
      attempt(0);
    }
  }

  /** A message sent to the SQS queue with `delaySeconds`, consumed by a Lambda event source mapping. */
  sqs(label: string, body: string, delaySeconds: number, invoke: (envelope: { Records: Array<{ messageId: string; body: string; eventSource: string }> }) => Promise<SqsBatchResult | void>): void {
    const messageId = `msg-${(this.messageSeq++).toString(16).padStart(8, '0')}`;
    const copies = this.faults.chance(this.config.duplicateEventRate) ? 2 : 1;
    if (copies > 1) this.stats.duplicates++;
    for (let c = 0; c < copies; c++) {
      this.world.schedule(this.world.now + delaySeconds * 1000 + this.lateness(), label, () => this.receiveOnce(label, messageId, body, invoke, 1));
    }
  }

  private async receiveOnce(
    label: string,
    messageId: string,
    body: string,
    invoke: (envelope: { Records: Array<{ messageId: string; body: string; eventSource: string }> }) => Promise<SqsBatchResult | void>,
    count: number,
  ): Promise<void> {
    this.stats.invocations++;
    let failed = false;
    try {
      const result = await invoke({ Records: [{ messageId, body, eventSource: 'aws:sqs' }] });
      if (result !== undefined && (result.batchItemFailures ?? []).some((f) => f.itemIdentifier === messageId)) {
        failed = true;
        this.recordError(label, new Error('reported in batchItemFailures'));
      }
    } catch (error) {
      failed = true;
      this.recordError(label, error);
    }
    if (!failed) return;
    if (count >= SQS_MAX_RECEIVE_COUNT) {
      this.stats.deadLetters++;
      return;
    }
    this.stats.retries++;
    this.world.schedule(this.world.now + SQS_VISIBILITY_TIMEOUT_SECONDS * 1000, `${label}-redrive`, () => this.receiveOnce(label, messageId, body, invoke, count + 1));
  }

  /**
   * A message for a batched SQS event source (EventBridge rule → queue → Lambda): it waits in the
   * queue until the batch is full or the batching window since the first message has passed; the
   * handler gets one envelope with every record; failed records (thrown: all of them) become
   * visible again after the visibility timeout, and go to the dead-letter queue after
   * `maxReceiveCount` receives.
   */
  sqsBatched(label: string, body: string, batching: SqsBatching, invoke: (envelope: { Records: Array<{ messageId: string; body: string; eventSource: string }> }) => Promise<SqsBatchResult | void>): void {
    const copies = this.faults.chance(this.config.duplicateEventRate) ? 2 : 1;
    if (copies > 1) this.stats.duplicates++;
    const messageId = `msg-${(this.messageSeq++).toString(16).padStart(8, '0')}`;
    for (let c = 0; c < copies; c++) this.world.schedule(this.world.now + this.lateness(), label, () => this.arrive(label, { messageId, body, receives: 0 }, batching, invoke));
  }

  private arrive(label: string, m: Buffered, batching: SqsBatching, invoke: (envelope: { Records: Array<{ messageId: string; body: string; eventSource: string }> }) => Promise<SqsBatchResult | void>): void {
    let buffer = this.buffers.get(label);
    if (buffer === undefined) {
      buffer = { messages: [] };
      this.buffers.set(label, buffer);
    }
    buffer.messages.push(m);
    const b = buffer;
    const flush = async (): Promise<void> => {
      delete b.flushAt;
      const batch = b.messages.splice(0, batching.batchSize);
      if (b.messages.length > 0) {
        b.flushAt = this.world.now;
        this.world.schedule(this.world.now, `${label}-batch`, flush);
      }
      if (batch.length === 0) return;
      this.stats.invocations++;
      let failed: Buffered[] = [];
      try {
        const result = await invoke({ Records: batch.map((x) => ({ messageId: x.messageId, body: x.body, eventSource: 'aws:sqs' })) });
        const ids = new Set((result !== undefined ? (result.batchItemFailures ?? []) : []).map((f) => f.itemIdentifier));
        failed = batch.filter((x) => ids.has(x.messageId));
        if (failed.length > 0) this.recordError(label, new Error(`${failed.length} record(s) reported in batchItemFailures`));
      } catch (error) {
        failed = batch;
        this.recordError(label, error);
      }
      for (const x of failed) {
        x.receives++;
        if (x.receives >= batching.maxReceiveCount) {
          this.stats.deadLetters++;
          continue;
        }
        this.stats.retries++;
        this.world.schedule(this.world.now + batching.visibilitySeconds * 1000, `${label}-redrive`, () => this.arrive(label, x, batching, invoke));
      }
    };
    if (b.messages.length >= batching.batchSize) {
      this.world.schedule(this.world.now, `${label}-batch`, flush);
    } else if (b.flushAt === undefined) {
      b.flushAt = this.world.now + batching.windowSeconds * 1000;
      this.world.schedule(b.flushAt, `${label}-batch`, flush);
    }
  }
}
