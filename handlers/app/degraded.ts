/**
 * Optional reads: a read that feeds only part of a decision must not stop the whole decision when
 * it fails. The part it feeds is switched off conservatively (no scale-in without the headroom
 * history or the instances' tasks; no launch back-off or launch dates without the scaling
 * activities), the failure is logged as a warning and counted in the `DegradedReads` metric, and
 * scale-out goes on.
 */
import { categoryOf } from '../../core/errors';
import type { MetricDatum } from '../../core/metrics';
import type { Logger } from './ports';

/** One optional read that failed, and what was switched off because of it. */
export interface DegradedRead {
  readonly read: string;
  readonly without: string;
  readonly error: string;
}

/** Run an optional read; on failure, record it in `degraded` and answer `fallback`. */
export async function optionalRead<T>(degraded: DegradedRead[], read: string, without: string, fallback: T, fn: () => Promise<T>): Promise<{ value: T; ok: boolean }> {
  try {
    return { value: await fn(), ok: true };
  } catch (error) {
    degraded.push({ read, without, error: `${categoryOf(error)}: ${String(error)}` });
    return { value: fallback, ok: false };
  }
}

/** Warn once per degraded read; the metric datum that counts them (none when every read worked). */
export function reportDegraded(log: Logger, degraded: readonly DegradedRead[]): MetricDatum[] {
  for (const d of degraded) log.warn(`optional read failed: ${d.read}; going on without ${d.without}`, { read: d.read, without: d.without, error: d.error });
  return degraded.length > 0 ? [{ name: 'DegradedReads', value: degraded.length, unit: 'Count' }] : [];
}
