/**
 * `npm run bench [-- --json]`: decision cost and packing quality (not part of `npm test`).
 *
 * Decision cost: one full `decide` (headroom + scale-out packing + scale-in simulation) on a
 * synthetic cluster of 5,000 instances, 50,000 tasks, 200 services and 3 capacity groups, against
 * `JSON.parse` of the DescribeContainerInstances + DescribeTasks pages describing the same cluster,
 * in the same process. Target: decide ÷ parse ≤ 1. Each is the median of several runs after a
 * warm-up, so the ratio is stable on a noisy machine.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../core/config';
import { decide } from '../core/decide';
import { loadOpenbPods, packingQuality } from './openb-packing';
import { buildSyntheticCluster } from './synthetic-cluster';

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

const size = { instances: 5000, tasks: 50_000, services: 200, seed: 42 };
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
const parseMs = time(() => {
  for (const p of cluster.containerInstancePages) JSON.parse(p);
  for (const p of cluster.taskPages) JSON.parse(p);
}, runs);
const ratio = decideMs / parseMs;
log(`decision cost: ${size.instances} instances, ${cluster.taskCount} tasks, ${size.services} services, ${cluster.groups.length} groups`);
log(`  decide (headroom ${decision.summary.schedulableTasks}, scale-out ${decision.scaleOut.reduce((n, a) => n + a.count, 0)}, scale-in ${decision.scaleIn.length}): ${decideMs.toFixed(1)} ms (median of ${runs})`);
log(`  JSON.parse of ${cluster.containerInstancePages.length + cluster.taskPages.length} Describe pages (${(parseBytes / 1e6).toFixed(1)} MB): ${parseMs.toFixed(1)} ms`);
log(`  ratio decide ÷ parse = ${ratio.toFixed(3)} (target ≤ 1)`);

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
      tasks: cluster.taskCount,
      services: size.services,
      groups: cluster.groups.length,
      decideMs: Number(decideMs.toFixed(2)),
      parseMs: Number(parseMs.toFixed(2)),
      parseBytes,
      ratio: Number(ratio.toFixed(4)),
      schedulableTasks: decision.summary.schedulableTasks,
      scaleOutInstances: decision.scaleOut.reduce((n, a) => n + a.count, 0),
      scaleInInstances: decision.scaleIn.length,
      packingMeanRatio: quality === undefined ? null : Number(quality.meanRatio.toFixed(4)),
      packingMaxRatio: quality === undefined ? null : Number(quality.maxRatio.toFixed(4)),
      packingPoints: quality?.points ?? 0,
    }),
  );
}
