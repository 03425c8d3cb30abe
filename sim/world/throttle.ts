/**
 * Per-account API throttling: one token bucket per AWS throttling category, shared by every caller
 * in one simulated world (the account and Region).
 *
 * AWS throttles each account per Region with the token bucket algorithm: a bucket holds at most
 * `burst` tokens (its maximum capacity, the burst rate), refills at `ratePerSecond` (the sustained
 * rate), and every request takes one token.
 * - ECS groups its actions into categories that share one bucket ("Request throttling for the
 *   Amazon ECS API", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html):
 *   cluster read 50/20, cluster resource read 100/20, cluster resource modify 100/40, service read 100/20, task
 *   definition read 50/20.
 * - EC2 evaluates each API individually; non-mutating `Describe*` actions have 100/20 ("Request
 *   throttling for the Amazon EC2 API", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
 * - CloudWatch states request-per-second quotas ("CloudWatch service quotas",
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html;
 *   GetMetricData 50 TPS per https://repost.aws/knowledge-center/cloudwatch-getmetricdata-api).
 *   A TPS quota is modelled as a bucket of one second's worth.
 * - EC2 Auto Scaling publishes no bucket sizes: its numbers below are our assumption (deliberately
 *   low, so a policy that leans on Auto Scaling is not flattered).
 * - SQS standard queues support a nearly unlimited number of API calls per second per action
 *   (Amazon SQS Developer Guide, "Amazon SQS standard queues",
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html):
 *   `SendMessage` draws on no bucket.
 *
 * A request that finds no token gets ThrottlingException, and the SDK retries it with exponential
 * backoff and jitter (AWS SDKs and Tools Reference Guide, "Retry behavior",
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). Headroom's clients
 * use the adaptive mode (handlers/aws/util.ts `CLIENT_OPTIONS`), whose client-side rate limiter
 * holds requests until the service would admit them. We model both as the caller waiting until its
 * token exists: the bucket lends tokens ahead (its level may go negative), so callers queue in
 * arrival order and each request's admission time is exact for the bucket. Requests that wait are
 * counted as throttled. Retries exhausted before the bucket admits them are not modelled here
 * (`faults.apiErrorRate` injects such failures).
 */

/** The throttling buckets we model (ECS categories, EC2 per-API buckets, the rest by service). */
export const BUCKET_NAMES = [
  'ecs.clusterRead',
  'ecs.clusterResourceRead',
  'ecs.clusterResourceModify',
  'ecs.serviceRead',
  'ecs.taskDefinitionRead',
  'ec2.DescribeInstanceTypes',
  'ec2.DescribeLaunchTemplateVersions',
  'autoscaling.describe',
  'autoscaling.modify',
  'cloudwatch.PutMetricData',
  'cloudwatch.GetMetricData',
] as const;
export type BucketName = (typeof BUCKET_NAMES)[number];

export interface BucketSpec {
  /** Bucket maximum capacity (burst rate), requests. */
  readonly burst: number;
  /** Refill rate (sustained rate), requests per second. */
  readonly ratePerSecond: number;
}

/** Default bucket sizes; `source` says whether AWS publishes the number or it is our assumption. */
export const DEFAULT_BUCKETS: Readonly<Record<BucketName, BucketSpec & { readonly source: 'aws' | 'assumption' }>> = {
  'ecs.clusterRead': { burst: 50, ratePerSecond: 20, source: 'aws' },
  'ecs.clusterResourceRead': { burst: 100, ratePerSecond: 20, source: 'aws' },
  'ecs.clusterResourceModify': { burst: 100, ratePerSecond: 40, source: 'aws' },
  'ecs.serviceRead': { burst: 100, ratePerSecond: 20, source: 'aws' },
  'ecs.taskDefinitionRead': { burst: 50, ratePerSecond: 20, source: 'aws' },
  'ec2.DescribeInstanceTypes': { burst: 100, ratePerSecond: 20, source: 'aws' },
  'ec2.DescribeLaunchTemplateVersions': { burst: 100, ratePerSecond: 20, source: 'aws' },
  'autoscaling.describe': { burst: 20, ratePerSecond: 5, source: 'assumption' },
  'autoscaling.modify': { burst: 20, ratePerSecond: 2, source: 'assumption' },
  // CloudWatch documents a TPS quota; 150/s is below the current default (our conservative choice).
  'cloudwatch.PutMetricData': { burst: 150, ratePerSecond: 150, source: 'assumption' },
  'cloudwatch.GetMetricData': { burst: 50, ratePerSecond: 50, source: 'aws' },
};

