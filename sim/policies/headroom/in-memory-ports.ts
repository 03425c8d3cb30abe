/**
 * In-memory adapters of the handlers' `Ports` (handlers/app/ports.ts) over the simulated world, so the
 * real handler code runs unchanged in the simulator. They report what the AWS adapters in
 * `handlers/aws/` would report: ECS knows nothing about Auto Scaling (no `group`, no
 * `terminating`: the handlers join them from `describeGroups`), idempotent operations skip what is
 * already done or gone, and Auto Scaling refuses out-of-bounds requests with a ValidationError.
 *
 * API calls are counted as the AWS adapters would make them (their header comments give the
 * formulas: pages of 100, DescribeServices by 10, UpdateContainerInstancesState by 10, one
 * DescribeTaskDefinition per definition per Lambda container). With the scenario's
 * `faults.apiErrorRate`, each port call first fails with a transient (throttling) error with that
 * probability, as SDK calls do after their own retries are exhausted; the delivery layer then
 * retries the invocation like the platform does (`api-calls.ts`). One module per port:
 * `ecs-port.ts`, `auto-scaling-port.ts`, `catalog-port.ts`; the queue, metrics and log are here.
 */
import { HeadroomError } from '../../../core/errors';
import type { MetricDatum, MetricName } from '../../../core/metrics';
import type { HeadroomSample } from '../../../core/scale-in';
import type { DrainCheck, DrainQueue, Logger, Metrics, Ports } from '../../../handlers/app/ports';
import type { Prng } from '../../world/prng';
import type { SimWorld } from '../../world/sim-world';
import { apiCalls, pages } from './api-calls';
import { simAutoScalingPort } from './auto-scaling-port';
import { simCatalogPort } from './catalog-port';
import { simEcsPort } from './ecs-port';


export interface PortsOptions {
  readonly world: SimWorld;
  /** Fault stream; `apiErrorRate` is the probability a call throws a transient error. */
  readonly faults: Prng;
  readonly apiErrorRate: number;
  /** Latency of one request in simulated ms (default `API_LATENCY_MS`; 0 outside a running world). */
  readonly latencyMs?: number;
  /** Called when the handler enqueues a delayed drain check. */
  readonly enqueue: (check: DrainCheck, delaySeconds: number) => void;
  /** Log lines from the handlers (kept for debugging a run). */
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
}

export interface SimPorts extends Ports {
  /** Datums published so far (for the report and for tests). */
  readonly published: ReadonlyArray<{ readonly at: number; readonly name: MetricName; readonly value: number }>;
  /** Errors injected so far. */
  readonly injectedErrors: () => number;
}

export function inMemoryPorts(options: PortsOptions): SimPorts {
  const { world } = options;
  const api = apiCalls(world, options);
  const { call } = api;
  const ecs = simEcsPort(world, api);
  const autoScaling = simAutoScalingPort(world, api);
  const catalog = simCatalogPort(world, api);

  const queue: DrainQueue = {
    async enqueue(check, delaySeconds) {
      await call(1, 'SendMessage');
      if (delaySeconds < 0 || delaySeconds > 900) throw new HeadroomError('invalid-input', `InvalidParameterValue: DelaySeconds ${delaySeconds} must be 0–900`);
      options.enqueue(check, delaySeconds);
    },
  };

  const published: Array<{ at: number; name: MetricName; value: number }> = [];
  const metrics: Metrics = {
    async publish(datums: readonly MetricDatum[], at: number) {
      if (datums.length === 0) return;
      await call(pages(datums.length, 1000), 'PutMetricData');
      for (const d of datums) published.push({ at, name: d.name, value: d.value });
    },
    async history(name: MetricName, from: number, to: number): Promise<HeadroomSample[]> {
      await call(1, 'GetMetricData');
      const out: HeadroomSample[] = [];
      for (let k = published.length - 1; k >= 0; k--) {
        const p = published[k];
        if (p === undefined) continue;
        if (p.at < from) break;
        if (p.name === name && p.at <= to) out.push({ at: p.at, value: p.value });
      }
      return out;
    },
  };

  const log: Logger = {
    info: (m, d) => options.log?.('info', m, d),
    warn: (m, d) => options.log?.('warn', m, d),
    error: (m, d) => options.log?.('error', m, d),
  };

  return { ecs, autoScaling, catalog, queue, metrics, log, now: () => world.now, published, injectedErrors: api.injected };
}
