/**
 * The report's charts, built from one run output: Headroom's capacity per group with its actions,
 * each peer's difference from Headroom, the shared overlays (headroom with thresholds, pending,
 * losses, cost) and one small capacity chart per peer. The page around them is sim/report/report.ts.
 */
import { headroomConfig } from '../policies/headroom/environment';
import type { ChartSpec, SeriesSpec } from './report-html';
import { eventsOf, stepAt } from './report-events';
import type { PolicyRun, RunOutput } from '../run/run';
import type { PolicyName } from '../scenario/scenario';

export const COLORS: Record<PolicyName, string> = { headroom: '#1a7f37', ugns: '#bc4c00', 'ecs-cas': '#0969da', 'static-peak': '#6e7781' };
// Distinct from the policies' colours (a group line must not read as a policy).
const GROUP_COLORS = ['#bf3989', '#0550ae', '#9a6700', '#1b7c83', '#6639ba'];
const MARKERS = { 'scale-out': { color: '#1a7f37', marker: 'up' }, 'scale-in': { color: '#bc4c00', marker: 'down' }, drain: { color: '#8250df', marker: 'diamond' } } as const;

type Sample = PolicyRun['series'][number];

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

/**
 * What every chart of one report shares: the policies' runs, Headroom's run (absent when it was
 * not compared), the run whose minutes and Spot warnings set the x axis, and those minutes.
 */
interface ReportFrame {
  readonly runs: readonly PolicyRun[];
  readonly headroom: PolicyRun | undefined;
  readonly ref: PolicyRun | undefined;
  readonly minutes: readonly number[];
}

function frameOf(runs: readonly PolicyRun[]): ReportFrame {
  const headroom = runs.find((r) => r.result.policy === 'headroom');
  const ref = headroom ?? runs[0];
  return { runs, headroom, ref, minutes: (ref?.series ?? []).map((p) => p.minute) };
}

/** One value per frame minute from a run's samples; null where the run has no sample at that minute. */
function at(frame: ReportFrame, r: PolicyRun, f: (p: Sample) => number): Array<number | null> {
  const byMinute = new Map(r.series.map((p) => [p.minute, f(p)]));
  return frame.minutes.map((m) => byMinute.get(m) ?? null);
}

/** The run's Spot interruption warnings as vertical marks, solid for a storm. */
function spotMarks(r: PolicyRun | undefined): NonNullable<ChartSpec['marks']> {
  return (r?.spotMarks ?? []).map((m) => ({ x: m.minute, color: '#cf222e', solid: m.storm, label: `${m.storm ? 'storm' : 'Spot warning'} ×${m.count}` }));
}

/** One measure of every policy on a shared axis; a policy whose peak would flatten the rest starts hidden. */
function overlay(frame: ReportFrame, id: string, title: string, yLabel: string, f: (p: Sample) => number, extra: SeriesSpec[] = [], note?: string): ChartSpec {
  const { runs, headroom, minutes } = frame;
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
    series: [...runs.map((r) => ({ label: r.result.policy, color: COLORS[r.result.policy], y: at(frame, r, f), width: r === headroom ? 2.2 : 1.4, ...(hide.includes(r.result.policy) ? { hidden: true } : {}) })), ...extra],
    marks: spotMarks(frame.ref),
    ...(text !== '' ? { note: text } : {}),
  };
}

/** Index of the frame minute nearest to `minute`: a linear scan, O(minutes) per marker. */
function nearestIndex(minutes: readonly number[], minute: number): number {
  let best = 0;
  for (let k = 0; k < minutes.length; k++) if (Math.abs((minutes[k] as number) - minute) < Math.abs((minutes[best] as number) - minute)) best = k;
  return best;
}

/** One marker series per action kind, each marker drawn on the instances line at the nearest minute. */
function actionMarkers(minutes: readonly number[], markers: ReturnType<typeof eventsOf>['markers'], instances: ReadonlyArray<number | null>): SeriesSpec[] {
  return (Object.keys(MARKERS) as Array<keyof typeof MARKERS>).map((kind): SeriesSpec => {
    const y: Array<number | null> = minutes.map(() => null);
    let n = 0;
    for (const m of markers) {
      if (m.kind !== kind) continue;
      const k = nearestIndex(minutes, m.minute);
      y[k] = instances[k] ?? null;
      n++;
    }
    return { label: `${kind} (${n})`, color: MARKERS[kind].color, y, marker: MARKERS[kind].marker, ...(kind === 'drain' ? { hidden: n > 200 } : {}) };
  });
}

/** Headroom's instances against demand, with each capacity group's desired capacity and its actions. */
function headroomCapacityChart(frame: ReportFrame, headroom: PolicyRun, scenario: RunOutput['scenario']): ChartSpec {
  const { minutes } = frame;
  const events = eventsOf(headroom.log, Object.fromEntries(scenario.capacityGroups.map((g) => [g.name, g.initial])));
  const instances = at(frame, headroom, (p) => p.instances);
  const groups = scenario.capacityGroups.map((g, k): SeriesSpec => ({
    label: `${g.name} (${g.spot ? 'Spot' : 'On-Demand'}) desired`,
    color: GROUP_COLORS[k % GROUP_COLORS.length] as string,
    y: stepAt(events.desired[g.name] ?? [], minutes, g.initial),
    stepped: true,
    width: 1.4,
    dash: g.spot ? [6, 3] : [],
  }));
  const weighted = scenario.capacityGroups.some((g) => (g as { instanceTypes?: unknown[] }).instanceTypes !== undefined);
  const capacityNote = weighted
    ? 'Group lines are Auto Scaling desired capacity in weighted units (mixed-instances groups count weights, not instances).'
    : 'Group lines are Auto Scaling desired capacity (instances; weighted units for mixed-instances groups).';
  return {
    id: 'headroom-capacity',
    title: 'Headroom: capacity vs demand, per group, with its actions',
    note: `${capacityNote} Triangles: scale-out (up) and scale-in (down); diamonds: instances set DRAINING. Red lines: Spot warnings (solid: a storm).`,
    xLabel: 'time (h:mm)',
    yLabel: 'instances',
    xKind: 'minutes',
    x: minutes,
    series: [
      { label: 'demand (lower bound)', color: '#8250df', y: at(frame, headroom, (p) => p.demand), fill: true, width: 1 },
      { label: 'instances paid', color: COLORS.headroom, y: instances, width: 2.2 },
      { label: 'ACTIVE', color: '#24292f', y: at(frame, headroom, (p) => p.active), dash: [3, 3], width: 1 },
      ...groups,
      ...actionMarkers(minutes, events.markers, instances),
    ],
    marks: spotMarks(headroom),
    height: 320,
  };
}

