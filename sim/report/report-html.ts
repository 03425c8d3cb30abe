/**
 * The shell shared by the simulator's HTML reports: one self-contained file (no CDN, no network)
 * with uPlot (MIT, pinned in package.json) inlined, the chart data as JSON, and a small script
 * that draws every chart from a declarative spec: hover values in the legend, legend entries
 * toggle their series (and the y axis rescales to what is shown), point markers, vertical marks,
 * and widths that follow the page (readable at 900 px).
 */
import { readFileSync } from 'node:fs';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** One series of a chart; `y` is aligned with the chart's `x` (null: no value there). */
export interface SeriesSpec {
  readonly label: string;
  readonly color: string;
  readonly y: ReadonlyArray<number | null>;
  readonly dash?: readonly number[];
  readonly width?: number;
  readonly fill?: boolean;
  /** Points only (markers), no line; `marker` picks the shape. */
  readonly marker?: 'up' | 'down' | 'diamond' | 'dot' | 'star';
  readonly stepped?: boolean;
  /** Hidden until its legend entry is clicked. */
  readonly hidden?: boolean;
}

export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** `minutes`: x is minutes, shown as h:mm; `number`: plain values (e.g. cost). */
  readonly xKind: 'minutes' | 'number';
  readonly x: readonly number[];
  readonly series: readonly SeriesSpec[];
  /** Vertical marks (e.g. Spot warnings): x position, colour, solid or dashed, tooltip text. */
  readonly marks?: ReadonlyArray<{ readonly x: number; readonly color: string; readonly solid: boolean; readonly label: string }>;
  readonly height?: number;
  readonly note?: string;
}

let uplotCache: { js: string; css: string } | undefined;
function uplot(): { js: string; css: string } {
  if (uplotCache === undefined) {
    const dir = require.resolve('uplot/dist/uPlot.iife.min.js').replace(/uPlot\.iife\.min\.js$/, '');
    uplotCache = { js: readFileSync(`${dir}uPlot.iife.min.js`, 'utf8'), css: readFileSync(`${dir}uPlot.min.css`, 'utf8') };
  }
  return uplotCache;
}

