/**
 * Metric datums (names are a contract: README and dashboard use them). Built here from decision
 * data; the handler publishes them together as one Embedded Metric Format line with dimension `ClusterName`.
 */
import type { Decision } from './decide';

export type MetricUnit = 'Count' | 'Percent' | 'Seconds';

export interface MetricDatum {
  readonly name: MetricName;
  readonly value: number;
  readonly unit: MetricUnit;
}

export const METRIC_NAMES = [
  'SchedulableTasks',
  'PendingTasks',
  'ActiveInstances',
  'DrainingInstances',
  'CpuReservedPercent',
  'MemoryReservedPercent',
  'InstancesNeeded',
  'InstancesLowerBound',
  'ScaleOutInstances',
  'ScaleInInstances',
  'DrainSeconds',
  'TasksStoppedByTermination',
  'InterruptionWarnings',
  'RebalanceRecommendations',
  'UnschedulableTasks',
  // A read that feeds only part of a decision failed; that part was skipped (handlers/app/degraded.ts).
  'DegradedReads',
  // A record failed with an error a retry cannot fix: it goes to the dead-letter queue (alarmed).
  'PermanentFailures',
  // A drain check re-seeded by the tick for an instance whose chain of checks was gone.
  'DrainsRevived',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** The per-tick datums of a decision. */
export function tickMetrics(d: Decision): MetricDatum[] {
  return [
    { name: 'SchedulableTasks', value: d.summary.schedulableTasks, unit: 'Count' },
    { name: 'PendingTasks', value: d.summary.pendingTasks, unit: 'Count' },
    { name: 'ActiveInstances', value: d.summary.activeInstances, unit: 'Count' },
    { name: 'DrainingInstances', value: d.summary.drainingInstances, unit: 'Count' },
    { name: 'CpuReservedPercent', value: d.summary.cpuReservedPercent, unit: 'Percent' },
    { name: 'MemoryReservedPercent', value: d.summary.memoryReservedPercent, unit: 'Percent' },
    { name: 'InstancesNeeded', value: d.instancesNeeded, unit: 'Count' },
    { name: 'InstancesLowerBound', value: d.lowerBound, unit: 'Count' },
    { name: 'ScaleOutInstances', value: d.scaleOut.reduce((n, a) => n + a.count, 0), unit: 'Count' },
    { name: 'ScaleInInstances', value: d.scaleIn.length, unit: 'Count' },
    { name: 'UnschedulableTasks', value: d.summary.unschedulableTasks, unit: 'Count' },
  ];
}
