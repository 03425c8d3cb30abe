/**
 * Item reuse through a real ECS client: two describes in a row where one item changed. Each output
 * equals the SDK deserializer's for the same response; unchanged items are the very objects of the
 * first call, the changed one is new. DescribeServices, whose output holds a document, is read on
 * the fast path but not reused (outputs equal, `$unknown` for an unknown union member from the SDK).
 */
import { DescribeContainerInstancesCommand, DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { clearReusedItems, reuseCounts } from '../../handlers/aws/ecs-fast-json';
import { ARN, bare, clientAnswering, instance, ok, service, type Canned } from './ecs-canned-client';

/** The same two calls answered the same two ways, through the SDK's deserializer and the fast path. */
async function twice<T>(send: (c: ECSClient) => Promise<T>, responses: readonly [Canned, Canned]): Promise<{ sdk: [T, T]; fast: [T, T] }> {
  const sdk = clientAnswering(responses, false).client;
  const fast = clientAnswering(responses, true).client;
  return { sdk: [await send(sdk), await send(sdk)], fast: [await send(fast), await send(fast)] };
}

beforeEach(() => clearReusedItems());

const ci = (k: number, cpu: number): typeof instance => ({
  ...instance,
  containerInstanceArn: `${ARN}:container-instance/demo/i${k}`,
  ec2InstanceId: `i-${k}`,
  remainingResources: [{ name: 'CPU', type: 'INTEGER', integerValue: cpu }, ...instance.remainingResources.slice(1)],
});

describe('DescribeContainerInstances twice, one instance changed', () => {
  const arns = [0, 1, 2].map((k) => `${ARN}:container-instance/demo/i${k}`);
  const send = (c: ECSClient) => c.send(new DescribeContainerInstancesCommand({ cluster: 'demo', containerInstances: [...arns, bare.containerInstanceArn] }));

  it.each<[string, number]>([
    ['the first', 0],
    ['a middle one', 1],
    ['the last', 3],
  ])('%s changed: outputs equal the SDK’s, unchanged instances are the same objects', async (_rule, changed) => {
    const first = [ci(0, 1024), ci(1, 2048), ci(2, 3072), bare];
    const second = first.map((x, k) => (k !== changed ? x : k === 3 ? { ...bare, agentConnected: true } : ci(k, 512)));
    const before = reuseCounts();
    const { sdk, fast } = await twice(send, [ok({ containerInstances: first, failures: [] }), ok({ containerInstances: second, failures: [] })]);
    expect(fast).toEqual(sdk);
    const after = reuseCounts();
    expect([after.parsed - before.parsed, after.reused - before.reused]).toEqual([5, 3]);
    const [a, b] = [fast[0].containerInstances ?? [], fast[1].containerInstances ?? []];
    b.forEach((x, k) => (k === changed ? expect(x).not.toBe(a[k]) : expect(x).toBe(a[k])));
    expect(b[changed]).toEqual(sdk[1].containerInstances?.[changed]);
    expect(b[0]?.registeredAt).toEqual(new Date(1795261012345));
    // Each response gets its own output object and metadata.
    expect(fast[1].$metadata.requestId).toBe('req-2');
  });

  it('an instance that left (a failure) shifts the rest: they are still the same objects', async () => {
    const first = [ci(0, 1024), ci(1, 2048), ci(2, 3072)];
    const { sdk, fast } = await twice(send, [ok({ containerInstances: first, failures: [] }), ok({ containerInstances: [first[0], first[2]], failures: [{ arn: arns[1], reason: 'MISSING' }] })]);
    expect(fast).toEqual(sdk);
    expect(fast[1].containerInstances?.[1]).toBe(fast[0].containerInstances?.[2]);
  });

  it('clearReusedItems() forgets them: the next call answers new (equal) objects', async () => {
    const body = ok({ containerInstances: [ci(0, 1024)], failures: [] });
    const { client } = clientAnswering([body], true);
    const a = await send(client);
    clearReusedItems();
    const b = await send(client);
    expect(b.containerInstances?.[0]).toEqual(a.containerInstances?.[0]);
    expect(b.containerInstances?.[0]).not.toBe(a.containerInstances?.[0]);
  });
});

/** A service with a lifecycle hook (its `hookDetails` a document) and a Service Connect deployment. */
const hooked = (name: string, logLevel: Record<string, unknown>): Record<string, unknown> => ({
  ...service,
  serviceArn: `${ARN}:service/demo/${name}`,
  serviceName: name,
  deploymentConfiguration: {
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    strategy: 'BLUE_GREEN',
    bakeTimeInMinutes: 5,
    lifecycleHooks: [
      {
        targetType: 'LAMBDA',
        hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:check',
        roleArn: 'arn:aws:iam::123456789012:role/hook',
        lifecycleStages: ['PRE_SCALE_UP', 'POST_TEST_TRAFFIC_SHIFT'],
        // A document: any JSON, kept as parsed (timestamps and "NaN" strings included).
        hookDetails: { threshold: 0.5, createdAt: 1795260000, note: 'NaN', nested: [{ a: [1, 'x"y', null] }], empty: {} },
        timeoutConfiguration: { timeoutInMinutes: 30, action: 'ROLLBACK' },
      },
    ],
  },
  deployments: [
    {
      ...service.deployments[0],
      serviceConnectConfiguration: {
        enabled: true,
        namespace: 'demo.local',
        services: [{ portName: 'http', discoveryName: name, clientAliases: [{ port: 8080, dnsName: `${name}.demo` }], ingressPortOverride: 9090, timeout: { idleTimeoutSeconds: 60, perRequestTimeoutSeconds: 15 } }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/demo' } },
        containerConfigurations: [logLevel],
      },
    },
  ],
});

describe('DescribeServices twice, one service changed', () => {
  // Asked for by ARN, as the reader does after a listing.
  const send = (c: ECSClient) => c.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web', 'api', 'jobs'].map((n) => `${ARN}:service/demo/${n}`) }));

  it('its output holds a document (hook details): read on the fast path, outputs equal the SDK’s, services are not reused', async () => {
    const first = [hooked('web', { logLevel: 'INFO' }), hooked('api', { logLevel: 'DEBUG' }), { ...service, serviceArn: `${ARN}:service/demo/jobs`, serviceName: 'jobs' }];
    const before = reuseCounts();
    const { sdk, fast } = await twice(send, [ok({ services: first, failures: [] }), ok({ services: first, failures: [] })]);
    const after = reuseCounts();
    expect(fast).toEqual(sdk);
    expect([after.parsed - before.parsed, after.reused - before.reused]).toEqual([0, 0]);
    expect(fast[1].services?.[0] === fast[0].services?.[0]).toBe(false);
    expect(fast[1].services?.[0]?.deploymentConfiguration?.lifecycleHooks?.[0]?.hookDetails).toEqual({ threshold: 0.5, createdAt: 1795260000, note: 'NaN', nested: [{ a: [1, 'x"y', null] }], empty: {} });
  });

  it.each<[string, number]>([
    ['on the first call', 0],
    ['on the second call, after the same service was reused', 1],
  ])('a union holding an unknown member (%s) is deserialised by the SDK, $unknown included', async (_rule, when) => {
    const known = [hooked('web', { logLevel: 'INFO' }), hooked('api', { logLevel: 'DEBUG' })];
    const unknown = [known[0], hooked('api', { futureSetting: { x: 1 } })];
    const bodies: [Canned, Canned] = when === 0 ? [ok({ services: unknown, failures: [] }), ok({ services: known, failures: [] })] : [ok({ services: known, failures: [] }), ok({ services: unknown, failures: [] })];
    const { sdk, fast } = await twice(send, bodies);
    expect(fast).toEqual(sdk);
    const out = when === 0 ? fast[0] : fast[1];
    expect(out.services?.[1]?.deployments?.[0]?.serviceConnectConfiguration?.containerConfigurations).toEqual([{ $unknown: ['futureSetting', { x: 1 }] }]);
    expect(Object.isFrozen(out.services?.[0])).toBe(false);
  });
});
