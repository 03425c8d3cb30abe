/**
 * The ECS adapter's read path on a cluster larger than one page of every call: 120 container
 * instances, over 250 tasks, 15 services. moto answers every List* call in one page (moto-gaps.md),
 * so page tokens are covered by the fake in test/handlers; here the per-call limits of the
 * Describe* calls (100 instances, 100 tasks, 10 services) and the completeness of the snapshot are
 * checked on requests moto really received.
 */
import { DeregisterContainerInstanceCommand, DescribeContainerInstancesCommand, ECSClient, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { clearTaskDefinitionCache, EcsContainerService } from '../../handlers/aws/ecs/ecs';
import { CLIENT_OPTIONS } from '../../handlers/aws/util';
import { captureLog, clients, describeMoto, unique } from './moto';
import { buildWorld, FAMILIES, place, REGISTERED, type World } from './world';

const c = clients();

/** An ECS client that records every request it sends: command name and input. */
function recordingClient(): { client: ECSClient; calls: Array<{ command: string; input: Record<string, unknown> }> } {
  const client = new ECSClient(CLIENT_OPTIONS);
  const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push({ command: String(context.commandName), input: structuredClone(args.input as Record<string, unknown>) });
      return next(args);
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return { client, calls };
}

const INSTANCES = 120;

describeMoto('ECS read path past one page', () => {
  let world: World;
  let ids: string[];
  let apiOn: string[];
  beforeAll(async () => {
    const group = unique('read-g');
    world = await buildWorld(c, { cluster: unique('read'), groups: [{ name: group, size: INSTANCES, max: 130 }], services: { web: INSTANCES, api: 10, worker: 3 }, extraServices: 12 });
    ids = [...(world.groups.get(group) ?? [])];
    apiOn = ids.slice(0, 10);
    await place(c, world, 'web', ids, { service: 'web' });
    await place(c, world, 'agent', ids, { service: 'agent' });
    await place(c, world, 'api', apiOn, { service: 'api' });
    await place(c, world, 'worker', ids.slice(0, 3), { service: 'worker' });
    await place(c, world, 'batch', ids.slice(20, 25));
  });

  it('snapshot returns every instance, task and service, within each Describe call limit', async () => {
    clearTaskDefinitionCache();
    const { client, calls } = recordingClient();
    const snap = await new EcsContainerService(client, world.cluster, captureLog()).snapshot();
    expect(snap.instances).toHaveLength(INSTANCES);
    expect(snap.instances.reduce((n, i) => n + (i.tasks?.length ?? 0), 0)).toBe(INSTANCES * 2 + 10 + 3 + 5);
    expect(snap.services.map((s) => s.name).sort()).toEqual(['agent', 'api', 'web', 'worker', ...Array.from({ length: 12 }, (_, k) => `web${k}`)].sort());
    const sizes = (command: string, field: string): number[] => calls.filter((x) => x.command === command).map((x) => (x.input[field] as unknown[]).length);
    expect(sizes('DescribeContainerInstancesCommand', 'containerInstances')).toEqual([100, 20]);
    expect(Math.max(...sizes('DescribeTasksCommand', 'tasks'))).toBe(100);
    expect(sizes('DescribeTasksCommand', 'tasks').reduce((a, b) => a + b, 0)).toBe(INSTANCES * 2 + 18);
    expect(sizes('DescribeServicesCommand', 'services').sort((a, b) => b - a)).toEqual([10, 6]);
    // Task definitions are immutable: each is described once (five families).
    expect(calls.filter((x) => x.command === 'DescribeTaskDefinitionCommand')).toHaveLength(5);
    // Never one call per instance.
    expect(calls.length).toBeLessThan(20);
  });

  it('reads resources, ports and task roles as ECS reports them', async () => {
    const { client } = recordingClient();
    const snap = await new EcsContainerService(client, world.cluster, captureLog()).snapshot();
    const byId = new Map(snap.instances.map((i) => [i.id, i]));
    const api = byId.get(apiOn[0] as string);
    // On every instance, what ECS reports free is what it registered minus the tasks' reservations
    // as the adapter reads them from their definitions (memoryReservation before memory).
    for (const i of snap.instances) {
      if (i.tasks === undefined) throw new Error(`no tasks read for ${i.id}`);
      expect(i.registered).toEqual(REGISTERED);
      const used = i.tasks.reduce((u, t) => ({ cpu: u.cpu + t.cpu, memory: u.memory + t.memory }), { cpu: 0, memory: 0 });
      expect(i.remaining).toEqual({ cpu: REGISTERED.cpu - used.cpu, memory: REGISTERED.memory - used.memory });
    }
    expect(api?.remaining.cpu).toBeLessThanOrEqual(REGISTERED.cpu - FAMILIES.web.container.cpu - FAMILIES.agent.container.cpu - FAMILIES.api.container.cpu);
    expect(api?.usedTcpPorts).toContain(8080);
    const apiTask = api?.tasks?.find((t) => t.service === 'api');
    expect(apiTask).toMatchObject({ role: 'service', cpu: 1024, memory: 2048, tcpPorts: [8080] });
    expect(api?.tasks?.find((t) => t.service === 'agent')?.role).toBe('daemon');
    // The dynamic host port reserves nothing static; memoryReservation is what ECS reserves.
    expect(api?.tasks?.find((t) => t.service === 'web')).toMatchObject({ cpu: 512, memory: 1024 });
    expect(api?.tasks?.find((t) => t.service === 'web')?.tcpPorts ?? []).toEqual([]);
    const standalone = snap.instances.flatMap((i) => i.tasks ?? []).filter((t) => t.role === 'standalone');
    expect(standalone).toHaveLength(5);
    const worker = snap.instances.flatMap((i) => i.tasks ?? []).filter((t) => t.service === 'worker');
    expect(worker).toHaveLength(3);
    expect(byId.get(ids[50] as string)?.attributes['ecs.instance-type']).toBe('c5.xlarge');
    expect(snap.services.find((s) => s.name === 'agent')?.daemon).toBe(true);
  });

  it('a missing instance comes back in the ECS failures array: the others change, the miss is logged', async () => {
    const gone = ids[119] as string;
    const goneArn = world.arn.get(gone) as string;
    await c.ecs.send(new DeregisterContainerInstanceCommand({ cluster: world.cluster, containerInstance: goneArn, force: true }));
    const log = captureLog();
    const ecs = new EcsContainerService(new ECSClient(CLIENT_OPTIONS), world.cluster, log);
    const keep = world.arn.get(ids[118] as string) as string;
    await ecs.setStatus([keep, goneArn], 'DRAINING');
    const out = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: [keep, goneArn] }));
    expect(out.containerInstances?.map((i) => i.status)).toEqual(['DRAINING']);
    expect(out.failures?.map((f) => f.reason)).toEqual(['MISSING']);
    expect(log.lines.filter((l) => l.level === 'warn' && l.message === 'container instance state not changed').map((l) => l.data?.reason)).toEqual(['MISSING']);
    // findInstances leaves the deregistered instance out and still finds the other.
    const found = await ecs.findInstances([gone, ids[118] as string]);
    expect(found.map((i) => i.id)).toContain(ids[118]);
    expect(found.map((i) => i.id)).not.toContain(gone);
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: world.cluster, containerInstances: [keep], status: 'ACTIVE' }));
  });

  it('setStatus past 10 instances is split into calls of at most 10, and repeating it changes nothing', async () => {
    const { client, calls } = recordingClient();
    const ecs = new EcsContainerService(client, world.cluster, captureLog());
    const arns = ids.slice(30, 55).map((id) => world.arn.get(id) as string);
    await ecs.setStatus(arns, 'DRAINING');
    await ecs.setStatus(arns, 'DRAINING');
    const sizes = calls.filter((x) => x.command === 'UpdateContainerInstancesStateCommand').map((x) => (x.input.containerInstances as unknown[]).length);
    expect(sizes).toEqual([10, 10, 5, 10, 10, 5]);
    const out = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: world.cluster, containerInstances: arns }));
    expect(new Set(out.containerInstances?.map((i) => i.status))).toEqual(new Set(['DRAINING']));
    await ecs.setStatus(arns, 'ACTIVE');
  });
});
