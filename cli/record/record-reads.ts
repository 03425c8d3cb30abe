/**
 * What `npm run record` reads from AWS, and nothing else: the `RecordReads` port and its adapter
 * over the SDK. `RECORD_CALLS` lists every API call the adapter can make (all Describe/List/Get);
 * the integration suite checks the calls sent are among them, so docs/recording.md's IAM policy is
 * the whole of it. Groups, launch templates and instance types go through the functions' own
 * adapters (`AwsAutoScaling`, `Ec2InstanceCatalog`); the rest is read here, thinly.
 */
import { AutoScalingClient, paginateDescribeScalingActivities } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { EC2Client, paginateDescribeSpotPriceHistory, type _InstanceType } from '@aws-sdk/client-ec2';
import { DescribeContainerInstancesCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, paginateListContainerInstances, paginateListServices, type Service as EcsService } from '@aws-sdk/client-ecs';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import type { GroupState, InstanceTypeInfo, LaunchTemplateInfo, LaunchTemplateRef } from '../../handlers/app/ports';
import { AwsAutoScaling } from '../../handlers/aws/autoscaling';
import { Ec2InstanceCatalog } from '../../handlers/aws/ec2';
import { clusterStatus } from '../../handlers/aws/ecs/ecs-setup';
import { toSpec } from '../../handlers/aws/ecs/ecs-model';
import { chunks } from '../../handlers/aws/util';
import type { TaskDefinitionSpec } from '../../core/task-definition';
import { CLI_CLIENT_OPTIONS } from '../sdk-options';

/** Every call the adapter makes, as IAM names it (docs/recording.md lists the same). */
export const RECORD_CALLS = [
  'ecs:DescribeClusters',
  'ecs:ListServices',
  'ecs:DescribeServices',
  'ecs:DescribeTaskDefinition',
  'ecs:ListContainerInstances',
  'ecs:DescribeContainerInstances',
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeLaunchConfigurations',
  'autoscaling:DescribeScalingActivities',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeSpotPriceHistory',
  'cloudwatch:GetMetricData',
  'pricing:GetProducts',
] as const;

/** A service as recorded: the ECS service and the task definition of its primary deployment. */
export interface RecordedService {
  readonly service: EcsService;
  readonly definition: TaskDefinitionSpec;
}

export interface Activity {
  readonly start: number;
  readonly status: string;
  readonly description: string;
  readonly cause: string;
}

export interface RecordReads {
  /** The region the clients read (the SDK's chain: AWS_REGION, the profile). */
  region(): Promise<string>;
  clusterStatus(): Promise<string>;
  services(): Promise<RecordedService[]>;
  /** Registered resources of the cluster's container instances, with their instance type. */
  registered(): Promise<Array<{ instanceType: string; cpu: number; memory: number }>>;
  groups(names: readonly string[]): Promise<GroupState[]>;
  /** The group's scaling activities that started at or after `since` (epoch ms). */
  activities(group: string, since: number): Promise<Activity[]>;
  launchTemplate(ref: LaunchTemplateRef): Promise<LaunchTemplateInfo>;
  instanceTypes(names: readonly string[]): Promise<Map<string, InstanceTypeInfo>>;
  /** Per service, `[epoch ms, value]` samples of one Container Insights metric; absent when none. */
  insights(metric: string, services: readonly string[], from: number, to: number, periodSeconds: number): Promise<Map<string, Array<[number, number]>>>;
  /** Spot prices (USD per hour) recorded for these types and zones since `since`, Linux/UNIX. */
  spotPrices(types: readonly string[], zones: readonly string[], since: number): Promise<Array<{ instanceType: string; zone: string; price: number; at: number }>>;
  /** The Pricing API's product documents (JSON text) for On-Demand Linux, shared tenancy, in `region`. */
  onDemandProducts(instanceType: string, region: string): Promise<string[]>;
}

/** DescribeServices takes at most 10 services per call (ECS API Reference, DescribeServices). */
const SERVICES_PER_CALL = 10;
/** DescribeContainerInstances takes at most 100 (ECS API Reference). */
const INSTANCES_PER_CALL = 100;
/** GetMetricData takes at most 500 queries per call (CloudWatch API Reference, GetMetricData). */
const QUERIES_PER_CALL = 500;

