/**
 * `npm run bench [-- --json] [-- --instances N]`: tick cost and packing quality (not part of `npm test`).
 *
 * Reads: three real ticks (`handleTick` with the real adapters; ECS through the real SDK client
 * against an in-process endpoint serving the cluster's pages, see `tick-read.ts`) on a synthetic
 * cluster of N instances (default 5,000), 10 tasks per instance, 200 services and 3 capacity groups:
 * `apiCallsPerTick` (a warm steady tick, no scale-in candidate), `apiCallsPerTickScaleIn` (warm,
 * scale-in considered), `readMs` (the steady tick's reads, 10 % of the instances changed since the
 * previous tick) beside `parseMs` (`JSON.parse` of the bodies that tick received, for scale), peak
 * heap. Target: apiCallsPerTick ≤ 2·⌈I/100⌉ + ⌈S/10⌉ + G + 4; read time and heap are figures.
 *
 * Decision cost: one full `decide` (headroom + scale-out packing + scale-in simulation) on the same
 * cluster against `JSON.parse` of every DescribeContainerInstances + DescribeTasks page describing
 * it (`fullParseMs`, the floor of a tick that reads everything). Target: decide ÷ fullParse ≤ 1.
 * Each time is the median of several runs after a warm-up, so ratios are stable on a noisy machine.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../core/config';
import { decide } from '../core/decide';
import { loadOpenbPods, packingQuality } from './openb-packing';
import { buildSyntheticCluster } from './synthetic-cluster';
import { READ_CHURN_PERCENT, measureReads } from './tick-read';

const json = process.argv.includes('--json');
const log = (line: string): void => {
  if (!json) console.log(line);
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(fn: () => unknown, runs: number): number {
  fn();
  const samples: number[] = [];
  for (let k = 0; k < runs; k++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

const flag = process.argv.indexOf('--instances');
const instancesArg = flag >= 0 ? Number(process.argv[flag + 1]) : 5000;
const size = { instances: instancesArg, tasks: instancesArg * 10, services: 200, seed: 42 };
/**
 * The decision cost, measured first; only its numbers are kept, so the cluster it builds is garbage
 * before the reads are measured (their time includes the collector's, which traces what is live).
 */
function measureDecision(): { tasks: number; groups: number; decideMs: number; fullParseMs: number; parseBytes: number; ratio: number; schedulableTasks: number; scaleOutInstances: number; scaleInInstances: number } {
  const cluster = buildSyntheticCluster(size);
  const now = Date.parse('2026-11-21T12:00:00Z');
  const history = Array.from({ length: 15 }, (_, k) => ({ at: now - (k + 1) * 60_000, value: 1_000_000 }));
  const input = {
    now,
    instances: cluster.instances,
    groups: cluster.groups,
    services: cluster.services,
    history,
    // The documented defaults, exactly as a deployed handler loads them.
    settings: loadConfig({ CLUSTER_NAME: 'bench', ASG_NAMES: cluster.groups.map((g) => g.name).join(',') }),
  };
  const decision = decide(input);
  const parseBytes = [...cluster.containerInstancePages, ...cluster.taskPages].reduce((n, p) => n + p.length, 0);
  const runs = 7;
  const decideMs = time(() => decide(input), runs);
  const fullParseMs = time(() => {
    for (const p of cluster.containerInstancePages) JSON.parse(p);
    for (const p of cluster.taskPages) JSON.parse(p);
  }, runs);
  const ratio = decideMs / fullParseMs;
  const scaleOutInstances = decision.scaleOut.reduce((n, a) => n + a.count, 0);
  log(`decision cost: ${size.instances} instances, ${cluster.taskCount} tasks, ${size.services} services, ${cluster.groups.length} groups`);
  log(`  decide (headroom ${decision.summary.schedulableTasks}, scale-out ${scaleOutInstances}, scale-in ${decision.scaleIn.length}): ${decideMs.toFixed(1)} ms (median of ${runs})`);
  log(`  JSON.parse of ${cluster.containerInstancePages.length + cluster.taskPages.length} Describe pages (${(parseBytes / 1e6).toFixed(1)} MB): ${fullParseMs.toFixed(1)} ms`);
  log(`  ratio decide ÷ full parse = ${ratio.toFixed(3)} (target ≤ 1)`);
  return { tasks: cluster.taskCount, groups: cluster.groups.length, decideMs, fullParseMs, parseBytes, ratio, schedulableTasks: decision.summary.schedulableTasks, scaleOutInstances, scaleInInstances: decision.scaleIn.length };
}

