/**
 * The tune report: every setting tried as a point (cost, pending task-minutes), the Pareto front
 * as a line, the recommended setting as a star and the peer policies as their own markers; the
 * table below lists every point with tasks lost.
 */
import type { PolicyResult } from '../run/result';
import { chartBlock, escapeHtml, page, type ChartSpec, type SeriesSpec } from '../report/report-html';
import type { Bounds, Point } from './tune';

const PEER_COLORS: Record<string, string> = { ugns: '#bc4c00', 'ecs-cas': '#0969da', 'static-peak': '#6e7781' };

export interface TuneReportInput {
  readonly scenario: string;
  readonly points: readonly Point[];
  readonly peers: readonly PolicyResult[];
  readonly swept: readonly string[];
  readonly recommended: Point | undefined;
  /** The current settings' point (one of `points`) and what the recommendation trades against it. */
  readonly current?: Point;
  readonly tradeOff?: string;
  readonly bounds: Bounds;
}

export function renderTuneReport(input: TuneReportInput): string {
  // One x entry per point (sorted by cost): uPlot wants ascending x; each series has values only
  // at its own entries.
  type Entry = { x: number; y: number; kind: 'point' | 'peer'; point?: Point; peer?: PolicyResult };
  const entries: Entry[] = [
    ...input.points.map((p) => ({ x: p.cost, y: p.pendingTaskMinutes, kind: 'point' as const, point: p })),
    ...input.peers.map((r) => ({ x: r.cost, y: r.pendingTaskMinutes, kind: 'peer' as const, peer: r })),
  ].sort((a, b) => a.x - b.x);
  // A peer far outside the settings' range (e.g. a fleet sized for the peak) starts hidden so the
  // axes fit the settings; its legend entry shows it.
  const maxCost = Math.max(...input.points.map((p) => p.cost));
  const maxWait = Math.max(...input.points.map((p) => p.pendingTaskMinutes));
  const far = (r: PolicyResult): boolean => r.cost > 1.5 * maxCost || r.pendingTaskMinutes > 3 * Math.max(1, maxWait);
  const only = (f: (e: Entry) => boolean): Array<number | null> => entries.map((e) => (f(e) ? e.y : null));
  const series: SeriesSpec[] = [
    { label: 'settings tried', color: '#8c959f', y: only((e) => e.kind === 'point' && e.point?.pareto !== true), marker: 'dot' },
    { label: 'Pareto front', color: '#1a7f37', y: only((e) => e.point?.pareto === true), marker: 'diamond' },
    { label: 'recommended', color: '#8250df', y: only((e) => e.point !== undefined && e.point === input.recommended), marker: 'star' },
    ...(input.current !== undefined ? [{ label: 'current settings', color: '#cf222e', y: only((e) => e.point !== undefined && e.point === input.current), marker: 'diamond' as const }] : []),
    ...input.peers.map((r) => ({ label: r.policy, color: PEER_COLORS[r.policy] ?? '#57606a', y: only((e) => e.peer === r), marker: 'up' as const, ...(far(r) ? { hidden: true } : {}) })),
  ];
  const chart: ChartSpec = {
    id: 'front',
    title: 'Cost vs waiting: every setting, the Pareto front and the peers',
    note: 'Lower-left is better. The front also counts tasks lost (table below): a point can be on it by losing fewer tasks. Peers far outside the range start hidden: click their legend entry to show them.',
    xLabel: 'cost (USD)',
    yLabel: 'pending task-minutes',
    xKind: 'number',
    x: entries.map((e) => e.x),
    series,
    height: 320,
  };
  const head = `<tr>${input.swept.map((s) => `<th>${escapeHtml(s)}</th>`).join('')}<th>cost</th><th>cost ÷ LB</th><th>tasks lost</th><th>pending task-min</th><th>p99 pending s</th><th>front</th></tr>`;
  const rows = input.points
    .map((p) => `<tr>${input.swept.map((s) => `<td>${escapeHtml(p.env[s] ?? '')}</td>`).join('')}<td${p === input.recommended ? ' class="best"' : ''}>$${p.cost.toFixed(2)}</td><td>${p.costRatio.toFixed(3)}</td><td>${p.tasksLost}</td><td>${p.pendingTaskMinutes.toFixed(1)}</td><td>${p.p99PendingSeconds.toFixed(0)}</td><td>${p.pareto ? '★' : ''}${p === input.current ? ' current' : ''}${p === input.recommended ? ' recommended' : ''}</td></tr>`)
    .join('');
  const peers = input.peers.map((r) => `<tr><td colspan="${input.swept.length}" style="text-align:left">${escapeHtml(r.policy)}</td><td>$${r.cost.toFixed(2)}</td><td>${r.costRatio.toFixed(3)}</td><td>${r.tasksLost}</td><td>${r.pendingTaskMinutes.toFixed(1)}</td><td>${r.p99PendingSeconds.toFixed(0)}</td><td></td></tr>`).join('');
  const rec = input.recommended !== undefined ? Object.entries(input.recommended.env).map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(v)}`).join(' ') : 'none';
  const body = `<h1>Headroom tune: ${escapeHtml(input.scenario)}</h1>
<p class="sub">Recommended: <b>${rec}</b> — the cheapest setting losing at most ${input.bounds.maxTasksLost} task(s) (the best peer) and waiting at most ${input.bounds.maxPendingTaskMinutes.toFixed(1)} task-minutes (ecs-cas).${input.tradeOff !== undefined ? ` ${escapeHtml(input.tradeOff)}` : ''}</p>
${chartBlock(chart)}
<div class="wrap"><table><thead>${head}</thead><tbody>${rows}${peers}</tbody></table></div>`;
  return page(`Headroom tune: ${input.scenario}`, body, [chart]);
}
