/**
 * `npm run plan` on moto: the real CLI entry (`main`) and the Lambda functions' adapters read a
 * cluster that needs one more instance, print the decision, and change nothing: moto's whole state
 * (`/moto-api/data.json`: every attribute of every model of every service it emulates) is identical
 * before and after. moto is reset first, so that state is this file's world alone (small to dump,
 * and free of other files' SQS messages, whose `visible` flag moto derives from the clock).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAutoScalingGroupsCommand, SetInstanceProtectionCommand, SuspendProcessesCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateCapacityProviderCommand, PutClusterCapacityProvidersCommand, UpdateCapacityProviderCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
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
    // Without the SDK's Node.js warning switch (the test setup sets it): the command sets it itself.
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _switch, ...caller } = process.env;
    const env = { ...caller, ...THRESHOLDS, METRICS_NAMESPACE: world.env.METRICS_NAMESPACE as string };
    const ok = spawnSync(tsx, ['cli/plan.ts', ...args, '--json'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(ok.stderr).toBe('');
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
    expect(half.setupWarnings).toEqual([
      expect.stringMatching(new RegExp(`^capacity provider cp-${primary} of group ${primary}: UNSAFE: managed termination protection is off`)),
      expect.stringMatching(new RegExp(`^capacity provider cp-${primary} of group ${primary}: managed scaling on but the group's AlarmNotification process is not suspended`)),
    ]);
    await c.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: primary, ScalingProcesses: ['AlarmNotification'] }));
    const { stdout } = await run(args, env);
    expect(stdout).not.toContain('\nSetup\n');
  });
  it('a misspelt group, a group of another cluster and a missing cluster each exit 2 with one line, in errors[] too', async () => {
    const env = { ...THRESHOLDS, METRICS_NAMESPACE: world.env.METRICS_NAMESPACE as string };
    const other = await buildWorld(c, { cluster: unique('plan-other'), groups: [{ name: unique('plan-o'), size: 1 }] });
    const otherGroup = [...other.groups.keys()][0] as string;
    const typo = `${primary}X`;
    const wrong = await run(['--cluster', world.cluster, '--asg-names', `${primary},${typo},${otherGroup}`, '--json'], env);
    expect(wrong.code).toBe(2);
    const report = JSON.parse(wrong.stdout);
    expect(report.errors).toEqual([
      expect.stringMatching(new RegExp(`^Auto Scaling group "${typo}" not found: check --asg-names`)),
      expect.stringMatching(new RegExp(`^group "${otherGroup}" has 1 instance\\(s\\) in service and none is registered with cluster "${world.cluster}"`)),
    ]);
    // The groups that exist are still planned, as the functions would plan them.
    expect(report.summary).toMatchObject({ activeInstances: 4 });
    expect(report.setupWarnings).toEqual([]);
    expect(wrong.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual(report.errors.map((e: string) => `error: ${e}`));
    // Control: the right names pass.
    expect((await run([...args, '--json'], env)).code).toBe(0);

    const gone = `${world.cluster}-gone`;
    const missing = await run(['--cluster', gone, '--asg-names', primary, '--json'], env);
    expect(missing.code).toBe(2);
    const nothing = JSON.parse(missing.stdout);
    expect(nothing).toMatchObject({ summary: null, scaleOut: [], scaleIn: [], reasons: [], setupWarnings: [] });
    expect(nothing.errors).toEqual([expect.stringMatching(new RegExp(`^cluster "${gone}" not found \\(ECS DescribeClusters\\): check --cluster`))]);
    const text = await run(['--cluster', gone, '--asg-names', primary], env);
    expect(text).toMatchObject({ code: 2, stdout: '', stderr: `error: ${nothing.errors[0] as string}\n` });
  });

  it.each([
    ['no credentials', { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined }, /^plan failed: CredentialsProviderError: .* — hint: no AWS credentials found: set AWS_PROFILE/],
    ['no region', { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }, /^plan failed: .* — hint: no AWS region: set AWS_REGION/],
  ])('%s: one line on stderr with the hint, no SDK dump, exit 1', (_name, change, line) => {
    const root = join(__dirname, '..', '..');
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    // An empty home: no ~/.aws files; no instance metadata lookup (it would leave this machine).
    const env: Record<string, string | undefined> = { ...process.env, ...THRESHOLDS, HOME: mkdtempSync(join(tmpdir(), 'plan-home-')), AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: undefined, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined, ...change };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const out = spawnSync(tsx, ['cli/plan.ts', ...args], { cwd: root, env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000 });
    expect(out.status).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(line)]);
  });

  it('walks the migration guide: plan names what is left at each step, and an unsafe order (protection off before AlarmNotification is suspended) at once', async () => {
    const group = unique('plan-mig');
    const mig = await buildWorld(c, { cluster: unique('plan-mig'), groups: [{ name: group, size: 2 }] });
    const env = { ...THRESHOLDS, METRICS_NAMESPACE: mig.env.METRICS_NAMESPACE as string };
    const members = [...(mig.groups.get(group) ?? [])];
    const arn = (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }))).AutoScalingGroups?.[0]?.AutoScalingGroupARN as string;
    // Today: a capacity provider with managed scaling and managed termination protection, its instances protected.
    await c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group, NewInstancesProtectedFromScaleIn: true }));
    await c.asg.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: group, InstanceIds: members, ProtectedFromScaleIn: true }));
    const cp = `cp-${group}`;
    await c.ecs.send(new CreateCapacityProviderCommand({ name: cp, autoScalingGroupProvider: { autoScalingGroupArn: arn, managedScaling: { status: 'ENABLED', targetCapacity: 100 }, managedTerminationProtection: 'ENABLED', managedDraining: 'DISABLED' } }));
    await c.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: mig.cluster, capacityProviders: [cp], defaultCapacityProviderStrategy: [{ capacityProvider: cp, weight: 1 }] }));
    const warnings = async (): Promise<string[]> => JSON.parse((await run(['--cluster', mig.cluster, '--asg-names', group, '--json'], env)).stdout).setupWarnings;
    const protectionOff = (status: 'ENABLED' | 'DISABLED') => c.ecs.send(new UpdateCapacityProviderCommand({ name: cp, autoScalingGroupProvider: { managedTerminationProtection: status } }));

    expect(await warnings()).toEqual([expect.stringMatching(/AlarmNotification process is not suspended/), expect.stringMatching(/managed termination protection on; turn it off once the group's AlarmNotification process is suspended, not before/)]);
    // The wrong order: protection off first. plan says so at once, then the control puts it back.
    await protectionOff('DISABLED');
    expect((await warnings())[0]).toMatch(/UNSAFE: managed termination protection is off while ECS's target tracking can still scale the group in/);
    await protectionOff('ENABLED');
    // Step 2: AlarmNotification suspended (Headroom acts from here).
    await c.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: group, ScalingProcesses: ['AlarmNotification'] }));
    expect(await warnings()).toEqual([expect.stringMatching(/managed termination protection on; turn it off \(/)]);
    // Step 3: managed termination protection off; the instances ECS protected are now in Headroom's way.
    await protectionOff('DISABLED');
    expect(await warnings()).toEqual([expect.stringMatching(new RegExp(`^group ${group}: 2 instance\\(s\\) protected from scale-in and new instances protected from scale-in.*step 5\\)$`))]);
    // Step 5: scale-in protection off on the group and its instances: nothing left.
    await c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group, NewInstancesProtectedFromScaleIn: false }));
    await c.asg.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: group, InstanceIds: members, ProtectedFromScaleIn: false }));
    expect(await warnings()).toEqual([]);
  });
});