/** The SDK clients the adapter reads through. */
export interface RecordClients {
  readonly ecs: ECSClient;
  readonly asg: AutoScalingClient;
  readonly ec2: EC2Client;
  readonly cw: CloudWatchClient;
  readonly pricing: PricingClient;
}

/**
 * Clients with the caller's credentials and region; Pricing in us-east-1, an endpoint of the Price
 * List Query API that serves every region's prices (AWS Billing User Guide, "Using the AWS Price
 * List Query API": the API answers in us-east-1, eu-central-1 and ap-south-1).
 */
export function recordClients(): RecordClients {
  return { ecs: new ECSClient(CLI_CLIENT_OPTIONS), asg: new AutoScalingClient(CLI_CLIENT_OPTIONS), ec2: new EC2Client(CLI_CLIENT_OPTIONS), cw: new CloudWatchClient(CLI_CLIENT_OPTIONS), pricing: new PricingClient({ ...CLI_CLIENT_OPTIONS, region: 'us-east-1' }) };
}

export class AwsRecordReads implements RecordReads {
  private readonly ecs: ECSClient;
  private readonly asg: AutoScalingClient;
  private readonly ec2: EC2Client;
  private readonly cw: CloudWatchClient;
  private readonly pricing: PricingClient;
  private readonly groupsAdapter: AwsAutoScaling;
  private readonly catalog: Ec2InstanceCatalog;

  constructor(
    private readonly cluster: string,
    now: () => number,
    clients: RecordClients = recordClients(),
  ) {
    ({ ecs: this.ecs, asg: this.asg, ec2: this.ec2, cw: this.cw, pricing: this.pricing } = clients);
    this.groupsAdapter = new AwsAutoScaling(this.asg, now);
    this.catalog = new Ec2InstanceCatalog(this.ec2, now);
  }

  region(): Promise<string> {
    return this.ecs.config.region();
  }

  clusterStatus(): Promise<string> {
    return clusterStatus(this.ecs, this.cluster);
  }

