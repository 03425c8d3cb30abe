/**
 * `npm run plan` on moto: the real CLI entry (`main`) and the Lambda functions' adapters read a
 * cluster that needs one more instance, print the decision, and change nothing: moto's whole state
 * (`/moto-api/data.json`: every attribute of every model of every service it emulates) is identical
 * before and after. moto is reset first, so that state is this file's world alone (small to dump,
 * and free of other files' SQS messages, whose `visible` flag moto derives from the clock).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DescribeAutoScalingGroupsCommand, SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { CreateCapacityProviderCommand, PutClusterCapacityProvidersCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { main } from '../../cli/plan';
import { clients, describeMoto, MOTO_ENDPOINT, unique } from './moto';
import { resetMoto } from './moto-server';
import { buildWorld, place, type World } from './world';

const c = clients();
const THRESHOLDS = { TASK_CPU: '512', TASK_MEMORY: '1024', SHORTAGE_THRESHOLD: '2', EXCESS_THRESHOLD: '10' };

async function motoState(): Promise<unknown> {
  const res = await fetch(`${MOTO_ENDPOINT}/moto-api/data.json`);
  return res.json();
}

async function run(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describeMoto('npm run plan', () => {
  let world: World;
  let primary: string;
  let spare: string;
  let ids: string[];
  let args: string[];
  beforeAll(async () => {
    await resetMoto(MOTO_ENDPOINT as string);
    primary = unique('plan-a');
    spare = unique('plan-b');
    world = await buildWorld(c, { cluster: unique('plan'), groups: [{ name: primary, size: 3, max: 10 }, { name: spare, size: 1, max: 5 }], unmanaged: 1, services: { web: 14, api: 1 } });
    ids = [...(world.groups.get(primary) ?? [])];
    await place(c, world, 'web', ids.slice(0, 2), { service: 'web', count: 7 });
    await place(c, world, 'api', ids.slice(2, 3), { service: 'api' });
    await place(c, world, 'agent', [...ids, ...(world.groups.get(spare) ?? []), ...world.unmanaged], { service: 'agent' });
    await place(c, world, 'batch', world.unmanaged);
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: world.cluster, containerInstances: [world.arn.get(ids[2] as string) as string], status: 'DRAINING' }));
    args = ['--cluster', world.cluster, '--asg-names', `${primary},${spare}`];
  });

  it('--json prints the decision (summary, scaleOut, scaleIn, reasons) and changes nothing in moto', async () => {
    const before = await motoState();
    const { code, stdout, stderr } = await run([...args, '--json'], { ...THRESHOLDS, METRICS_NAMESPACE: world.env.METRICS_NAMESPACE as string });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const after = await motoState();
    expect(after).toEqual(before);
    // Control: the same comparison sees a single real write.
    const arn = world.arn.get(ids[2] as string) as string;
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: world.cluster, containerInstances: [arn], status: 'ACTIVE' }));
    expect(await motoState()).not.toEqual(before);
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: world.cluster, containerInstances: [arn], status: 'DRAINING' }));
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['summary', 'scaleOut', 'scaleIn', 'reasons']));
    expect(report.cluster).toBe(world.cluster);
    expect(report.summary).toMatchObject({ activeInstances: 4, drainingInstances: 1, instancesNeeded: expect.any(Number), lowerBound: expect.any(Number) });
    // Headroom: the two full instances hold none; the spare group's and the unmanaged instance hold the rest.
    const byId = new Map(report.instances.map((i: { id: string }) => [i.id, i]));
    // Tasks were not read (no scale-in window, no shortage): the count is ECS's running + pending, the daemon included.
    expect(byId.get(ids[0])).toMatchObject({ headroom: 0, tasks: 8, group: primary });
    expect(byId.get(ids[2])).toMatchObject({ status: 'DRAINING', note: expect.stringMatching(/not by Headroom/) });
    expect(byId.get(world.unmanaged[0])).toMatchObject({ group: null, note: expect.stringMatching(/no configured group/) });
    expect(report.summary.schedulableTasks).toBe(report.instances.reduce((n: number, i: { headroom: number }) => n + i.headroom, 0));
    expect(report.scaleIn).toEqual([]);
    expect(report.reasons.length).toBeGreaterThan(0);
  });

  it('a shortage shows as the scale-out of the first group, with packing and lower bound, as a readable table', async () => {
    const { code, stdout } = await run(args, { ...THRESHOLDS, SHORTAGE_THRESHOLD: '20', EXCESS_THRESHOLD: '40', METRICS_NAMESPACE: world.env.METRICS_NAMESPACE as string });
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`scale out ${primary} by \\d+ \\(desired \\d+\\)`));
    expect(stdout).toMatch(/instances needed by packing \d+, lower bound \d+/);
    for (const id of [...ids, ...world.unmanaged]) expect(stdout).toContain(id);
    for (const heading of ['Instances', 'Services', 'Groups', 'Actions', 'Reasons']) expect(stdout).toContain(`\n${heading}\n`);
  });

  it('runs as `npm run plan` (tsx cli/plan.ts) with the caller environment; bad settings list every problem and read nothing', () => {
    const root = join(__dirname, '..', '..');
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const env = { ...process.env, ...THRESHOLDS, METRICS_NAMESPACE: world.env.METRICS_NAMESPACE as string };
    const ok = spawnSync(tsx, ['cli/plan.ts', ...args, '--json'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).cluster).toBe(world.cluster);
    const bad = spawnSync(tsx, ['cli/plan.ts', ...args], { cwd: root, env: { ...env, SHORTAGE_THRESHOLD: 'lots', DRAIN_CHECK_SECONDS: '1' }, encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/SHORTAGE_THRESHOLD/);
    expect(bad.stderr).toMatch(/DRAIN_CHECK_SECONDS/);
    expect(bad.stdout).toBe('');
  });

  it('checks the capacity-provider setup of each managed group: no provider is a note; managed scaling on without AlarmNotification suspended is a warning until it is suspended', async () => {
    const env = { ...THRESHOLDS, METRICS_NAMESPACE: world.env.METRICS_NAMESPACE as string };
    const plain = JSON.parse((await run([...args, '--json'], env)).stdout);
    expect(plain.setupWarnings).toEqual([]);
    expect(plain.setupNotes).toEqual([expect.stringMatching(new RegExp(`^group ${primary} has no capacity provider`)), expect.stringMatching(new RegExp(`^group ${spare} has no capacity provider`))]);
    // The recommended capacity providers (managed scaling on, the rest off) as the cluster's default strategy.
    const groups = (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [primary, spare] }))).AutoScalingGroups ?? [];
    const providers: string[] = [];
    for (const g of groups) {
      const name = `cp-${g.AutoScalingGroupName as string}`;
      providers.push(name);
      await c.ecs.send(
        new CreateCapacityProviderCommand({
          name,
          autoScalingGroupProvider: { autoScalingGroupArn: g.AutoScalingGroupARN as string, managedScaling: { status: 'ENABLED', targetCapacity: 100 }, managedTerminationProtection: 'DISABLED', managedDraining: 'DISABLED' },
        }),
      );
    }
    await c.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: world.cluster, capacityProviders: providers, defaultCapacityProviderStrategy: providers.map((capacityProvider, k) => ({ capacityProvider, weight: k === 0 ? 1 : 0 })) }));
    await c.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: spare, ScalingProcesses: ['AlarmNotification'] }));
    const half = JSON.parse((await run([...args, '--json'], env)).stdout);
    expect(half.setupNotes).toEqual([]);
    expect(half.setupWarnings).toEqual([expect.stringMatching(new RegExp(`^capacity provider cp-${primary} of group ${primary}: managed scaling on but the group's AlarmNotification process is not suspended`))]);
    await c.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: primary, ScalingProcesses: ['AlarmNotification'] }));
    const { stdout } = await run(args, env);
    expect(stdout).not.toContain('\nSetup\n');
  });
});