/** Each peer's instances and cumulative cost minus Headroom's; none when Headroom runs alone. */
function differenceCharts(frame: ReportFrame, headroom: PolicyRun): ChartSpec[] {
  const { minutes } = frame;
  const peers = frame.runs.filter((r) => r !== headroom);
  if (peers.length === 0) return [];
  const diff = (f: (p: Sample) => number) => (r: PolicyRun): SeriesSpec => {
    const base = at(frame, headroom, f);
    const mine = at(frame, r, f);
    return { label: r.result.policy, color: COLORS[r.result.policy], y: mine.map((v, k) => (v === null || base[k] === null ? null : v - (base[k] as number))) };
  };
  const zero: SeriesSpec = { label: 'Headroom (0)', color: COLORS.headroom, y: minutes.map(() => 0), width: 1 };
  return [
    { id: 'diff-instances', title: 'Difference vs Headroom: instances paid (peer − Headroom)', note: 'Above zero: the peer runs more instances than Headroom at that time.', xLabel: 'time (h:mm)', yLabel: 'instances', xKind: 'minutes', x: minutes, series: [zero, ...peers.map(diff((p) => p.instances))], marks: spotMarks(headroom) },
    { id: 'diff-cost', title: 'Difference vs Headroom: cumulative cost (peer − Headroom)', note: 'The gap at the right edge is the difference in the table; its slope shows when it builds up.', xLabel: 'time (h:mm)', yLabel: 'USD', xKind: 'minutes', x: minutes, series: [zero, ...peers.map(diff((p) => p.cost))], marks: spotMarks(headroom) },
  ];
}

/** Headroom's shortage and excess thresholds as flat lines; none when the scenario's env is invalid. */
function thresholdSeries(scenario: RunOutput['scenario'], minutes: readonly number[]): SeriesSpec[] {
  try {
    const c = headroomConfig(scenario);
    return [
      { label: `shortage threshold (${c.shortageThreshold})`, color: '#cf222e', y: minutes.map(() => c.shortageThreshold), dash: [8, 4], width: 1.2 },
      { label: `excess threshold (${c.excessThreshold})`, color: '#9a6700', y: minutes.map(() => c.excessThreshold), dash: [8, 4], width: 1.2 },
    ];
  } catch {
    // An invalid env fails the run before any report; nothing to draw then.
    return [];
  }
}

/** One small instances-vs-demand chart per peer of Headroom. */
function peerCapacityCharts(frame: ReportFrame): ChartSpec[] {
  return frame.runs
    .filter((r) => r !== frame.headroom)
    .map((r): ChartSpec => ({
      id: `capacity-${r.result.policy}`,
      title: `${r.result.policy}: instances vs demand`,
      xLabel: 'time (h:mm)',
      yLabel: 'instances',
      xKind: 'minutes',
      x: frame.minutes,
      series: [
        { label: 'demand', color: '#8250df', y: at(frame, r, (p) => p.demand), fill: true, width: 1 },
        { label: 'instances paid', color: COLORS[r.result.policy], y: at(frame, r, (p) => p.instances), width: 2 },
        { label: 'ACTIVE', color: '#24292f', y: at(frame, r, (p) => p.active), dash: [3, 3], width: 1 },
      ],
      marks: spotMarks(r),
      height: 220,
    }));
}

/**
 * Every chart in page order, and the peers' small charts apart (the page lays those out in a grid).
 * Headroom's own charts are there only when Headroom was compared.
 */
export function reportCharts(output: RunOutput): { charts: ChartSpec[]; peers: ChartSpec[] } {
  const s = output.scenario;
  const frame = frameOf(output.runs);
  const charts: ChartSpec[] = frame.headroom !== undefined ? [headroomCapacityChart(frame, frame.headroom, s), ...differenceCharts(frame, frame.headroom)] : [];
  charts.push(overlay(frame, 'headroom', `Headroom: reference tasks (${output.referenceShape.cpu} CPU / ${output.referenceShape.memory} MiB) that still fit`, 'tasks', (p) => p.headroom, thresholdSeries(s, frame.minutes), 'Dashed: Headroom scales out below the shortage threshold and considers scale-in above the excess threshold.'));
  charts.push(overlay(frame, 'pending', 'Pending tasks (waiting for a place)', 'tasks', (p) => p.pending));
  charts.push(overlay(frame, 'lost', 'Tasks lost (cumulative)', 'tasks', (p) => p.tasksLost));
  charts.push(overlay(frame, 'cost', 'Cost (cumulative)', 'USD', (p) => p.cost));
  const peers = peerCapacityCharts(frame);
  return { charts: [...charts, ...peers], peers };
}