  async services(): Promise<RecordedService[]> {
    const arns: string[] = [];
    for await (const page of paginateListServices({ client: this.ecs }, { cluster: this.cluster })) arns.push(...(page.serviceArns ?? []));
    const services: EcsService[] = [];
    for (const batch of chunks(arns, SERVICES_PER_CALL)) services.push(...((await this.ecs.send(new DescribeServicesCommand({ cluster: this.cluster, services: batch }))).services ?? []));
    const definitions = new Map<string, TaskDefinitionSpec>();
    const out: RecordedService[] = [];
    for (const service of services) {
      const arn = service.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? service.taskDefinition;
      if (arn === undefined) continue;
      if (!definitions.has(arn)) {
        const td = (await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition;
        definitions.set(arn, td !== undefined ? toSpec(td) : {});
      }
      out.push({ service, definition: definitions.get(arn) as TaskDefinitionSpec });
    }
    return out;
  }

  async registered(): Promise<Array<{ instanceType: string; cpu: number; memory: number }>> {
    const arns: string[] = [];
    for await (const page of paginateListContainerInstances({ client: this.ecs }, { cluster: this.cluster })) arns.push(...(page.containerInstanceArns ?? []));
    const out: Array<{ instanceType: string; cpu: number; memory: number }> = [];
    for (const batch of chunks(arns, INSTANCES_PER_CALL)) {
      for (const ci of (await this.ecs.send(new DescribeContainerInstancesCommand({ cluster: this.cluster, containerInstances: batch }))).containerInstances ?? []) {
        const type = ci.attributes?.find((a) => a.name === 'ecs.instance-type')?.value;
        const cpu = ci.registeredResources?.find((r) => r.name === 'CPU')?.integerValue;
        const memory = ci.registeredResources?.find((r) => r.name === 'MEMORY')?.integerValue;
        if (type !== undefined && cpu !== undefined && memory !== undefined) out.push({ instanceType: type, cpu, memory });
      }
    }
    return out;
  }

  groups(names: readonly string[]): Promise<GroupState[]> {
    return this.groupsAdapter.describeGroups(names);
  }

  async activities(group: string, since: number): Promise<Activity[]> {
    const out: Activity[] = [];
    // Newest first (Auto Scaling API Reference, DescribeScalingActivities): stop at the first page that reaches past `since`.
    for await (const page of paginateDescribeScalingActivities({ client: this.asg, pageSize: 100 }, { AutoScalingGroupName: group })) {
      let older = false;
      for (const a of page.Activities ?? []) {
        const start = a.StartTime?.getTime();
        if (start === undefined) continue;
        if (start < since) older = true;
        else out.push({ start, status: a.StatusCode ?? '', description: a.Description ?? '', cause: a.Cause ?? '' });
      }
      if (older) break;
    }
    return out;
  }

  launchTemplate(ref: LaunchTemplateRef): Promise<LaunchTemplateInfo> {
    return this.catalog.launchTemplate(ref);
  }

  instanceTypes(names: readonly string[]): Promise<Map<string, InstanceTypeInfo>> {
    return this.catalog.instanceTypes(names);
  }

  async insights(metric: string, services: readonly string[], from: number, to: number, periodSeconds: number): Promise<Map<string, Array<[number, number]>>> {
    const out = new Map<string, Array<[number, number]>>();
    for (const batch of chunks(services, QUERIES_PER_CALL)) {
      const queries: MetricDataQuery[] = batch.map((service, k) => ({
        Id: `s${k}`,
        MetricStat: { Metric: { Namespace: 'ECS/ContainerInsights', MetricName: metric, Dimensions: [{ Name: 'ClusterName', Value: this.cluster }, { Name: 'ServiceName', Value: service }] }, Period: periodSeconds, Stat: 'Average' },
      }));
      let token: string | undefined;
      do {
        const page = await this.cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(from), EndTime: new Date(to), ScanBy: 'TimestampAscending', ...(token !== undefined ? { NextToken: token } : {}) }));
        for (const r of page.MetricDataResults ?? []) {
          const service = batch[Number((r.Id ?? '').slice(1))];
          if (service === undefined) continue;
          const samples = out.get(service) ?? [];
          (r.Timestamps ?? []).forEach((t, i) => samples.push([t.getTime(), r.Values?.[i] ?? 0]));
          if (samples.length > 0) out.set(service, samples);
        }
        token = page.NextToken;
      } while (token !== undefined);
    }
    return out;
  }

  async spotPrices(types: readonly string[], zones: readonly string[], since: number): Promise<Array<{ instanceType: string; zone: string; price: number; at: number }>> {
    const out: Array<{ instanceType: string; zone: string; price: number; at: number }> = [];
    const filters = zones.length > 0 ? [{ Name: 'availability-zone', Values: [...zones] }] : [];
    for await (const page of paginateDescribeSpotPriceHistory({ client: this.ec2 }, { InstanceTypes: types as _InstanceType[], ProductDescriptions: ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)'], StartTime: new Date(since), Filters: filters })) {
      for (const p of page.SpotPriceHistory ?? []) {
        const price = Number(p.SpotPrice);
        if (p.InstanceType !== undefined && Number.isFinite(price)) out.push({ instanceType: p.InstanceType, zone: p.AvailabilityZone ?? '', price, at: p.Timestamp?.getTime() ?? 0 });
      }
    }
    return out;
  }

  async onDemandProducts(instanceType: string, region: string): Promise<string[]> {
    const filter = (Field: string, Value: string) => ({ Type: 'TERM_MATCH' as const, Field, Value });
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.pricing.send(
        new GetProductsCommand({
          ServiceCode: 'AmazonEC2',
          Filters: [filter('instanceType', instanceType), filter('regionCode', region), filter('operatingSystem', 'Linux'), filter('tenancy', 'Shared'), filter('preInstalledSw', 'NA'), filter('capacitystatus', 'Used')],
          ...(token !== undefined ? { NextToken: token } : {}),
        }),
      );
      out.push(...(page.PriceList ?? []).map((p: unknown) => String(p)));
      token = page.NextToken;
    } while (token !== undefined);
    return out;
  }
}
