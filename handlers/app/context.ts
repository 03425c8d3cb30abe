/**
 * What every handler function receives besides its event: the ports (AWS adapters in Lambda,
 * in-memory adapters in the simulator) and the validated configuration.
 *
 * Contract shared by Lambda and the simulator — each handler module exports:
 *   handlers/tick.ts          handleTick(event: unknown, ctx: HandlerContext)
 *   handlers/interruption.ts  handleInterruption(event: unknown, ctx: HandlerContext)
 *   handlers/lifecycle.ts     handleLifecycle(event: unknown, ctx: HandlerContext)   (EventBridge event, or an SQS envelope of flat lifecycle bodies)
 *   handlers/drain.ts         handleDrain(event: SqsEnvelope, ctx: HandlerContext) → { batchItemFailures }
 * and `handler`, the Lambda entry point that builds the AWS context once per cold start.
 */
import type { Config } from '../../core/config';
import type { Ports } from './ports';

export interface HandlerContext {
  readonly ports: Ports;
  readonly config: Config;
}

/** The Lambda SQS event envelope, the part handlers read (`body` is a string). */
export interface SqsEnvelope {
  readonly Records: ReadonlyArray<{ readonly messageId: string; readonly body: string; readonly eventSource?: string }>;
}
