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
import type { Scenario } from './scenario';
import type { World } from './world';

export const LAMBDA_ASYNC_RETRY_SECONDS = [60, 120] as const;
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

  constructor(
    private readonly world: World,
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
}
