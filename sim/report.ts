/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no CDN) so it can be
 * mailed or attached to a ticket. Charts: demand vs capacity per policy, headroom, pending tasks,
 * cumulative tasks lost and cost, all with Spot interruption warnings marked.
 */
import type { PolicyResult } from './result';
import type { PolicyRun, RunOutput } from './run';
import type { PolicyName } from './scenario';
import type { SpotMark } from './world';

const COLORS: Record<PolicyName, string> = { headroom: '#1a7f37', ugns: '#bc4c00', 'ecs-cas': '#0969da', 'static-peak': '#6e7781' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

interface Line {
  readonly name: string;
  readonly color: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly dash?: string;
  readonly fill?: boolean;
  readonly width?: number;
}

interface ChartSpec {
  readonly title: string;
  readonly yLabel: string;
  readonly lines: readonly Line[];
  readonly xMax: number;
  readonly marks: readonly SpotMark[];
  readonly width?: number;
  readonly height?: number;
}

/** 1, 2, 5 × 10^k steps giving about `target` ticks up to `max`. */
export function niceStep(max: number, target = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}

const fmt = (v: number): string => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1));

/** Keep at most `max` points (every k-th, always the last). */
function thin<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const k = Math.ceil(points.length / max);
  const out = points.filter((_, i) => i % k === 0);
  const last = points[points.length - 1];
  if (last !== undefined && out[out.length - 1] !== last) out.push(last);
  return out;
}

export function lineChart(spec: ChartSpec): string {
  const W = spec.width ?? 640;
  const H = spec.height ?? 220;
  const m = { left: 48, right: 12, top: 40, bottom: 30 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  let yMax = 0;
  for (const l of spec.lines) for (const [, y] of l.points) yMax = Math.max(yMax, y);
  const yStep = niceStep(yMax === 0 ? 1 : yMax, 4);
  const yTop = Math.max(yStep, Math.ceil((yMax * 1.05) / yStep) * yStep);
  const x = (v: number): number => m.left + (pw * v) / Math.max(1, spec.xMax);
  const y = (v: number): number => m.top + ph - (ph * v) / yTop;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(spec.title)}">`);
  parts.push(`<text x="${m.left}" y="16" class="t">${escapeHtml(spec.title)}</text>`);
  // Grid and axes.
  for (let v = 0; v <= yTop + 1e-9; v += yStep) {
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="g"/>`);
    parts.push(`<text x="${m.left - 6}" y="${(y(v) + 4).toFixed(1)}" class="yl">${fmt(v)}</text>`);
  }
  const hours = spec.xMax / 60;
  const xStepH = hours <= 2 ? 0.25 : hours <= 6 ? 1 : hours <= 26 ? 3 : niceStep(hours, 8);
  for (let h = 0; h <= hours + 1e-9; h += xStepH) {
    const px = x(h * 60).toFixed(1);
    parts.push(`<line x1="${px}" x2="${px}" y1="${m.top}" y2="${m.top + ph}" class="g"/>`);
    parts.push(`<text x="${px}" y="${H - 10}" class="xl">${hours <= 2 ? `${Math.round(h * 60)}m` : `${fmt(h)}h`}</text>`);
  }
  parts.push(`<text x="12" y="${m.top + ph / 2}" class="yt" transform="rotate(-90 12 ${m.top + ph / 2})">${escapeHtml(spec.yLabel)}</text>`);
  // Spot interruption warnings.
  for (const mk of spec.marks) {
    const px = x(mk.minute).toFixed(1);
    parts.push(`<line x1="${px}" x2="${px}" y1="${m.top}" y2="${m.top + ph}" class="${mk.storm ? 'storm' : 'spot'}"><title>${mk.storm ? 'Spot storm' : 'Spot interruption'}: ${mk.count} warning(s) at ${fmt(mk.minute)} min</title></line>`);
    if (mk.storm) parts.push(`<text x="${(x(mk.minute) + 3).toFixed(1)}" y="${m.top + 11}" class="sl">storm ×${mk.count}</text>`);
  }
  // Lines.
  for (const l of spec.lines) {
    const pts = thin(l.points, 720);
    if (pts.length === 0) continue;
    const d = pts.map(([a, b], i) => `${i === 0 ? 'M' : 'L'}${x(a).toFixed(1)},${y(b).toFixed(1)}`).join('');
    if (l.fill === true) {
      const first = pts[0] as readonly [number, number];
      const last = pts[pts.length - 1] as readonly [number, number];
      parts.push(`<path d="${d}L${x(last[0]).toFixed(1)},${y(0).toFixed(1)}L${x(first[0]).toFixed(1)},${y(0).toFixed(1)}Z" fill="${l.color}" fill-opacity="0.18" stroke="none"/>`);
    }
    parts.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="${l.width ?? 1.6}"${l.dash !== undefined ? ` stroke-dasharray="${l.dash}"` : ''}><title>${escapeHtml(l.name)}</title></path>`);
  }
  // Legend.
  let lx = m.left;
  for (const l of spec.lines) {
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="29" y2="29" stroke="${l.color}" stroke-width="3"${l.dash !== undefined ? ` stroke-dasharray="${l.dash}"` : ''}/>`);
    parts.push(`<text x="${lx + 22}" y="33" class="lg">${escapeHtml(l.name)}</text>`);
    lx += 30 + l.name.length * 6.5;
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" class="frame"/>`);
  parts.push('</svg>');
  return parts.join('');
}

