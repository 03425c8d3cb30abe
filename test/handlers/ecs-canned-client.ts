/**
 * A real ECS client (its own middleware, signing, retries) over a request handler that answers
 * canned HTTP responses, with or without the fast response path: for comparing the fast path's
 * outputs with the SDK deserializer's; and described items with every kind of member it converts.
 */
import { Readable } from 'node:stream';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { HttpResponse } from '@smithy/core/protocols';
import { useFastEcsReads } from '../../handlers/aws/ecs-fast-json';
import { CLIENT_OPTIONS } from '../../handlers/aws/util';

export interface Canned {
  readonly status: number;
  readonly body: string;
}

/**
 * A real ECS client whose HTTP handler answers each request with `respond(operation, input)`
 * (operation: the name in the request's `x-amz-target`, input: the request's JSON body).
 */
export function clientServing(respond: (operation: string, input: Record<string, unknown>) => Canned | Promise<Canned>, fast: boolean): ECSClient {
  let n = 0;
  const requestHandler = {
    handle: async (request: { headers: Record<string, string>; body?: unknown }): Promise<{ response: HttpResponse }> => {
      n++;
      const operation = (request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const body = typeof request.body === 'string' ? request.body : request.body instanceof Uint8Array ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString('utf8') : '';
      const r = await respond(operation, body !== '' ? (JSON.parse(body) as Record<string, unknown>) : {});
      return { response: new HttpResponse({ statusCode: r.status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${n}` }, body: Readable.from([Buffer.from(r.body, 'utf8')]) }) };
    },
  };
  // Retries without waiting (a zero backoff), three attempts; the SDK's error log kept quiet.
  const logger = { debug: () => undefined, warn: () => undefined, error: () => undefined } as unknown as typeof CLIENT_OPTIONS.logger;
  const client = new ECSClient({ ...CLIENT_OPTIONS, logger, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler, retryStrategy: new ConfiguredRetryStrategy(3, 0) });
  if (fast) useFastEcsReads(client);
  return client;
}

/** A real ECS client whose HTTP handler answers `responses` in order (the last one repeats). */
export function clientAnswering(responses: readonly Canned[], fast: boolean): { client: ECSClient; requests: () => number } {
  let n = 0;
  const client = clientServing(() => responses[Math.min(n++, responses.length - 1)] as Canned, fast);
  return { client, requests: () => n };
}

/** The same command answered the same way, through the SDK's deserializer and through the fast path. */
export async function both<T>(send: (c: ECSClient) => Promise<T>, responses: readonly Canned[]): Promise<[T, T]> {
  const sdk = clientAnswering(responses, false);
  const fast = clientAnswering(responses, true);
  return [await send(sdk.client), await send(fast.client)];
}

export const ok = (body: unknown): Canned => ({ status: 200, body: JSON.stringify(body) });

export const ARN = 'arn:aws:ecs:us-east-1:123456789012';
/** A container instance as ECS describes it, with every kind of member the path converts. */
export const instance = {
  containerInstanceArn: `${ARN}:container-instance/demo/0f1e2d3c4b5a69788796a5b4c3d2e1f0`,
  ec2InstanceId: 'i-0a1b2c3d4e5f60001',
  version: 42,
  versionInfo: { agentVersion: '1.89.2', agentHash: 'a1b2c3d4', dockerVersion: 'DockerVersion: 25.0.8' },
  remainingResources: [
    { name: 'CPU', type: 'INTEGER', integerValue: 3072, longValue: 0, doubleValue: 0 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: 12000 },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679', '80'] },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
  ],
  registeredResources: [
    { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: 15576, doubleValue: 'NaN' },
  ],
  status: 'DRAINING',
  agentConnected: true,
  runningTasksCount: 1,
  pendingTasksCount: 0,
  agentUpdateStatus: 'UPDATED',
  attributes: [{ name: 'com.amazonaws.ecs.capability.ecr-auth' }, { name: 'ecs.availability-zone', value: 'us-east-1b' }, { name: 'ecs.instance-type', value: 'm5.xlarge' }, { name: 'headroom.scale-in', value: '2026-11-21T11:59:00.000Z' }],
  registeredAt: 1795261012.345,
  attachments: [{ id: 'eni-attach', type: 'ElasticNetworkInterface', status: 'ATTACHED', details: [{ name: 'subnetId', value: 'subnet-0a' }] }],
  tags: [{ key: 'team', value: 'platform' }],
  healthStatus: { overallStatus: 'OK', details: [{ type: 'CONTAINER_RUNTIME', status: 'OK', lastUpdated: 1795261900, lastStatusChange: 1795261012 }] },
};
/** The same instance with only the members ECS always sends. */
export const bare = { containerInstanceArn: `${ARN}:container-instance/demo/1`, ec2InstanceId: 'i-0a1b2c3d4e5f60002', status: 'ACTIVE', agentConnected: false };

export const service = {
  serviceArn: `${ARN}:service/demo/web`,
  serviceName: 'web',
  clusterArn: `${ARN}:cluster/demo`,
  status: 'ACTIVE',
  desiredCount: 4,
  runningCount: 3,
  pendingCount: 0,
  launchType: 'EC2',
  taskDefinition: `${ARN}:task-definition/web:7`,
  deployments: [
    { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: `${ARN}:task-definition/web:7`, desiredCount: 4, runningCount: 3, pendingCount: 0, createdAt: 1795260000.5, updatedAt: 1795261000, rolloutState: 'IN_PROGRESS' },
    { id: 'ecs-svc/0', status: 'ACTIVE', taskDefinition: `${ARN}:task-definition/web:6`, desiredCount: 0, runningCount: 1, pendingCount: 0, createdAt: 1795200000 },
  ],
  placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ m5.*' }],
  events: [{ id: 'e1', createdAt: 1795261100.25, message: '(service web) has reached a steady state.' }],
  createdAt: 1795000000,
  schedulingStrategy: 'REPLICA',
};
