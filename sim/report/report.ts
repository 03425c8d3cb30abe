/**
 * The simulation report: one self-contained HTML file (sim/report/report-html.ts: uPlot inlined, no
 * network) that answers "what did each policy do and how far is it from Headroom":
 * - the results table with the best value per row marked, and a difference-vs-Headroom table;
 * - Headroom's capacity against demand, split per capacity group (Spot / On-Demand, desired
 *   capacity in weighted units), with its scale-out, scale-in and drain actions marked;
 * - each peer's capacity and cost minus Headroom's over time (small differences stay visible);
 * - headroom with Headroom's shortage and excess thresholds drawn, pending tasks, tasks lost, cost;
 * - Spot interruption warnings as vertical marks (solid: a storm).
 * Legend entries toggle their line (the axis rescales to what is shown); hovering shows values.
 * This file holds the tables and the page; the charts are built in sim/report/report-charts.ts.
 */
import { chartBlock, escapeHtml, page } from './report-html';
import { COLORS, reportCharts } from './report-charts';
import { describeLoss, verdict } from './verdict';
import type { PolicyResult } from '../run/result';
import type { PolicyRun, RunOutput } from '../run/run';

export { escapeHtml } from './report-html';
export { flattening } from './report-charts';

const MEASURES: ReadonlyArray<{ key: keyof PolicyResult; label: string; better: 'low' | 'none'; format: (v: number) => string; diff?: (d: number) => string }> = [
  { key: 'cost', label: 'cost', better: 'low', format: (v) => `$${v.toFixed(2)}`, diff: (d) => `${d >= 0 ? '+' : '−'}$${Math.abs(d).toFixed(2)}` },
  { key: 'lowerBoundCost', label: 'lower-bound cost', better: 'none', format: (v) => `$${v.toFixed(2)}` },
  { key: 'costRatio', label: 'cost ÷ lower bound', better: 'low', format: (v) => v.toFixed(3), diff: (d) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(3)}` },
  { key: 'instanceHours', label: 'instance-hours', better: 'low', format: (v) => v.toFixed(1), diff: (d) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(1)}` },
  { key: 'pendingTaskMinutes', label: 'pending task-minutes', better: 'low', format: (v) => v.toFixed(1), diff: (d) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(1)}` },
  { key: 'pendingStandaloneTaskMinutes', label: '… of which jobs/trace', better: 'none', format: (v) => v.toFixed(1) },
  { key: 'p99PendingSeconds', label: 'p99 pending (s)', better: 'low', format: (v) => v.toFixed(0), diff: (d) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(0)}` },
  { key: 'tasksLost', label: 'tasks lost', better: 'low', format: String, diff: (d) => `${d >= 0 ? '+' : '−'}${Math.abs(d)}` },
  { key: 'tasksKilled', label: 'jobs stopped by drains', better: 'low', format: String },
  { key: 'reactivations', label: 'drains reversed', better: 'low', format: String },
  { key: 'interruptions', label: 'Spot interruptions', better: 'none', format: String },
  { key: 'stuckInstances', label: 'stuck instances', better: 'low', format: String, diff: (d) => `${d >= 0 ? '+' : '−'}${Math.abs(d)}` },
  { key: 'boundViolations', label: 'bound violations', better: 'low', format: String, diff: (d) => `${d >= 0 ? '+' : '−'}${Math.abs(d)}` },
  { key: 'rebalanceLaunches', label: 'AZRebalance launches', better: 'low', format: String },
  { key: 'scaleOutActions', label: 'scale-out actions', better: 'none', format: String },
  { key: 'scaleInActions', label: 'scale-in actions', better: 'none', format: String },
  { key: 'apiCalls', label: 'API calls', better: 'low', format: String, diff: (d) => `${d >= 0 ? '+' : '−'}${Math.abs(d)}` },
  { key: 'maxApiCallsPerTick', label: 'max API calls per tick', better: 'none', format: String },
  { key: 'throttledApiCalls', label: 'throttled API calls', better: 'low', format: String },
];

const num = (r: PolicyResult, k: keyof PolicyResult): number => (typeof r[k] === 'number' ? (r[k] as number) : Number.NaN);

function summaryTable(runs: readonly PolicyRun[]): string {
  const head = `<thead><tr><th></th>${runs.map((r) => `<th style="color:${COLORS[r.result.policy]}">${escapeHtml(r.result.policy)}</th>`).join('')}</tr></thead>`;
  const rows = MEASURES.filter((m) => runs.some((r) => Number.isFinite(num(r.result, m.key)))).map((m) => {
    const values = runs.map((r) => num(r.result, m.key));
    const best = m.better === 'low' ? Math.min(...values) : Number.NaN;
    return `<tr><th>${escapeHtml(m.label)}</th>${values.map((v) => `<td${v === best ? ' class="best"' : ''}>${Number.isFinite(v) ? m.format(v) : '–'}</td>`).join('')}</tr>`;
  });
  return `<div class="wrap"><table>${head}<tbody>${rows.join('')}</tbody></table></div>`;
}

