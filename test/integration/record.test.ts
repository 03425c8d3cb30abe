/**
 * `npm run record` on moto: the real command and adapter read a cluster with an On-Demand group, a
 * Spot (mixed-instances) group, services, a daemon and a day of Container Insights history, write a
 * scenario, and that scenario runs in the simulator. Every call sent is one `RECORD_CALLS` lists.
 * moto has no Pricing API and no Container Insights (moto-gaps.md, "npm run record"): the Pricing
 * client is a recording fake and the history is put with PutMetricData, as Container Insights
 * publishes it. The written scenario runs in `npm start` and `npm run tune`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../cli/record';
import { AwsRecordReads, RECORD_CALLS, type RecordClients } from '../../cli/record/record-reads';
import { parseScenarioText } from '../../sim/scenario/scenario';
import { clients, describeMoto, unique } from './moto';
import { AZ, buildWorld, register, type World } from './world';

const c = clients();
const DAY = 86_400_000;

/** A product document of the Price List Query API for one On-Demand hourly price. */
function product(type: string, usd: string): string {
  return JSON.stringify({ product: { attributes: { instanceType: type } }, terms: { OnDemand: { 'T.JRTCKXETXF': { priceDimensions: { 'T.JRTCKXETXF.6YS6EN2CT7': { unit: 'Hrs', pricePerUnit: { USD: usd } } } } } } });
}

/** Clients on moto that record `service:Action` of every command they send (IAM's names). */
function recordingClients(sent: string[]): RecordClients {
  const tap = <T extends { middlewareStack: { add: (...a: never[]) => void } }>(client: T, service: string): T => {
    (client.middlewareStack as unknown as { add: (mw: unknown, o: unknown) => void }).add(
      (next: (a: unknown) => unknown, context: { commandName?: string }) => (args: unknown) => {
        sent.push(`${service}:${(context.commandName ?? '').replace(/Command$/, '')}`);
        return next(args);
      },
      { step: 'initialize' },
    );
    return client;
  };
  return { ecs: tap(new ECSClient({}), 'ecs'), asg: tap(new AutoScalingClient({}), 'autoscaling'), ec2: tap(new EC2Client({}), 'ec2'), cw: tap(new CloudWatchClient({}), 'cloudwatch'), pricing: tap(new PricingClient({ region: 'us-east-1' }), 'pricing') };
}

