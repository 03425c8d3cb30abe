/** Reading the drain queue back from moto: what is delayed, and the messages once visible. */
import { DeleteMessageCommand, GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SqsEnvelope } from '../../handlers/app/context';
import type { Clients } from './moto';

export async function queueDepth(c: Clients, queueUrl: string): Promise<{ visible: number; delayed: number }> {
  const out = await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }));
  return { visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0), delayed: Number(out.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0) };
}

export async function purge(c: Clients, queueUrl: string): Promise<void> {
  await c.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}

/**
 * Receive until `count` messages have arrived or `timeoutMs` passes (delays are real seconds), and
 * delete them; returned as the Lambda SQS event the drain function would get.
 */
export async function receive(c: Clients, queueUrl: string, count: number, timeoutMs: number): Promise<SqsEnvelope & { receivedAfterMs: number }> {
  const started = Date.now();
  const records: Array<{ messageId: string; body: string; eventSource: string }> = [];
  while (records.length < count && Date.now() - started < timeoutMs) {
    const out = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of out.Messages ?? []) {
      records.push({ messageId: m.MessageId as string, body: m.Body as string, eventSource: 'aws:sqs' });
      await c.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return { Records: records, receivedAfterMs: Date.now() - started };
}
