/**
 * The reader's instance models across snapshots, through `EcsContainerService` over a real ECS
 * client answering canned responses: an instance whose described bytes did not change keeps its
 * `Instance` model (the same object, not translated again); a changed one gets a new model with
 * the new values, equal to what translating the SDK's own output gives.
 */
import { DescribeContainerInstancesCommand, type ContainerInstance } from '@aws-sdk/client-ecs';
import type { Instance } from '../../core/cluster';
import { clearReadCaches, EcsContainerService } from '../../handlers/aws/ecs';
import { reusedItemCounts } from '../../handlers/aws/ecs-fast-json';
import { toInstance } from '../../handlers/aws/ecs-model';
import { ARN, clientAnswering, clientServing, instance, ok, type Canned } from './ecs-canned-client';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const ci = (k: number, cpu: number, memory = 12000): typeof instance => ({
  ...instance,
  status: 'ACTIVE',
  containerInstanceArn: `${ARN}:container-instance/demo/m${k}`,
  ec2InstanceId: `i-m${k}`,
  remainingResources: [{ name: 'CPU', type: 'INTEGER', integerValue: cpu }, { name: 'MEMORY', type: 'INTEGER', integerValue: memory }, ...instance.remainingResources.slice(2)],
});

/**
 * A cluster whose DescribeContainerInstances answers `pages[n]` on the n-th snapshot (each page
 * holding every instance), with no services. The reader installs the fast path on the client itself.
 */
function cluster(pages: ReadonlyArray<ReadonlyArray<typeof instance>>): { service: EcsContainerService; next: () => void } {
  let snapshot = 0;
  const respond = (operation: string, input: Record<string, unknown>): Canned => {
    const page = pages[Math.min(snapshot, pages.length - 1)] ?? [];
    const arns = page.map((i) => i.containerInstanceArn);
    switch (operation) {
      case 'ListContainerInstances':
        return ok({ containerInstanceArns: arns });
      case 'DescribeContainerInstances': {
        const asked = new Set(input.containerInstances as string[]);
        return ok({ containerInstances: page.filter((i) => asked.has(i.containerInstanceArn)), failures: [] });
      }
      case 'ListServices':
        return ok({ serviceArns: [] });
      case 'DescribeClusters':
        return ok({ clusters: [{ clusterName: 'demo', registeredContainerInstancesCount: arns.length, activeServicesCount: 0 }], failures: [] });
      default:
        throw new Error(`unexpected ${operation}`);
    }
  };
  return { service: new EcsContainerService(clientServing(respond, false), 'demo', quiet), next: () => snapshot++ };
}

async function twoSnapshots(pages: ReadonlyArray<ReadonlyArray<typeof instance>>): Promise<[Instance[], Instance[]]> {
  clearReadCaches();
  const { service, next } = cluster(pages);
  const first = (await service.snapshot({ tasks: 'none' })).instances;
  next();
  const second = (await service.snapshot({ tasks: 'none' })).instances;
  return [first, second];
}

beforeEach(() => clearReadCaches());

describe('instance models across two snapshots', () => {
  const before = [ci(0, 1024), ci(1, 2048), ci(2, 3072)];

  it.each<[string, number, typeof instance]>([
    ['the first instance’s remaining CPU changed', 0, ci(0, 512)],
    ['a middle instance’s remaining memory changed', 1, ci(1, 2048, 8000)],
    ['the last instance started draining', 2, { ...ci(2, 3072), status: 'DRAINING' }],
  ])('%s: the others keep their model objects, it gets a new one', async (_rule, changed, replacement) => {
    const after = before.map((x, k) => (k === changed ? replacement : x));
    const [first, second] = await twoSnapshots([before, after]);
    expect(second).toHaveLength(3);
    second.forEach((model, k) => (k === changed ? expect(model).not.toBe(first[k]) : expect(model).toBe(first[k])));
    // The changed model is what translating the SDK's output gives (the fast path's bytes and all).
    expect(second[changed]).toEqual(toInstance(replacement as unknown as ContainerInstance, undefined));
    expect(second[changed]).not.toEqual(first[changed]);
  });

  it('the models equal those translated from the SDK deserializer’s output, snapshot by snapshot', async () => {
    const after = [ci(0, 1024), ci(1, 0, 0), ci(2, 3072)];
    const viaSdk = async (page: ReadonlyArray<typeof instance>): Promise<Array<Instance | undefined>> => {
      const out = await clientAnswering([ok({ containerInstances: page, failures: [] })], false).client.send(new DescribeContainerInstancesCommand({ cluster: 'demo', containerInstances: ['x'] }));
      return (out.containerInstances ?? []).map((c) => toInstance(c, undefined));
    };
    const [first, second] = await twoSnapshots([before, after]);
    expect([first, second]).toEqual([await viaSdk(before), await viaSdk(after)]);
    expect(second[1]?.remaining).toEqual({ cpu: 0, memory: 0 });
  });

  it('after clearReadCaches() an unchanged instance is translated again (a new, equal model)', async () => {
    const { service } = cluster([before]);
    const first = (await service.snapshot({ tasks: 'none' })).instances;
    clearReadCaches();
    const second = (await service.snapshot({ tasks: 'none' })).instances;
    expect(second).toEqual(first);
    expect(second[0]).not.toBe(first[0]);
  });
});

describe('the reused items follow the cluster', () => {
  it('an instance that left is no longer kept after the next full read, and one that joined is', async () => {
    const { service, next } = cluster([[ci(1, 1024), ci(2, 2048), ci(3, 3072)], [ci(1, 1024), ci(3, 3072), ci(4, 512)]]);
    await service.snapshot({ tasks: 'none' });
    expect(reusedItemCounts().DescribeContainerInstances).toBe(3);
    next();
    const second = (await service.snapshot({ tasks: 'none' })).instances;
    expect(second.map((i) => i.id).sort()).toEqual(['i-m1', 'i-m3', 'i-m4']);
    expect(reusedItemCounts().DescribeContainerInstances).toBe(3);
  });
});
