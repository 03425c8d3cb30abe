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
 */
import { headroomConfig } from '../policies/headroom/environment';
import { chartBlock, escapeHtml, page, type ChartSpec, type SeriesSpec } from './report-html';
import { eventsOf, stepAt } from './report-events';
import { describeLoss, lossesOf, verdict } from './verdict';
import type { PolicyResult } from '../run/result';
import type { PolicyRun, RunOutput } from '../run/run';
import type { PolicyName } from '../scenario/scenario';

export { escapeHtml } from './report-html';

const COLORS: Record<PolicyName, string> = { headroom: '#1a7f37', ugns: '#bc4c00', 'ecs-cas': '#0969da', 'static-peak': '#6e7781' };
// Distinct from the policies' colours (a group line must not read as a policy).
const GROUP_COLORS = ['#bf3989', '#0550ae', '#9a6700', '#1b7c83', '#6639ba'];
const MARKERS = { 'scale-out': { color: '#1a7f37', marker: 'up' }, 'scale-in': { color: '#bc4c00', marker: 'down' }, drain: { color: '#8250df', marker: 'diamond' } } as const;

type Sample = PolicyRun['series'][number];

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

/**
 * Policies whose peak would flatten the others on a shared axis: a peak over four times the largest
 * peak of the rest (which must be above zero). Hidden at first, one legend click away.
 */
export function flattening(peaks: ReadonlyArray<{ policy: PolicyName; peak: number }>): PolicyName[] {
  return peaks.filter((p) => {
    const rest = Math.max(0, ...peaks.filter((q) => q !== p).map((q) => q.peak));
    return rest > 0 && p.peak > 4 * rest;
  }).map((p) => p.policy);
}