describeMoto('npm run record', () => {
  const pricing = mockClient(PricingClient);
  let world: World;
  let onDemand: string;
  let spot: string;
  let dir: string;
  let now: number;
  const sent: string[] = [];

  async function record(extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await main(['--cluster', world.cluster, '--asg-names', `${onDemand},${spot}`, '--out', 'recorded.json', ...extra], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      cwd: dir,
      now: () => now,
      reads: (cluster) => new AwsRecordReads(cluster, () => now, recordingClients(sent)),
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'record-'));
    onDemand = unique('rec-od');
    spot = unique('rec-spot');
    world = await buildWorld(c, { cluster: unique('rec'), groups: [{ name: onDemand, size: 2, min: 1, max: 6 }], services: { web: 4, api: 1 } });
    await c.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: spot,
        MinSize: 0,
        MaxSize: 10,
        DesiredCapacity: 2,
        AvailabilityZones: [AZ],
        MixedInstancesPolicy: {
          LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: `${world.cluster}-lt`, Version: '$Latest' }, Overrides: [{ InstanceType: 'm5.large', WeightedCapacity: '1' }, { InstanceType: 'm5.xlarge', WeightedCapacity: '2' }] },
          InstancesDistribution: { OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 0 },
        },
      }),
    );
    const members = (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [spot] }))).AutoScalingGroups?.[0]?.Instances ?? [];
    await register(c, world.cluster, members.map((m) => m.InstanceId as string));
    now = Math.floor(Date.now() / 300_000) * 300_000;
    // A day of web's desired count as Container Insights publishes it: 4 at night, 12 in the day.
    const data = Array.from({ length: 288 }, (_, k) => ({ at: now - DAY + k * 300_000, v: k >= 96 && k < 240 ? 12 : 4 }));
    for (let k = 0; k < data.length; k += 100) {
      await c.cw.send(
        new PutMetricDataCommand({
          Namespace: 'ECS/ContainerInsights',
          MetricData: data.slice(k, k + 100).map((d) => ({ MetricName: 'DesiredTaskCount', Dimensions: [{ Name: 'ClusterName', Value: world.cluster }, { Name: 'ServiceName', Value: 'web' }], Timestamp: new Date(d.at), Value: d.v, Unit: 'Count' })),
        }),
      );
    }
  });
  afterAll(() => pricing.restore());

  it('a type no source prices is an error naming --price, and nothing is written', async () => {
    pricing.on(GetProductsCommand).resolves({ PriceList: [] });
    const r = await record([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: no price known for c5.xlarge: give one with --price c5.xlarge=USD (USD per instance-hour)\n`);
    expect(() => readFileSync(join(dir, 'recorded.json'))).toThrow();
    // The Pricing API was asked, for the On-Demand type in the cluster's region, Linux, shared tenancy.
    const filters = pricing.commandCalls(GetProductsCommand)[0]?.args[0].input.Filters ?? [];
    expect(Object.fromEntries(filters.map((f) => [f.Field, f.Value]))).toMatchObject({ instanceType: 'c5.xlarge', regionCode: 'us-east-1', operatingSystem: 'Linux', tenancy: 'Shared' });
  });

  it('records groups, services, the daemon and the history, with prices from the Pricing API and the Spot history; the scenario runs', async () => {
    pricing.on(GetProductsCommand).resolves({ PriceList: [product('c5.xlarge', '0.1700000000')] });
    sent.length = 0;
    const r = await record([]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*recorded\.json: 1 day\(s\) of cluster .*, 3 service\(s\) \(1 with Container Insights history\), 2 group\(s\)/);
    const text = readFileSync(join(dir, 'recorded.json'), 'utf8');
    const scenario = parseScenarioText(text, 'recorded.json');
    expect(scenario.durationMinutes).toBe(1440);
    const [od, sp] = scenario.capacityGroups;
    expect(od).toMatchObject({ name: onDemand, instanceType: 'c5.xlarge', pricePerHour: 0.17, spot: false, min: 1, max: 6, initial: 2, cpu: 4096, memory: 7482, availabilityZones: [AZ] });
    // moto's Spot price history is one fixed price (moto-gaps.md); sizes of unregistered types come from EC2.
    expect(sp).toMatchObject({ name: spot, spot: true, instanceType: 'm5.large', pricePerHour: 0.00001, instanceTypes: [expect.objectContaining({ instanceType: 'm5.large', weight: 1, cpu: 2048 }), expect.objectContaining({ instanceType: 'm5.xlarge', weight: 2, cpu: 4096 })] });
    const byName = new Map(scenario.services.map((s) => [s.name, s]));
    expect(byName.get('web')).toMatchObject({ cpu: 512, memory: 1024, hostPorts: [], daemon: false });
    expect(byName.get('web')?.desired).toEqual([[0, 4], [475, 4], [480, 12], [1195, 12], [1200, 4], [1440, 4]]);
    expect(byName.get('api')).toMatchObject({ cpu: 1024, memory: 2048, hostPorts: [8080], desired: [[0, 1], [1440, 1]] });
    expect(byName.get('agent')).toMatchObject({ daemon: true, cpu: 128, memory: 256 });
    expect(scenario.description).toMatch(/on-demand:c5\.xlarge \$0\.1700 \(pricing-api\)/);
    expect(scenario.description).toMatch(/spot:m5\.large \$0\.0000 \(spot-history\)/);
    expect(scenario.description).toMatch(/service api: no Container Insights history/);
    // Read only, and only the calls the IAM policy in docs/recording.md lists.
    expect(sent.length).toBeGreaterThan(0);
    for (const call of new Set(sent)) expect(RECORD_CALLS).toContain(call);

    const root = join(__dirname, '..', '..');
    const run = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['sim/cli.ts', '--scenario', join(dir, 'recorded.json'), '--json', '--out', join(dir, 'report.html')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(0);
    const results = JSON.parse(run.stdout).results as Array<{ policy: string; cost: number }>;
    expect(results.map((x) => x.policy)).toEqual(expect.arrayContaining(['headroom', 'ecs-cas']));
    expect(results.every((x) => x.cost > 0)).toBe(true);
    // … and npm run tune takes it too (one setting, the defaults: the current row).
    const tune = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['sim/tune-cli.ts', '--scenario', join(dir, 'recorded.json'), '--json', '--workers', '1', '--set', 'SHORTAGE_THRESHOLD=1', '--set', 'EXCESS_THRESHOLD=4', '--set', 'SPOT_RESERVE_INSTANCES=0', '--out', join(dir, 'tune.html')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(tune.status).toBe(0);
    const tuned = JSON.parse(tune.stdout) as { recommended: Record<string, string>; current: { env: Record<string, string>; cost: number } };
    expect(tuned.current.env).toEqual({ SHORTAGE_THRESHOLD: '1', EXCESS_THRESHOLD: '4', SPOT_RESERVE_INSTANCES: '2' });
    expect(tuned.current.cost).toBeGreaterThan(0);
  });

  it('--price overrides every source; a missing cluster and a misspelt group are one line each (exit 2)', async () => {
    const r = await record(['--price', 'c5.xlarge=0.2', '--price', 'm5.large=0.05', '--price', 'm5.xlarge=0.09']);
    expect(r.code).toBe(0);
    const scenario = parseScenarioText(readFileSync(join(dir, 'recorded.json'), 'utf8'), 'recorded.json');
    expect(scenario.capacityGroups.map((g) => g.pricePerHour)).toEqual([0.2, 0.05]);
    expect(scenario.capacityGroups[1]?.instanceTypes?.map((t) => t.pricePerHour)).toEqual([0.05, 0.09]);
    let stderr = '';
    const code = await main(['--cluster', `${world.cluster}-gone`, '--asg-names', `${onDemand}X`, '--out', 'x.json'], { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: dir, now: () => now });
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^error: cluster ".*-gone" not found/), expect.stringMatching(/^error: Auto Scaling group ".*X" not found/)]);
  });
});
