/**
 * Rule: the simulated ECS snapshot reads the services and the container instances at one moment,
 * as the ECS adapter does (DescribeServices and DescribeContainerInstances in parallel,
 * handlers/aws/ecs/ecs.ts). When ECS places a task while the requests are out, the task must not be
 * counted twice: unplaced by its service and reserved on its instance. Reading the services before
 * the simulated latency and the instances after it did exactly that, and Headroom launched an
 * instance for a task that already had one (an m5.4xlarge for a 6-vCPU task that ECS had just
 * placed, in the suite's large-service-mixed-fleet).
 */
import type { Instance, Service } from '../../core/cluster';
import type { ApiCalls } from '../../sim/policies/headroom/api-calls';
import { simEcsPort } from '../../sim/policies/headroom/ecs-port';
import type { SimWorld } from '../../sim/world/sim-world';
import type { SimInstance } from '../../sim/world/world-types';

const REGISTERED = { cpu: 16384, memory: 62304 };
const TASK = { cpu: 6144, memory: 12288 };

/** One instance and one service wanting one task; ECS places it while the snapshot's requests are out. */
function worldPlacingDuringTheRead(): { world: SimWorld; api: ApiCalls } {
  let placed = false;
  const inst = { id: 'i-1', arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/c/1', tasks: new Map() } as unknown as SimInstance;
  const core = (): Instance => ({
    id: 'i-1',
    arn: inst.arn as string,
    status: 'ACTIVE',
    registered: REGISTERED,
    remaining: placed ? { cpu: REGISTERED.cpu - TASK.cpu, memory: REGISTERED.memory - TASK.memory } : REGISTERED,
    usedTcpPorts: [],
    usedUdpPorts: [],
    attributes: {},
    tasks: placed ? [{ id: 't-1', role: 'service', status: 'PENDING', service: 'analytics', ...TASK }] : [],
  });
  const services = (): Service[] => [{ name: 'analytics', shape: TASK, daemon: false, desired: 1, running: 0, pending: placed ? 1 : 0, unplaced: placed ? 0 : 1 }];
  const world = {
    ecsInstances: () => [inst],
    toCore: () => core(),
    coreServices: services,
    standaloneShapes: () => new Set<string>(),
    provisioningShapes: () => [],
  } as unknown as SimWorld;
  const placeWhileOut = async (): Promise<void> => {
    placed = true;
  };
  return { world, api: { calls: placeWhileOut, call: placeWhileOut, injected: () => 0 } };
}

describe('the simulated ECS snapshot', () => {
  it.each([['counts only', 'none' as const], ['with tasks', 'all' as const]])('%s: a task ECS places during the read is counted once (reserved on its instance, not unplaced)', async (_name, tasks) => {
    const { world, api } = worldPlacingDuringTheRead();
    const snap = await simEcsPort(world, api).snapshot({ tasks });
    const reserved = snap.instances.reduce((n, i) => n + (i.registered.cpu - i.remaining.cpu), 0);
    const unplaced = snap.services.reduce((n, s) => n + s.unplaced, 0);
    expect({ reserved, unplaced }).toEqual({ reserved: TASK.cpu, unplaced: 0 });
  });
});
