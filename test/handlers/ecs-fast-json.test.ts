/**
 * The fast ECS response path against the SDK's own deserializer, through the real client (same
 * middleware, signing, retries) over a request handler that answers canned HTTP responses: the
 * outputs and the model built from them are identical, errors stay the SDK's typed errors and are
 * retried by the SDK, and only the hot reads take the fast path.
 */
import { Readable } from 'node:stream';
import {
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { HttpResponse } from '@smithy/core/protocols';
import { buildSyntheticCluster } from '../../bench/synthetic-cluster';
import { useFastEcsReads } from '../../handlers/aws/ecs-fast-json';
import { constraintsOf, runsOnEc2, toInstance } from '../../handlers/aws/ecs-model';
import { CLIENT_OPTIONS } from '../../handlers/aws/util';

interface Canned {
  readonly status: number;
  readonly body: string;
}

/** A real ECS client whose HTTP handler answers `responses` in order (the last one repeats). */
function clientAnswering(responses: readonly Canned[], fast: boolean): { client: ECSClient; requests: () => number } {
  let n = 0;
  const requestHandler = {
    handle: async (): Promise<{ response: HttpResponse }> => {
      const r = responses[Math.min(n, responses.length - 1)] as Canned;
      n++;
      return { response: new HttpResponse({ statusCode: r.status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${n}` }, body: Readable.from([Buffer.from(r.body, 'utf8')]) }) };
    },
  };
  // Retries without waiting (a zero backoff), three attempts; the SDK's error log kept quiet.
  const logger = { debug: () => undefined, warn: () => undefined, error: () => undefined } as unknown as typeof CLIENT_OPTIONS.logger;
  const client = new ECSClient({ ...CLIENT_OPTIONS, logger, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler, retryStrategy: new ConfiguredRetryStrategy(3, 0) });
  if (fast) useFastEcsReads(client);
  return { client, requests: () => n };
}

/** The same command answered the same way, through the SDK's deserializer and through the fast path. */
async function both<T>(send: (c: ECSClient) => Promise<T>, responses: readonly Canned[]): Promise<[T, T]> {
  const sdk = clientAnswering(responses, false);
  const fast = clientAnswering(responses, true);
  return [await send(sdk.client), await send(fast.client)];
}

const ok = (body: unknown): Canned => ({ status: 200, body: JSON.stringify(body) });

const ARN = 'arn:aws:ecs:us-east-1:123456789012';
/** A container instance as ECS describes it, with every kind of member the path converts. */
const instance = {
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
const bare = { containerInstanceArn: `${ARN}:container-instance/demo/1`, ec2InstanceId: 'i-0a1b2c3d4e5f60002', status: 'ACTIVE', agentConnected: false };

const service = {
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

describe('the fast ECS response path yields what the SDK deserializer yields', () => {
  const synthetic = buildSyntheticCluster({ instances: 500, tasks: 5000, services: 20, seed: 7 });

  it.each<[string, Canned]>([
    ['a described page with timestamps, special numbers, optional members missing and failures', ok({ containerInstances: [instance, bare], failures: [{ arn: `${ARN}:container-instance/demo/gone`, reason: 'MISSING' }] })],
    ['a recorded page of 100 container instances from the benchmark cluster', { status: 200, body: synthetic.containerInstancePages[0] as string }],
    ['an empty page', ok({ containerInstances: [], failures: [] })],
  ])('DescribeContainerInstances: %s', async (_rule, response) => {
    const [sdk, fast] = await both((c) => c.send(new DescribeContainerInstancesCommand({ cluster: 'demo', containerInstances: ['x'] })), [response]);
    expect(fast).toEqual(sdk);
    expect((fast.containerInstances ?? []).map((ci) => toInstance(ci, undefined))).toEqual((sdk.containerInstances ?? []).map((ci) => toInstance(ci, undefined)));
  });

  it('DescribeContainerInstances: timestamps become the same Dates, NaN strings the same numbers', async () => {
    const [, fast] = await both((c) => c.send(new DescribeContainerInstancesCommand({ cluster: 'demo', containerInstances: ['x'] })), [ok({ containerInstances: [instance], failures: [] })]);
    const ci = fast.containerInstances?.[0];
    expect(ci?.registeredAt).toEqual(new Date(1795261012345));
    expect(ci?.healthStatus?.details?.[0]?.lastUpdated).toEqual(new Date(1795261900000));
    expect(ci?.registeredResources?.[1]?.doubleValue).toBeNaN();
    expect(fast.$metadata).toEqual({ httpStatusCode: 200, requestId: 'req-1', extendedRequestId: undefined, cfId: undefined, attempts: 1, totalRetryDelay: 0 });
  });

  it('DescribeTasks: a recorded page of 100 tasks (createdAt, startedAt, containers)', async () => {
    const [sdk, fast] = await both((c) => c.send(new DescribeTasksCommand({ cluster: 'demo', tasks: ['x'] })), [{ status: 200, body: synthetic.taskPages[0] as string }]);
    expect(fast).toEqual(sdk);
    expect(fast.tasks?.[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('DescribeServices: deployments and events with timestamps, and the model read from them', async () => {
    const [sdk, fast] = await both((c) => c.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] })), [ok({ services: [service], failures: [{ arn: `${ARN}:service/demo/old`, reason: 'MISSING' }] })]);
    expect(fast).toEqual(sdk);
    const s = fast.services?.[0];
    expect(s?.deployments?.[0]?.createdAt).toEqual(new Date(1795260000500));
    expect([runsOnEc2(s ?? {}), constraintsOf(s)]).toEqual([runsOnEc2(sdk.services?.[0] ?? {}), constraintsOf(sdk.services?.[0])]);
  });

  it('ListTasks and DescribeClusters: plain listings and counts', async () => {
    const [sdkList, fastList] = await both((c) => c.send(new ListTasksCommand({ cluster: 'demo' })), [ok({ taskArns: [`${ARN}:task/demo/1`, `${ARN}:task/demo/2`], nextToken: 'abc' })]);
    expect(fastList).toEqual(sdkList);
    const [sdkCounts, fastCounts] = await both((c) => c.send(new DescribeClustersCommand({ clusters: ['demo'] })), [ok({ clusters: [{ clusterName: 'demo', registeredContainerInstancesCount: 3, activeServicesCount: 1 }], failures: [] })]);
    expect(fastCounts).toEqual(sdkCounts);
  });
});

describe('errors stay the SDK’s: typed, with metadata, retried by its retry strategy', () => {
  const throttled: Canned = { status: 400, body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }) };

  it('a throttled response is retried and the next answer returned', async () => {
    const { client, requests } = clientAnswering([throttled, ok({ clusters: [{ clusterName: 'demo', activeServicesCount: 2 }], failures: [] })], true);
    const out = await client.send(new DescribeClustersCommand({ clusters: ['demo'] }));
    expect([requests(), out.clusters?.[0]?.activeServicesCount]).toEqual([2, 2]);
  });

  it('throttling that persists surfaces as the same error the SDK deserializer throws', async () => {
    const errorOf = async (fast: boolean): Promise<ECSServiceException> => {
      const { client } = clientAnswering([throttled], fast);
      return client.send(new DescribeContainerInstancesCommand({ cluster: 'demo', containerInstances: ['x'] })).then(
        () => {
          throw new Error('expected a throttling error');
        },
        (e: unknown) => e as ECSServiceException,
      );
    };
    const [sdk, fast] = [await errorOf(false), await errorOf(true)];
    expect(fast).toBeInstanceOf(ECSServiceException);
    expect({ name: fast.name, message: fast.message, fault: fast.$fault, status: fast.$metadata.httpStatusCode, attempts: fast.$metadata.attempts }).toEqual({ name: 'ThrottlingException', message: 'Rate exceeded', fault: 'client', status: 400, attempts: 3 });
    expect({ name: fast.name, message: fast.message, fault: fast.$fault, metadata: fast.$metadata.httpStatusCode, attempts: fast.$metadata.attempts }).toEqual({ name: sdk.name, message: sdk.message, fault: sdk.$fault, metadata: sdk.$metadata.httpStatusCode, attempts: sdk.$metadata.attempts });
  });

  it('a modeled error becomes its typed exception class', async () => {
    const { client } = clientAnswering([{ status: 400, body: JSON.stringify({ __type: 'ClusterNotFoundException', message: 'Cluster not found.' }) }], true);
    await expect(client.send(new DescribeServicesCommand({ cluster: 'gone', services: ['web'] }))).rejects.toBeInstanceOf(ClusterNotFoundException);
  });

  it('a 2xx body that is not JSON is reported by the SDK deserializer, with the response attached', async () => {
    const { client } = clientAnswering([{ status: 200, body: '<html>proxy error</html>' }], true);
    const error = await client.send(new ListTasksCommand({ cluster: 'demo' })).then(
      () => ({ name: 'no error', $metadata: undefined }),
      (e: unknown) => e as { name: string; $metadata?: { httpStatusCode?: number } },
    );
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['SyntaxError', 200]);
  });
});

describe('only the hot ECS reads take the fast path', () => {
  // The one visible difference: a member newer than the SDK's model is kept by the fast path and
  // dropped by the SDK's deserializer.
  it.each<[string, (c: ECSClient) => Promise<object>, Canned, string, boolean]>([
    ['DescribeClusters (a tick read) keeps it', (c) => c.send(new DescribeClustersCommand({ clusters: ['demo'] })), ok({ clusters: [], failures: [], futureMember: 1 }), 'futureMember', true],
    ['DescribeTaskDefinition (cached, not a tick read) goes through the SDK', (c) => c.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:7' })), ok({ taskDefinition: { family: 'web' }, futureMember: 1 }), 'futureMember', false],
  ])('%s', async (_rule, send, response, member, kept) => {
    const { client } = clientAnswering([response], true);
    expect(member in (await send(client))).toBe(kept);
  });
});
