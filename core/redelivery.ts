/**
 * The drain queue's redelivery limits, shared by the configuration checks (core/config.ts), the
 * drain step's heartbeat margin (handlers/app/drain-step.ts) and the stack (serverless.yml `DrainQueue`
 * and the drain function's timeout; test/package/template.test.ts keeps them equal).
 *
 * A drain check that fails is received again after the queue's visibility timeout, up to
 * `maxReceiveCount` receives in all, then moves to the dead-letter queue (SQS developer guide,
 * "Using dead-letter queues in Amazon SQS"). AWS advises a source queue's visibility timeout of at
 * least six times the function timeout and a `maxReceiveCount` of at least 5 (Lambda developer
 * guide, "Creating and configuring an Amazon SQS event source mapping").
 */
export const DRAIN_QUEUE = {
  /** The drain function's timeout (serverless.yml `drain.timeout`). */
  functionTimeoutSeconds: 10,
  /** Six times the function timeout. */
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
} as const;

/**
 * The longest a failing drain check can keep coming back: the last of `maxReceiveCount` receives
 * starts (maxReceiveCount − 1) visibility timeouts after the first and runs up to one function
 * timeout. The drain step heartbeats the hook this much before it would expire, so every
 * redelivery the queue allows still finds the lifecycle action pending.
 */
export const REDELIVERY_SECONDS = (DRAIN_QUEUE.maxReceiveCount - 1) * DRAIN_QUEUE.visibilityTimeoutSeconds + DRAIN_QUEUE.functionTimeoutSeconds;

/**
 * How long Auto Scaling holds a lifecycle action at most, heartbeats included: 100 × the heartbeat
 * timeout or 48 hours, whichever is smaller (Amazon EC2 Auto Scaling user guide, "Configure a
 * notification target for lifecycle hooks" / `RecordLifecycleActionHeartbeat`).
 */
export function hookGlobalTimeoutSeconds(heartbeatSeconds: number): number {
  return Math.min(100 * heartbeatSeconds, 48 * 3600);
}

/**
 * The longest a live drain chain goes without a step: one check interval, every redelivery of a
 * failing check, and one more visibility timeout for the message to come back. Longer silence
 * means the chain's last check was dead-lettered (core/drain-chain.ts `drainsToRevive`).
 */
export function chainSilentSeconds(checkSeconds: number): number {
  return checkSeconds + REDELIVERY_SECONDS + DRAIN_QUEUE.visibilityTimeoutSeconds;
}
