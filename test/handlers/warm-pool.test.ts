/**
 * Warm pools: an instance the group sends back to its warm pool is drained (lifecycle hook with
 * Destination WarmPool) and marked; when it comes back InService still DRAINING (the container
 * instance keeps its status across the stop), the tick sets it ACTIVE again.
 */
import { SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import { handleLifecycle } from '../../handlers/lifecycle';
import { handleTick } from '../../handlers/tick';
import { WARM_POOL_ATTRIBUTE } from '../../handlers/app/warm-pool';
import { BASE_ENV, FakeAws, context, instanceArn } from './fake-aws';
import { sample } from './events';

const I2 = 'i-0a1b2c3d4e5f60002';
const I3 = 'i-0a1b2c3d4e5f60003';
const attr = (aws: FakeAws, id: string, name: string): string | undefined => aws.instances.get(instanceArn(id))?.attributes?.find((a) => a.name === name)?.value;

describe('warm pools', () => {
  it('a drain towards the warm pool marks the instance', async () => {
    const aws = new FakeAws().group('demo-spot').group('demo-ondemand', { desired: 1, max: 10 });
    aws.instance({ id: I2, group: 'demo-ondemand', lifecycleState: 'Terminating:Wait' });
    aws.service('web', { desired: 1 });
    aws.task(I2, { service: 'web' });
    aws.hookPending(I2, 'headroom-demo');
    await handleLifecycle(sample('lifecycle/terminate.warm-pool.json'), context());
    expect(attr(aws, I2, WARM_POOL_ATTRIBUTE)).toBeDefined();
  });

  it('an instance back from the warm pool (InService, still DRAINING, marked) is set ACTIVE and unmarked; a foreign drain is left alone', async () => {
    const aws = new FakeAws().group('demo-spot').group('demo-ondemand', { desired: 2, max: 10 });
    aws.instance({ id: I2, group: 'demo-ondemand', status: 'DRAINING', attributes: { [WARM_POOL_ATTRIBUTE]: '2025-06-01T10:00:00.000Z', [SCALE_IN_ATTRIBUTE]: '2025-06-01T09:59:00.000Z' } });
    aws.instance({ id: I3, group: 'demo-ondemand', status: 'DRAINING' });
    const ctx = context({ ...BASE_ENV, SCALE_IN_ENABLED: 'false' });
    await handleTick(sample('tick/scheduled.json'), ctx);
    expect(aws.instances.get(instanceArn(I2))?.status).toBe('ACTIVE');
    expect([attr(aws, I2, WARM_POOL_ATTRIBUTE), attr(aws, I2, SCALE_IN_ATTRIBUTE)]).toEqual([undefined, undefined]);
    expect(aws.instances.get(instanceArn(I3))?.status).toBe('DRAINING');
  });

  it('an instance still on its way into the pool (not InService) keeps draining', async () => {
    const aws = new FakeAws().group('demo-spot').group('demo-ondemand', { desired: 1, max: 10 });
    aws.instance({ id: I2, group: 'demo-ondemand', lifecycleState: 'Terminating:Wait', status: 'DRAINING', attributes: { [WARM_POOL_ATTRIBUTE]: '2025-06-01T10:00:00.000Z' } });
    await handleTick(sample('tick/scheduled.json'), context({ ...BASE_ENV, SCALE_IN_ENABLED: 'false' }));
    expect(aws.instances.get(instanceArn(I2))?.status).toBe('DRAINING');
  });
});