const MEASURES: ReadonlyArray<{ key: keyof PolicyResult; label: string; better: 'low' | 'none'; format: (v: number) => string }> = [
  { key: 'cost', label: 'cost', better: 'low', format: (v) => `$${v.toFixed(2)}` },
  { key: 'lowerBoundCost', label: 'lower-bound cost', better: 'none', format: (v) => `$${v.toFixed(2)}` },
  { key: 'costRatio', label: 'cost ÷ lower bound', better: 'low', format: (v) => v.toFixed(3) },
  { key: 'instanceHours', label: 'instance-hours', better: 'low', format: (v) => v.toFixed(1) },
  { key: 'pendingTaskMinutes', label: 'pending task-minutes', better: 'low', format: (v) => v.toFixed(1) },
  { key: 'pendingStandaloneTaskMinutes', label: '… of which jobs/trace', better: 'none', format: (v) => v.toFixed(1) },
  { key: 'p99PendingSeconds', label: 'p99 pending (s)', better: 'low', format: (v) => v.toFixed(0) },
  { key: 'tasksLost', label: 'tasks lost', better: 'low', format: String },
  { key: 'tasksKilled', label: 'jobs stopped by drains', better: 'low', format: String },
  { key: 'interruptions', label: 'Spot interruptions', better: 'none', format: String },
  { key: 'stuckInstances', label: 'stuck instances', better: 'low', format: String },
  { key: 'boundViolations', label: 'bound violations', better: 'low', format: String },
  { key: 'scaleOutActions', label: 'scale-out actions', better: 'none', format: String },
  { key: 'scaleInActions', label: 'scale-in actions', better: 'none', format: String },
  { key: 'apiCalls', label: 'API calls', better: 'none', format: String },
  { key: 'maxApiCallsPerTick', label: 'max API calls per tick', better: 'none', format: String },
  { key: 'throttledApiCalls', label: 'throttled API calls', better: 'low', format: String },
];

function summaryTable(runs: readonly PolicyRun[]): string {
  const head = `<tr><th></th>${runs.map((r) => `<th style="color:${COLORS[r.result.policy]}">${escapeHtml(r.result.policy)}</th>`).join('')}</tr>`;
  const rows = MEASURES.map((m) => {
    const values = runs.map((r) => r.result[m.key] as number);
    const best = m.better === 'low' ? Math.min(...values) : Number.NaN;
    const cells = values.map((v) => `<td${v === best ? ' class="best"' : ''}>${m.format(v)}</td>`).join('');
    return `<tr><th>${escapeHtml(m.label)}</th>${cells}</tr>`;
  });
  return `<table>${head}${rows.join('')}</table>`;
}

