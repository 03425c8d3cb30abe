/**
 * Runs tune jobs on a pool of `worker_threads` (one per core the machine offers, at most one per
 * job) or in this thread when one worker is asked for. Workers load the TypeScript sources
 * through tsx's CommonJS register hook, the same loader `npm run tune` starts with, so no build
 * step is needed. Results come back in job order whatever order the workers finish in.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { runJob, type TuneJob, type TuneJobResult } from './tune-job';

export interface PoolOptions {
  readonly workers: number;
  /** Overall progress, 0–1 (jobs done plus the running jobs' fractions). */
  readonly onProgress?: (fraction: number) => void;
}

export function defaultWorkers(jobs: number): number {
  return Math.max(1, Math.min(availableParallelism(), jobs));
}

const BOOTSTRAP = `
const { register } = require(${JSON.stringify(require.resolve('tsx/cjs/api'))});
register();
require(${JSON.stringify(join(__dirname, 'tune-worker.ts'))});
`;

type Message = { kind: 'progress'; id: number; fraction: number } | ({ kind: 'done' } & TuneJobResult) | { kind: 'error'; id: number; message: string };

export async function runJobs(jobs: readonly TuneJob[], options: PoolOptions): Promise<TuneJobResult[]> {
  const fractions = new Map<number, number>();
  const report = (id: number, f: number): void => {
    fractions.set(id, f);
    if (options.onProgress !== undefined) options.onProgress([...fractions.values()].reduce((a, b) => a + b, 0) / Math.max(1, jobs.length));
  };
  const results = new Map<number, TuneJobResult>();
  if (options.workers <= 1) {
    for (const job of jobs) {
      results.set(job.id, await runJob(job, (f) => report(job.id, f)));
      report(job.id, 1);
    }
    return jobs.map((j) => results.get(j.id) as TuneJobResult);
  }
  const queue = [...jobs];
  const workers = Array.from({ length: Math.min(options.workers, jobs.length) }, () => new Worker(BOOTSTRAP, { eval: true }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = (): void => {
              const job = queue.shift();
              if (job === undefined) return resolve();
              worker.postMessage(job);
            };
            worker.on('message', (m: Message) => {
              if (m.kind === 'progress') report(m.id, m.fraction);
              else if (m.kind === 'error') reject(new Error(`tune job ${m.id} failed in a worker: ${m.message}`));
              else {
                results.set(m.id, { id: m.id, results: m.results });
                report(m.id, 1);
                next();
              }
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`a tune worker exited with code ${code}`));
            });
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return jobs.map((j) => results.get(j.id) as TuneJobResult);
}
