/**
 * The fast ECS response path against the SDK's own deserializer, through the real client (same
 * middleware, signing, retries) over a request handler that answers canned HTTP responses: the
 * outputs and the model built from them are identical, errors stay the SDK's typed errors and are
 * retried by the SDK, and only the hot reads take the fast path.
 */
import {
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ECSServiceException,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { buildSyntheticCluster } from '../../bench/synthetic-cluster';
import { constraintsOf, runsOnEc2, toInstance } from '../../handlers/aws/ecs-model';
import { ARN, bare, both, clientAnswering, instance, ok, service, type Canned } from './ecs-canned-client';

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
