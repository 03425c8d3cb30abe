/**
 * What the recorded window tells, as scenario fields. Pure.
 * - A service's desired count over time from Container Insights' `DesiredTaskCount` samples (ECS
 *   Developer Guide, "Amazon ECS Container Insights metrics": dimensions ClusterName, ServiceName),
 *   as `[minute, count]` points from the start of the window, only where the count changes (the
 *   simulator interpolates linearly between points, so a change keeps the point before it).
 * - Spot interruptions and failed launches from the Spot groups' scaling activities. Without
 *   Capacity Rebalancing, Auto Scaling replaces a Spot instance only "after the Amazon EC2 Spot
 *   service interrupts the instances and their health check fails" (EC2 Auto Scaling User Guide,
 *   "Use Capacity Rebalancing to handle Amazon EC2 Spot interruptions"), and the termination's
 *   `Cause` reads "…taken out of service in response to an EC2 health check indicating it has been
 *   terminated or stopped" (AWS Knowledge Center, "Why did Amazon EC2 Auto Scaling terminate an
 *   instance?"); with it, the cause names the rebalance recommendation or the interruption. In a
 *   Spot group each of these counts as one interruption (a stop or termination by hand reads the
 *   same, so the rate is an upper bound). Launches whose activity `Failed` follow the adapter's own
 *   `isFailedLaunch` rule (handlers/aws/autoscaling.ts).
 */
import { isFailedLaunch } from '../../handlers/aws/autoscaling';
import type { Activity } from './record-reads';

/** Points of a desired-count curve from samples (epoch ms, value); counts rounded to whole tasks. */
export function desiredCurve(samples: ReadonlyArray<readonly [number, number]>, from: number, durationMinutes: number): Array<[number, number]> {
  const sorted = [...samples].filter(([t]) => t >= from).sort((a, b) => a[0] - b[0]);
  const points: Array<[number, number]> = [];
  let previous: [number, number] | undefined;
  for (const [t, v] of sorted) {
    const minute = Math.min(durationMinutes, Math.round((t - from) / 60_000));
    const count = Math.max(0, Math.round(v));
    const last = points[points.length - 1];
    if (last === undefined) points.push([minute, count]);
    else if (last[1] !== count) {
      if (previous !== undefined && previous[0] > last[0]) points.push(previous);
      points.push([minute, count]);
    }
    previous = [minute, count];
  }
  const last = points[points.length - 1];
  if (last !== undefined && last[0] < durationMinutes) points.push([durationMinutes, last[1]]);
  return points;
}

/** A flat curve at `count` over the window: a service with no recorded history. */
export function flatCurve(count: number, durationMinutes: number): Array<[number, number]> {
  return [[0, count], [durationMinutes, count]];
}

const INTERRUPTION = /spot (instance )?interruption|rebalance recommendation|health check indicating it has been terminated or stopped/i;

/** Terminations of a Spot group's instances for an interruption, a rebalance or a failed EC2 health check (see above). */
export function interruptionCount(activities: readonly Activity[]): number {
  return activities.filter((a) => INTERRUPTION.test(a.cause) && /^terminating/i.test(a.description)).length;
}

/** Interruption warnings per Spot instance-hour over the window (0 with no Spot instance-hours). */
export function interruptionRate(interruptions: number, spotInstanceHours: number): number {
  return spotInstanceHours > 0 ? interruptions / spotInstanceHours : 0;
}

/** Windows (minutes from `from`) in which launches failed: each failed launch, merged when they overlap. */
export function launchFailureWindows(activities: readonly Activity[], from: number, durationMinutes: number, windowMinutes = 10): Array<{ fromMinute: number; toMinute: number }> {
  const starts = activities
    .filter((a) => isFailedLaunch(a.status, a.description, a.cause))
    .map((a) => Math.max(0, Math.floor((a.start - from) / 60_000)))
    .sort((a, b) => a - b);
  const out: Array<{ fromMinute: number; toMinute: number }> = [];
  for (const m of starts) {
    const last = out[out.length - 1];
    const to = Math.min(durationMinutes, m + windowMinutes);
    if (last !== undefined && m <= last.toMinute) last.toMinute = Math.max(last.toMinute, to);
    else out.push({ fromMinute: m, toMinute: to });
  }
  return out;
}