export function renderReport(output: RunOutput): string {
  const s = output.scenario;
  const xMax = s.durationMinutes;
  const runs = output.runs;
  const series = (r: PolicyRun, f: (p: PolicyRun['series'][number]) => number): Array<[number, number]> => r.series.map((p) => [p.minute, f(p)]);
  const capacity = runs
    .map((r) =>
      lineChart({
        title: `${r.result.policy}: instances vs demand`,
        yLabel: 'instances',
        xMax,
        marks: r.spotMarks,
        width: 560,
        height: 210,
        lines: [
          { name: 'demand (lower bound)', color: '#8250df', points: series(r, (p) => p.demand), fill: true, width: 1 },
          { name: 'instances paid', color: COLORS[r.result.policy], points: series(r, (p) => p.instances), width: 2 },
          { name: 'ACTIVE', color: '#24292f', points: series(r, (p) => p.active), dash: '3 3', width: 1 },
        ],
      }),
    )
    .join('');
  const overlay = (title: string, yLabel: string, f: (p: PolicyRun['series'][number]) => number): string =>
    lineChart({
      title,
      yLabel,
      xMax,
      marks: runs.find((r) => r.result.policy === 'headroom')?.spotMarks ?? runs[0]?.spotMarks ?? [],
      width: 1140,
      height: 240,
      lines: runs.map((r) => ({ name: r.result.policy, color: COLORS[r.result.policy], points: series(r, f) })),
    });
  const notes = output.notes.length > 0 ? `<p class="notes">${output.notes.map(escapeHtml).join('<br>')}</p>` : '';
  const details = runs
    .filter((r) => Object.keys(r.detail).length > 0)
    .map((r) => `<p class="detail"><b>${escapeHtml(r.result.policy)}</b>: ${Object.entries(r.detail).map(([k, v]) => `${escapeHtml(k)} ${v}`).join(' · ')}</p>`)
    .join('');
  const env = Object.entries(s.env).map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(v)}`).join(' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Headroom simulation: ${escapeHtml(s.name)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#24292f;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
.sub{color:#57606a;margin:0 0 12px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 12px;border-bottom:1px solid #d0d7de;text-align:right}
th:first-child{text-align:left;font-weight:normal;color:#57606a}tr:first-child th{font-weight:600}
td.best{font-weight:700;background:#dafbe1}
.grid{display:grid;grid-template-columns:repeat(2,560px);gap:12px 20px}
svg{background:#fff}svg text{font:11px system-ui,sans-serif;fill:#57606a}
svg .t{font-size:13px;font-weight:600;fill:#24292f}svg .yl{text-anchor:end}svg .xl{text-anchor:middle}svg .yt{text-anchor:middle}
svg .g{stroke:#eaeef2;stroke-width:1}svg .frame{fill:none;stroke:#d0d7de}
svg .spot{stroke:#cf222e;stroke-width:1;stroke-dasharray:2 3}svg .storm{stroke:#cf222e;stroke-width:2}svg .sl{fill:#cf222e;font-weight:600}
.notes,.detail{color:#57606a;font-size:12px}
</style></head><body>
<h1>Headroom simulation: ${escapeHtml(s.name)}</h1>
<p class="sub">${escapeHtml(s.description ?? '')}<br>seed ${s.seed} · ${s.durationMinutes} min · tick ${s.tickSeconds} s · reference task ${output.referenceShape.cpu} CPU / ${output.referenceShape.memory} MiB · ${s.capacityGroups.map((g) => `${escapeHtml(g.name)}: ${escapeHtml(g.instanceType)}${g.spot ? ' Spot' : ''} $${g.pricePerHour}/h, min ${g.min} max ${g.max}`).join('; ')}${env !== '' ? ` · env ${env}` : ''}</p>
${notes}
${summaryTable(runs)}
<p class="notes">Red dashed lines: Spot interruption warnings (termination two minutes later); solid red: a storm. Demand is ⌈max(Σcpu/C, Σmem/M)⌉ of everything that wants to run.</p>
<h2>Demand vs capacity</h2>
<div class="grid">${capacity}</div>
<h2>Headroom, pending tasks, losses, cost</h2>
${overlay(`Headroom: reference tasks (${output.referenceShape.cpu} CPU / ${output.referenceShape.memory} MiB) that still fit`, 'tasks', (p) => p.headroom)}
${overlay('Pending tasks (waiting for a place)', 'tasks', (p) => p.pending)}
${overlay('Tasks lost (cumulative)', 'tasks', (p) => p.tasksLost)}
${overlay('Cost (cumulative)', 'USD', (p) => p.cost)}
${details}
</body></html>
`;
}