/** Where each policy lost tasks: when, how many, which instance and why it went (at most 20 lines each). */
export function lossSection(runs: readonly PolicyRun[]): string {
  const items = runs.map((r) => {
    const losses = lossesOf(r.log);
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

export function renderReport(output: RunOutput): string {
  const s = output.scenario;
  const runs = output.runs;
  const headroom = runs.find((r) => r.result.policy === 'headroom');
  const ref = headroom ?? runs[0];
  const minutes = (ref?.series ?? []).map((p) => p.minute);
  const at = (r: PolicyRun, f: (p: Sample) => number): Array<number | null> => {
    const byMinute = new Map(r.series.map((p) => [p.minute, f(p)]));
    return minutes.map((m) => byMinute.get(m) ?? null);
  };
  const spotMarks = (r: PolicyRun | undefined) =>
    (r?.spotMarks ?? []).map((m) => ({ x: m.minute, color: '#cf222e', solid: m.storm, label: `${m.storm ? 'storm' : 'Spot warning'} ×${m.count}` }));
  const overlay = (id: string, title: string, yLabel: string, f: (p: Sample) => number, extra: SeriesSpec[] = [], note?: string): ChartSpec => {
    const hide = flattening(runs.map((r) => ({ policy: r.result.policy, peak: Math.max(0, ...r.series.map(f)) })));
    const hidden = hide.length > 0 ? ` ${hide.join(', ')} ${hide.length === 1 ? 'is' : 'are'} hidden so the axis fits the others (its scale would flatten them): click to show.` : '';
    const text = `${note ?? ''}${hidden}`.trim();
    return {
      id,
      title,
      yLabel,
      xLabel: 'time (h:mm)',
      xKind: 'minutes',
      x: minutes,
      series: [...runs.map((r) => ({ label: r.result.policy, color: COLORS[r.result.policy], y: at(r, f), width: r === headroom ? 2.2 : 1.4, ...(hide.includes(r.result.policy) ? { hidden: true } : {}) })), ...extra],
      marks: spotMarks(ref),
      ...(text !== '' ? { note: text } : {}),
    };
  };

  const charts: ChartSpec[] = [];
  let capacityNote = '';
  if (headroom !== undefined) {
    const events = eventsOf(headroom.log, Object.fromEntries(s.capacityGroups.map((g) => [g.name, g.initial])));
    const instances = at(headroom, (p) => p.instances);
    const nearest = (minute: number): number => {
      let best = 0;
      for (let k = 0; k < minutes.length; k++) if (Math.abs((minutes[k] as number) - minute) < Math.abs((minutes[best] as number) - minute)) best = k;
      return best;
    };
    const markerSeries = (Object.keys(MARKERS) as Array<keyof typeof MARKERS>).map((kind): SeriesSpec => {
      const y: Array<number | null> = minutes.map(() => null);
      let n = 0;
      for (const m of events.markers) {
        if (m.kind !== kind) continue;
        const k = nearest(m.minute);
        y[k] = instances[k] ?? null;
        n++;
      }
      return { label: `${kind} (${n})`, color: MARKERS[kind].color, y, marker: MARKERS[kind].marker, ...(kind === 'drain' ? { hidden: n > 200 } : {}) };
    });
    const groups = s.capacityGroups.map((g, k): SeriesSpec => ({
      label: `${g.name} (${g.spot ? 'Spot' : 'On-Demand'}) desired`,
      color: GROUP_COLORS[k % GROUP_COLORS.length] as string,
      y: stepAt(events.desired[g.name] ?? [], minutes, g.initial),
      stepped: true,
      width: 1.4,
      dash: g.spot ? [6, 3] : [],
    }));
    const weighted = s.capacityGroups.some((g) => (g as { instanceTypes?: unknown[] }).instanceTypes !== undefined);
    capacityNote = weighted
      ? 'Group lines are Auto Scaling desired capacity in weighted units (mixed-instances groups count weights, not instances).'
      : 'Group lines are Auto Scaling desired capacity (instances; weighted units for mixed-instances groups).';
    charts.push({
      id: 'headroom-capacity',
      title: 'Headroom: capacity vs demand, per group, with its actions',
      note: `${capacityNote} Triangles: scale-out (up) and scale-in (down); diamonds: instances set DRAINING. Red lines: Spot warnings (solid: a storm).`,
      xLabel: 'time (h:mm)',
      yLabel: 'instances',
      xKind: 'minutes',
      x: minutes,
      series: [
        { label: 'demand (lower bound)', color: '#8250df', y: at(headroom, (p) => p.demand), fill: true, width: 1 },
        { label: 'instances paid', color: COLORS.headroom, y: instances, width: 2.2 },
        { label: 'ACTIVE', color: '#24292f', y: at(headroom, (p) => p.active), dash: [3, 3], width: 1 },
        ...groups,
        ...markerSeries,
      ],
      marks: spotMarks(headroom),
      height: 320,
    });
    const peers = runs.filter((r) => r !== headroom);
    if (peers.length > 0) {
      const diff = (f: (p: Sample) => number) => (r: PolicyRun): SeriesSpec => {
        const base = at(headroom, f);
        const mine = at(r, f);
        return { label: r.result.policy, color: COLORS[r.result.policy], y: mine.map((v, k) => (v === null || base[k] === null ? null : v - (base[k] as number))) };
      };
      const zero: SeriesSpec = { label: 'Headroom (0)', color: COLORS.headroom, y: minutes.map(() => 0), width: 1 };
      charts.push({ id: 'diff-instances', title: 'Difference vs Headroom: instances paid (peer − Headroom)', note: 'Above zero: the peer runs more instances than Headroom at that time.', xLabel: 'time (h:mm)', yLabel: 'instances', xKind: 'minutes', x: minutes, series: [zero, ...peers.map(diff((p) => p.instances))], marks: spotMarks(headroom) });
      charts.push({ id: 'diff-cost', title: 'Difference vs Headroom: cumulative cost (peer − Headroom)', note: 'The gap at the right edge is the difference in the table; its slope shows when it builds up.', xLabel: 'time (h:mm)', yLabel: 'USD', xKind: 'minutes', x: minutes, series: [zero, ...peers.map(diff((p) => p.cost))], marks: spotMarks(headroom) });
    }
  }
  let thresholds: SeriesSpec[] = [];
  try {
    const c = headroomConfig(s);
    thresholds = [
      { label: `shortage threshold (${c.shortageThreshold})`, color: '#cf222e', y: minutes.map(() => c.shortageThreshold), dash: [8, 4], width: 1.2 },
      { label: `excess threshold (${c.excessThreshold})`, color: '#9a6700', y: minutes.map(() => c.excessThreshold), dash: [8, 4], width: 1.2 },
    ];
  } catch {
    // An invalid env fails the run before any report; nothing to draw then.
  }
  charts.push(overlay('headroom', `Headroom: reference tasks (${output.referenceShape.cpu} CPU / ${output.referenceShape.memory} MiB) that still fit`, 'tasks', (p) => p.headroom, thresholds, 'Dashed: Headroom scales out below the shortage threshold and considers scale-in above the excess threshold.'));
  charts.push(overlay('pending', 'Pending tasks (waiting for a place)', 'tasks', (p) => p.pending));
  charts.push(overlay('lost', 'Tasks lost (cumulative)', 'tasks', (p) => p.tasksLost));
  charts.push(overlay('cost', 'Cost (cumulative)', 'USD', (p) => p.cost));
  const small = runs
    .filter((r) => r !== headroom)
    .map((r): ChartSpec => ({
      id: `capacity-${r.result.policy}`,
      title: `${r.result.policy}: instances vs demand`,
      xLabel: 'time (h:mm)',
      yLabel: 'instances',
      xKind: 'minutes',
      x: minutes,
      series: [
        { label: 'demand', color: '#8250df', y: at(r, (p) => p.demand), fill: true, width: 1 },
        { label: 'instances paid', color: COLORS[r.result.policy], y: at(r, (p) => p.instances), width: 2 },
        { label: 'ACTIVE', color: '#24292f', y: at(r, (p) => p.active), dash: [3, 3], width: 1 },
      ],
      marks: spotMarks(r),
      height: 220,
    }));
  charts.push(...small);

  const byId = (id: string): string => {
    const c = charts.find((x) => x.id === id);
    return c !== undefined ? chartBlock(c) : '';
  };
  const notes = output.notes.length > 0 ? `<p class="notes">${output.notes.map(escapeHtml).join('<br>')}</p>` : '';
  const details = runs
    .filter((r) => Object.keys(r.detail).length > 0)
    .map((r) => `<p class="detail"><b>${escapeHtml(r.result.policy)}</b>: ${Object.entries(r.detail).map(([k, v]) => `${escapeHtml(k)} ${v}`).join(' · ')}</p>`)
    .join('');
  const env = Object.entries(s.env).map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(v)}`).join(' ');
  const body = `<h1>Headroom simulation: ${escapeHtml(s.name)}</h1>
<p class="verdict">${escapeHtml(verdict(runs.map((r) => r.result)))}</p>
<p class="sub">${escapeHtml(s.description ?? '')}<br>seed ${s.seed} · ${s.durationMinutes} min · tick ${s.tickSeconds} s · reference task ${output.referenceShape.cpu} CPU / ${output.referenceShape.memory} MiB · ${s.capacityGroups.map((g) => `${escapeHtml(g.name)}: ${escapeHtml(g.instanceType)}${g.spot ? ' Spot' : ' On-Demand'} $${g.pricePerHour}/h, min ${g.min} max ${g.max}`).join('; ')}${env !== '' ? ` · env ${env}` : ''}</p>
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
<div class="grid">${small.map(chartBlock).join('')}</div>
${details}`;
  return page(`Headroom simulation: ${s.name}`, body, charts);
}