/** Where each policy lost tasks: when, how many, which instance and why it went (at most 20 lines each). */
export function lossSection(runs: readonly PolicyRun[]): string {
  const items = runs.map((r) => {
    const losses = r.losses;
    const total = r.result.tasksLost;
    if (total === 0) return `<li><b style="color:${COLORS[r.result.policy]}">${escapeHtml(r.result.policy)}</b>: no task lost.</li>`;
    const lines = losses.slice(0, 20).map((l) => `<li>${escapeHtml(describeLoss(l))}</li>`);
    const more = losses.length > 20 ? `<li>and ${losses.length - 20} more</li>` : '';
    return `<li><b style="color:${COLORS[r.result.policy]}">${escapeHtml(r.result.policy)}</b>: ${total} task(s) lost<ul>${lines.join('')}${more}</ul></li>`;
  });
  return `<ul class="losses">${items.join('')}</ul>`;
}

/** Each peer minus Headroom, absolute and relative; red where the peer is worse. */
export function differenceTable(runs: readonly PolicyRun[]): string {
  const base = runs.find((r) => r.result.policy === 'headroom');
  const peers = runs.filter((r) => r !== base);
  if (base === undefined || peers.length === 0) return '';
  const head = `<thead><tr><th>peer − Headroom</th>${peers.map((r) => `<th style="color:${COLORS[r.result.policy]}">${escapeHtml(r.result.policy)}</th>`).join('')}</tr></thead>`;
  const rows = MEASURES.filter((m) => m.diff !== undefined).map((m) => {
    const b = num(base.result, m.key);
    const cells = peers.map((r) => {
      const d = num(r.result, m.key) - b;
      if (!Number.isFinite(d)) return '<td>–</td>';
      const rel = b !== 0 ? ` (${d >= 0 ? '+' : '−'}${Math.abs((100 * d) / b).toFixed(1)} %)` : '';
      const cls = d > 0 ? 'worse' : d < 0 ? 'better' : '';
      return `<td${cls !== '' ? ` class="${cls}"` : ''}>${(m.diff as (d: number) => string)(d)}${rel}</td>`;
    });
    return `<tr><th>${escapeHtml(m.label)}</th>${cells.join('')}</tr>`;
  });
  return `<div class="wrap"><table>${head}<tbody>${rows.join('')}</tbody></table></div><p class="notes">Positive: the peer spends, waits or loses more than Headroom (red); negative: less (green).</p>`;
}

/** The scenario line under the title: seed, duration, tick, reference task, groups and env. */
function scenarioLine(output: RunOutput): string {
  const s = output.scenario;
  const env = Object.entries(s.env).map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(v)}`).join(' ');
  const groups = s.capacityGroups.map((g) => `${escapeHtml(g.name)}: ${escapeHtml(g.instanceType)}${g.spot ? ' Spot' : ' On-Demand'} $${g.pricePerHour}/h, min ${g.min} max ${g.max}`).join('; ');
  return `${escapeHtml(s.description ?? '')}<br>seed ${s.seed} · ${s.durationMinutes} min · tick ${s.tickSeconds} s · reference task ${output.referenceShape.cpu} CPU / ${output.referenceShape.memory} MiB · ${groups}${env !== '' ? ` · env ${env}` : ''}`;
}

/** The whole report page for one run output: verdict, scenario line, tables, charts, policy details. */
export function renderReport(output: RunOutput): string {
  const s = output.scenario;
  const runs = output.runs;
  const { charts, peers } = reportCharts(output);
  const byId = (id: string): string => {
    const c = charts.find((x) => x.id === id);
    return c !== undefined ? chartBlock(c) : '';
  };
  const notes = output.notes.length > 0 ? `<p class="notes">${output.notes.map(escapeHtml).join('<br>')}</p>` : '';
  const details = runs
    .filter((r) => Object.keys(r.detail).length > 0)
    .map((r) => `<p class="detail"><b>${escapeHtml(r.result.policy)}</b>: ${Object.entries(r.detail).map(([k, v]) => `${escapeHtml(k)} ${v}`).join(' · ')}</p>`)
    .join('');
  const body = `<h1>Headroom simulation: ${escapeHtml(s.name)}</h1>
<p class="verdict">${escapeHtml(verdict(runs.map((r) => r.result)))}</p>
<p class="sub">${scenarioLine(output)}</p>
${notes}
<h2>Results</h2>
${summaryTable(runs)}
<h2>Tasks lost: which event, which instance</h2>
${lossSection(runs)}
<h2>Difference vs Headroom</h2>
${differenceTable(runs)}
${byId('diff-cost')}
${byId('diff-instances')}
<h2>Headroom's capacity and actions</h2>
${byId('headroom-capacity')}
<h2>Headroom, pending tasks, losses, cost</h2>
${byId('headroom')}${byId('pending')}${byId('lost')}${byId('cost')}
<h2>Peers: capacity vs demand</h2>
<div class="grid">${peers.map(chartBlock).join('')}</div>
${details}`;
  return page(`Headroom simulation: ${s.name}`, body, charts);
}