/** The client script: builds uPlot charts from the specs in #chart-data. */
const CLIENT = String.raw`
(function () {
  var specs = JSON.parse(document.getElementById('chart-data').textContent);
  var shapes = {
    up: function (c, x, y, r) { c.moveTo(x, y - r); c.lineTo(x + r, y + r); c.lineTo(x - r, y + r); c.closePath(); },
    down: function (c, x, y, r) { c.moveTo(x, y + r); c.lineTo(x + r, y - r); c.lineTo(x - r, y - r); c.closePath(); },
    diamond: function (c, x, y, r) { c.moveTo(x, y - r); c.lineTo(x + r, y); c.lineTo(x, y + r); c.lineTo(x - r, y); c.closePath(); },
    dot: function (c, x, y, r) { c.moveTo(x + r, y); c.arc(x, y, r, 0, 2 * Math.PI); },
    star: function (c, x, y, r) { for (var k = 0; k < 10; k++) { var a = Math.PI / 5 * k - Math.PI / 2, q = k % 2 ? r / 2.2 : r * 1.3; c[k ? 'lineTo' : 'moveTo'](x + q * Math.cos(a), y + q * Math.sin(a)); } c.closePath(); }
  };
  function markerPaths(shape) {
    return function (u, si, i0, i1) {
      var s = u.series[si], ctx = u.ctx, xs = u.data[0], ys = u.data[si], r = 5 * devicePixelRatio;
      ctx.save(); ctx.fillStyle = s._stroke; ctx.strokeStyle = '#fff'; ctx.lineWidth = devicePixelRatio;
      ctx.beginPath();
      for (var i = i0; i <= i1; i++) {
        if (ys[i] == null) continue;
        shapes[shape](ctx, Math.round(u.valToPos(xs[i], 'x', true)), Math.round(u.valToPos(ys[i], 'y', true)), r);
      }
      ctx.fill(); ctx.stroke(); ctx.restore();
      return null;
    };
  }
  function hm(v) { var h = Math.floor(v / 60), m = Math.round(v % 60); return h + ':' + (m < 10 ? '0' : '') + m; }
  function fmt(v) { return v == null ? '–' : Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(2); }
  var charts = [];
  specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    var marks = spec.marks || [];
    var opts = {
      width: Math.max(320, el.clientWidth), height: spec.height || 260,
      scales: { x: { time: false } },
      legend: { live: true },
      cursor: { points: { size: 7 } },
      axes: [
        // Minutes: ticks only on round steps (5, 10, 15, 30 min, whole hours, days), so they fall on round hours.
        spec.xKind === 'minutes' ? { label: spec.xLabel, values: function (u, vs) { return vs.map(hm); }, incrs: [5, 10, 15, 30, 60, 120, 180, 240, 360, 480, 720, 1440, 2880, 4320, 10080], size: 36 } : { label: spec.xLabel, size: 36 },
        { label: spec.yLabel, size: 56 }
      ],
      series: [{ label: spec.xKind === 'minutes' ? 'time' : spec.xLabel, value: function (u, v) { return v == null ? '–' : spec.xKind === 'minutes' ? hm(v) : fmt(v); } }].concat(spec.series.map(function (s) {
        var o = { label: s.label, stroke: s.color, width: s.width || 1.6, show: !s.hidden, spanGaps: false, value: function (u, v) { return fmt(v); } };
        if (s.dash) o.dash = s.dash;
        if (s.fill) o.fill = s.color + '2e';
        if (s.stepped) o.paths = uPlot.paths.stepped({ align: 1 });
        if (s.marker) { o.paths = markerPaths(s.marker); o.points = { show: false }; o.width = 0; }
        return o;
      })),
      hooks: { draw: [function (u) {
        var ctx = u.ctx; ctx.save();
        marks.forEach(function (m) {
          var x = Math.round(u.valToPos(m.x, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
          ctx.strokeStyle = m.color; ctx.lineWidth = (m.solid ? 2 : 1) * devicePixelRatio;
          ctx.setLineDash(m.solid ? [] : [3 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        });
        ctx.restore();
      }] }
    };
    var data = [spec.x].concat(spec.series.map(function (s) { return s.y; }));
    charts.push({ el: el, plot: new uPlot(opts, data, el) });
  });
  var timer;
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { charts.forEach(function (c) { c.plot.setSize({ width: Math.max(320, c.el.clientWidth), height: c.plot.height }); }); }, 100);
  });
  document.body.setAttribute('data-charts', String(charts.length));
})();
`;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:20px;max-width:1280px;color:#24292f;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}
.sub,.notes,.detail{color:#57606a;font-size:12.5px}.sub{font-size:13px;margin:0 0 12px}
.verdict{font-size:15px;font-weight:600;margin:4px 0 8px}.losses{font-size:13px;margin:4px 0}
.wrap{overflow-x:auto}
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;border-bottom:1px solid #d0d7de;text-align:right;white-space:nowrap}
th:first-child{text-align:left;font-weight:normal;color:#57606a}thead th{font-weight:600}
td.best{font-weight:700;background:#dafbe1}td.worse{color:#cf222e}td.better{color:#1a7f37}
.chart{width:100%;margin:4px 0 18px}.chart h3{font-size:14px;margin:0 0 2px}.chart p{margin:0 0 4px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:4px 20px}
.u-legend{font-size:12px;text-align:left}.u-legend .u-series{cursor:pointer}
`;

export function chartBlock(spec: ChartSpec): string {
  return `<div class="chart"><h3>${escapeHtml(spec.title)}</h3>${spec.note !== undefined ? `<p class="notes">${escapeHtml(spec.note)}</p>` : ''}<div id="${escapeHtml(spec.id)}"></div></div>`;
}

/** A whole page: `body` HTML plus the charts it places with `chartBlock`. */
export function page(title: string, body: string, charts: readonly ChartSpec[]): string {
  const { js, css } = uplot();
  // JSON inside <script>: escape "<" so no value can close the element.
  const data = JSON.stringify(charts).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}${CSS}</style></head><body>
${body}
<p class="notes">Click a legend entry to hide or show its line (the axis rescales); hover a chart to read every value at that time.</p>
<script type="application/json" id="chart-data">${data}</script>
<script>${js}</script>
<script>${CLIENT}</script>
</body></html>
`;
}