/** Every AWS action a simulated caller makes, and the bucket it draws on (`null`: not throttled). */
export const ACTION_BUCKET = {
  DescribeClusters: 'ecs.clusterRead',
  ListContainerInstances: 'ecs.clusterResourceRead',
  DescribeContainerInstances: 'ecs.clusterResourceRead',
  ListTasks: 'ecs.clusterResourceRead',
  DescribeTasks: 'ecs.clusterResourceRead',
  UpdateContainerInstancesState: 'ecs.clusterResourceModify',
  PutAttributes: 'ecs.clusterResourceModify',
  DeleteAttributes: 'ecs.clusterResourceModify',
  StopTask: 'ecs.clusterResourceModify',
  ListServices: 'ecs.serviceRead',
  DescribeServices: 'ecs.serviceRead',
  DescribeTaskDefinition: 'ecs.taskDefinitionRead',
  DescribeInstanceTypes: 'ec2.DescribeInstanceTypes',
  DescribeLaunchTemplateVersions: 'ec2.DescribeLaunchTemplateVersions',
  DescribeAutoScalingGroups: 'autoscaling.describe',
  DescribeScalingActivities: 'autoscaling.describe',
  DescribeAutoScalingInstances: 'autoscaling.describe',
  SetDesiredCapacity: 'autoscaling.modify',
  TerminateInstanceInAutoScalingGroup: 'autoscaling.modify',
  RecordLifecycleActionHeartbeat: 'autoscaling.modify',
  CompleteLifecycleAction: 'autoscaling.modify',
  PutMetricData: 'cloudwatch.PutMetricData',
  GetMetricData: 'cloudwatch.GetMetricData',
  SendMessage: null,
} as const satisfies Record<string, BucketName | null>;
export type ApiAction = keyof typeof ACTION_BUCKET;

/**
 * One token bucket with continuous refill. `take(n, at)` admits `n` requests arriving at `at`
 * (epoch ms, non-decreasing) in arrival order and returns when the last one is admitted; O(1).
 */
export class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(
    readonly spec: BucketSpec,
    start: number,
  ) {
    this.tokens = spec.burst;
    this.at = start;
  }

  /** Requests admitted at once and the wait (ms) until the last of `n` requests is admitted. */
  take(n: number, at: number): { readonly throttled: number; readonly waitMs: number } {
    if (at > this.at) {
      this.tokens = Math.min(this.spec.burst, this.tokens + ((at - this.at) / 1000) * this.spec.ratePerSecond);
      this.at = at;
    }
    const immediate = Math.max(0, Math.min(n, Math.floor(this.tokens + 1e-9)));
    const short = n - this.tokens;
    this.tokens -= n;
    return { throttled: n - immediate, waitMs: short > 1e-9 ? (short / this.spec.ratePerSecond) * 1000 : 0 };
  }
}

export interface ThrottleConfig {
  readonly enabled: boolean;
  readonly buckets: Partial<Readonly<Record<BucketName, BucketSpec>>>;
}

/** The account's buckets in one world: the defaults, overridden per bucket by the scenario. */
export class ApiThrottle {
  private readonly buckets = new Map<BucketName, TokenBucket>();
  constructor(
    private readonly config: ThrottleConfig,
    private readonly start: number,
  ) {}

  /** Admit `n` requests of `action` at `at`: how many were throttled and how long the caller waits. */
  take(action: ApiAction, n: number, at: number): { readonly throttled: number; readonly waitMs: number } {
    const name = ACTION_BUCKET[action];
    if (!this.config.enabled || name === null || n <= 0) return { throttled: 0, waitMs: 0 };
    let bucket = this.buckets.get(name);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.config.buckets[name] ?? DEFAULT_BUCKETS[name], this.start);
      this.buckets.set(name, bucket);
    }
    return bucket.take(n, at);
  }
}

/** The part of a world a synchronous caller needs to wait out a throttle. */
interface Agenda {
  readonly now: number;
  schedule(at: number, label: string, run: () => void): void;
}

/**
 * Run `run` once the throttled requests before it are admitted: now when `waitMs` is 0, else on the
 * agenda after the wait (a baseline Lambda whose SDK retries hold it until AWS answers).
 */
export function afterThrottle(world: Agenda, waitMs: number, label: string, run: () => void): void {
  if (waitMs > 0) world.schedule(world.now + waitMs, label, run);
  else run();
}
