/**
 * The simulated cost of the AWS API calls the port adapters make: requests counted by action,
 * latency and throttling waited on the simulated clock, and injected transient failures.
 */
import { HeadroomError } from '../../../core/errors';
import type { Prng } from '../../world/prng';
import type { ApiAction } from '../../world/throttle';
import type { SimWorld } from '../../world/sim-world';

/** Simulated latency of one AWS API request (our assumption: a typical in-region round trip). */
export const API_LATENCY_MS = 50;

/** Requests of a paginated or batched call: `n` items by `size`, at least one request. */
export const pages = (n: number, size: number): number => Math.max(1, Math.ceil(n / size));

export interface ApiCalls {
  /** One port call made of these requests (by action); `what` names it in an injected error. */
  readonly calls: (requests: Partial<Record<ApiAction, number>>, what: string) => Promise<void>;
  /** One port call of `n` requests of one action. */
  readonly call: (n: number, action: ApiAction) => Promise<void>;
  /** Errors injected so far. */
  readonly injected: () => number;
}

export function apiCalls(world: SimWorld, options: { readonly faults: Prng; readonly apiErrorRate: number; readonly latencyMs?: number }): ApiCalls {
  let injected = 0;
  /**
   * Count the requests of one port call (by action), wait their latency on the simulated clock (so
   * a tick and an interruption invocation overlap as they do in Lambda) and, when the account's
   * buckets are short (sim/world/throttle.ts), until AWS admits the last one: the adapters' SDK clients
   * hold or retry throttled requests. The requests go out one after another, so the call takes
   * max(n × latency, wait + latency); buckets refill independently, so the longest wait counts.
   * Then maybe fail like a throttled SDK call whose retries ran out (`faults.apiErrorRate`).
   */
  const calls = async (requests: Partial<Record<ApiAction, number>>, what: string): Promise<void> => {
    let n = 0;
    let waitMs = 0;
    for (const [action, k] of Object.entries(requests) as Array<[ApiAction, number]>) {
      n += k;
      waitMs = Math.max(waitMs, world.countApi(k, action));
    }
    const latency = options.latencyMs ?? API_LATENCY_MS;
    await world.sleep(Math.max(n * latency, waitMs > 0 ? waitMs + latency : 0));
    if (options.apiErrorRate > 0 && options.faults.chance(options.apiErrorRate)) {
      injected++;
      throw new HeadroomError('transient', `ThrottlingException: Rate exceeded (${what}, injected by the simulator)`);
    }
  };
  const call = (n: number, action: ApiAction): Promise<void> => calls({ [action]: n }, action);
  return { calls, call, injected: () => injected };
}
