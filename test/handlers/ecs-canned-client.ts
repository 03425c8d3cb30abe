/**
 * A real ECS client (its own middleware, signing, retries and deserializer) over a request handler
 * that answers canned HTTP responses: for reading what the SDK itself makes of ECS's JSON.
 */
import { Readable } from 'node:stream';
import { ECSClient } from '@aws-sdk/client-ecs';
import { CLIENT_OPTIONS } from '../../handlers/aws/util';

export interface Canned {
  readonly status: number;
  readonly body: string;
}

/**
 * A real ECS client whose HTTP handler answers each request with `respond(operation, input)`
 * (operation: the name in the request's `x-amz-target`, input: the request's JSON body). The
 * response is a plain object of the shape the SDK's `HttpResponse.isInstance` accepts (a numeric
 * `statusCode`, `headers`, a `body` stream), so the test needs no SDK-internal package.
 */
export function clientServing(respond: (operation: string, input: Record<string, unknown>) => Canned | Promise<Canned>): ECSClient {
  let n = 0;
  const requestHandler = {
    handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
      n++;
      const operation = (request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const body = typeof request.body === 'string' ? request.body : request.body instanceof Uint8Array ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString('utf8') : '';
      const r = await respond(operation, body !== '' ? (JSON.parse(body) as Record<string, unknown>) : {});
      return { response: { statusCode: r.status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${n}` }, body: Readable.from([Buffer.from(r.body, 'utf8')]) } };
    },
  };
  // One attempt: the fake answers at once, and a retried error would only repeat it. The SDK's error log kept quiet.
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  return new ECSClient({ ...CLIENT_OPTIONS, logger, maxAttempts: 1, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler });
}
