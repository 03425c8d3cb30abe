/** The side-by-side text table the CLI prints: one column per policy, one row per measure. */
import type { PolicyResult } from '../run/result';

interface Row {
  readonly label: string;
  readonly value: (r: PolicyResult) => string;
}

const money = (v: number): string => `$${v.toFixed(2)}`;

const ROWS: readonly Row[] = [
  { label: 'cost', value: (r) => money(r.cost) },
  { label: 'lower-bound cost', value: (r) => money(r.lowerBoundCost) },
  { label: 'cost ÷ lower bound', value: (r) => `${r.costRatio < 1 && r.costRatio > 0 ? '*' : ''}${r.costRatio.toFixed(3)}` },
  { label: 'instance-hours', value: (r) => r.instanceHours.toFixed(1) },
  { label: 'pending task-minutes', value: (r) => r.pendingTaskMinutes.toFixed(1) },
  { label: '  of which jobs/trace', value: (r) => r.pendingStandaloneTaskMinutes.toFixed(1) },
  { label: 'p99 pending (s)', value: (r) => r.p99PendingSeconds.toFixed(0) },
  { label: 'tasks lost', value: (r) => String(r.tasksLost) },
  { label: 'jobs stopped by drains', value: (r) => String(r.tasksKilled) },
  { label: 'drains reversed', value: (r) => String(r.reactivations) },
  { label: 'Spot interruptions', value: (r) => String(r.interruptions) },
  { label: 'stuck instances', value: (r) => String(r.stuckInstances) },
  { label: 'bound violations', value: (r) => String(r.boundViolations) },
  { label: 'AZRebalance launches', value: (r) => String(r.rebalanceLaunches) },
  { label: 'scale-out actions', value: (r) => String(r.scaleOutActions) },
  { label: 'scale-in actions', value: (r) => String(r.scaleInActions) },
  { label: 'API calls', value: (r) => String(r.apiCalls) },
  { label: 'max API calls per tick', value: (r) => String(r.maxApiCallsPerTick) },
  { label: 'throttled API calls', value: (r) => String(r.throttledApiCalls) },
];

export function formatTable(results: readonly PolicyResult[]): string {
  const header = ['', ...results.map((r) => r.policy)];
  const body = ROWS.map((row) => [row.label, ...results.map((r) => row.value(r))]);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((line) => [...(line[c] ?? '')].length)));
  const pad = (text: string, c: number): string => (c === 0 ? text.padEnd(widths[c] ?? 0) : text.padStart(widths[c] ?? 0));
  const lines = all.map((line) => line.map((cell, c) => pad(cell, c)).join('  '));
  lines.splice(1, 0, widths.map((w) => '─'.repeat(w)).join('  '));
  if (results.some((r) => r.costRatio < 1 && r.costRatio > 0)) lines.push('* below the lower bound: only possible by leaving work pending (see pending task-minutes)');
  lines.push(...results.map((r) => `${r.policy}: ${r.instanceHoursPerCpuSecond} simulated instance-hours per CPU second`));
  return lines.join('\n');
}
