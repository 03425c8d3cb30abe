/** SQS adapter: the `DrainQueue` port (SendMessage with a per-message delay, 0–900 s). */
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Config } from '../../core/config';
import type { DrainCheck, DrainQueue } from '../app/ports';
import { CLIENT_OPTIONS, classify } from './util';

export class SqsDrainQueue implements DrainQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(check: DrainCheck, delaySeconds: number): Promise<void> {
    const delay = Math.max(0, Math.min(900, Math.round(delaySeconds)));
    try {
      await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(check), DelaySeconds: delay }));
    } catch (error) {
      classify(error, `enqueueing a drain check for ${check.instanceId}`);
    }
  }
}

/** Used where no drain queue is configured (the tick): enqueueing is a programming error. */
export const noQueue: DrainQueue = {
  enqueue: async () => {
    throw new Error('DRAIN_QUEUE_URL is not configured for this handler');
  },
};

/** The drain queue of `config`: SQS when `DRAIN_QUEUE_URL` is set, else `noQueue`. */
export function sqsQueue(config: Config): DrainQueue {
  return config.drainQueueUrl !== undefined ? new SqsDrainQueue(new SQSClient(CLIENT_OPTIONS), config.drainQueueUrl) : noQueue;
}
