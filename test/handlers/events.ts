/** Sample events from `events/`, a fresh deep copy per call (tests may mutate them). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const cache = new Map<string, unknown>();

export function sample<T = Record<string, unknown>>(path: string): T {
  let value = cache.get(path);
  if (value === undefined) {
    value = JSON.parse(readFileSync(join(__dirname, '..', '..', 'events', path), 'utf8')) as unknown;
    cache.set(path, value);
  }
  return structuredClone(value) as T;
}

/** An SQS envelope whose records carry these bodies. */
export function sqs(...bodies: unknown[]): { Records: Array<{ messageId: string; body: string; eventSource: string }> } {
  return { Records: bodies.map((b, k) => ({ messageId: `msg-${k + 1}`, body: typeof b === 'string' ? b : JSON.stringify(b), eventSource: 'aws:sqs' })) };
}