async function main(): Promise<void> {
  const d = measureDecision();
  const { decideMs, fullParseMs, parseBytes, ratio } = d;
  const reads = await measureReads(size);
  const callBound = 2 * Math.ceil(size.instances / 100) + Math.ceil(size.services / 10) + d.groups + 4;
  const peakHeapMB = Math.max(reads.cold.peakHeapMB, reads.steady.peakHeapMB, reads.scaleInFirst.peakHeapMB, reads.scaleIn.peakHeapMB);
  log(`tick reads (real adapters, in-process ECS endpoint):`);
  for (const [name, m] of [['cold', reads.cold], ['steady', reads.steady], [`storm of ${reads.storm.warnings} warnings`, reads.storm], ['scale-in, first', reads.scaleInFirst], ['scale-in, warm', reads.scaleIn]] as const) {
    log(`  ${name}: ${m.calls} calls ${JSON.stringify(m.byOperation)}, ${m.ms} ms, peak heap +${m.peakHeapMB} MB`);
  }
  log(`  steady: ${reads.steady.calls} calls (bound ${callBound}); reads ${reads.readMs} ms with ${READ_CHURN_PERCENT} % of the instances changed (read function ${reads.readPhaseMs} ms) vs JSON.parse of its ${(reads.readBytes / 1e6).toFixed(1)} MB ${reads.parseMs} ms (ratio ${(reads.readMs / reads.parseMs).toFixed(2)})`);

  const tracePath = resolve(__dirname, '..', '..', 'shared', 'traces', 'openb_pod_list_default.csv');
  const pods = loadOpenbPods(tracePath);
  let quality: ReturnType<typeof packingQuality> | undefined;
  if (pods === undefined) {
    log('packing quality: skipped (../shared/traces/openb_pod_list_default.csv not found)');
  } else {
    quality = packingQuality(pods, { points: 200, scale: 1 / 8, from: 9_900_000, to: 12_902_960, instance: { cpu: 4096, memory: 15576 } });
    log(`packing quality: openb trace scaled 1/8 onto 4096 CPU / 15576 MiB instances, ${quality.points} points, ${quality.tasksPacked} task-points (${quality.oversized} oversized skipped)`);
    log(`  FFD instances ÷ lower bound: mean ${quality.meanRatio.toFixed(3)}, max ${quality.maxRatio.toFixed(3)}`);
  }

  if (json) {
    console.log(
      JSON.stringify({
        instances: size.instances,
        tasks: d.tasks,
        services: size.services,
        groups: d.groups,
        apiCallsPerTick: reads.steady.calls,
        apiCallsPerTickScaleIn: reads.scaleIn.calls,
        apiCallBound: callBound,
        apiCallsColdTick: reads.cold.calls,
        stormWarnings: reads.storm.warnings,
        apiCallsStorm: reads.storm.calls,
        stormMs: reads.storm.ms,
        readMs: reads.readMs,
        readPhaseMs: reads.readPhaseMs,
        parseMs: reads.parseMs,
        readBytes: reads.readBytes,
        readParseRatio: Number((reads.readMs / reads.parseMs).toFixed(3)),
        readChurnPercent: READ_CHURN_PERCENT,
        peakHeapMB,
        peakHeapMBByTick: { cold: reads.cold.peakHeapMB, steady: reads.steady.peakHeapMB, scaleInFirst: reads.scaleInFirst.peakHeapMB, scaleIn: reads.scaleIn.peakHeapMB },
        decideMs: Number(decideMs.toFixed(2)),
        fullParseMs: Number(fullParseMs.toFixed(2)),
        parseBytes,
        ratio: Number(ratio.toFixed(4)),
        schedulableTasks: d.schedulableTasks,
        scaleOutInstances: d.scaleOutInstances,
        scaleInInstances: d.scaleInInstances,
        packingMeanRatio: quality === undefined ? null : Number(quality.meanRatio.toFixed(4)),
        packingMaxRatio: quality === undefined ? null : Number(quality.maxRatio.toFixed(4)),
        packingPoints: quality?.points ?? 0,
      }),
    );
  }
}

void main();
