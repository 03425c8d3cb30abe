/**
 * Worker thread body for sim/tune/tune-pool.ts: runs the jobs it is sent, one at a time, and posts
 * progress and results back. Loaded through tsx's CommonJS hook (see the pool), so it runs from a
 * fresh clone with no build step.
 */
import { parentPort } from 'node:worker_threads';
import { runJob, type TuneJob } from './tune-job';

const port = parentPort;
if (port === null) throw new Error('sim/tune/tune-worker.ts runs only as a worker thread');
port.on('message', (job: TuneJob) => {
  runJob(job, (fraction) => port.postMessage({ kind: 'progress', id: job.id, fraction })).then(
    (result) => port.postMessage({ kind: 'done', ...result }),
    (error: unknown) => port.postMessage({ kind: 'error', id: job.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
