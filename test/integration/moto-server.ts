/**
 * Starting and stopping `moto_server` for the integration suite. Used by the global setup and
 * teardown only; tests read the endpoint from `AWS_ENDPOINT_URL` (see `moto.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export const INSTALL_HINT = 'pip install "moto[server]"';

/** The `moto_server` executable on PATH, if any. */
export function findMotoServer(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'moto_server');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the listener is closed before moto binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Poll until the server answers its management API, or fail after `timeoutMs`. */
async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode} before answering`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms (${last})`);
}

export interface RunningMoto {
  readonly endpoint: string;
  readonly child: ChildProcess;
}

export async function startMoto(executable: string): Promise<RunningMoto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilUp(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}\n${stderr}`);
  }
  await setTaskProgression(endpoint, 'manual');
  return { endpoint, child };
}

/**
 * How moto moves ECS tasks through their states. `manual` (the suite's setting): a task keeps its
 * status until a test changes it. By default moto advances a task one state (RUNNING →
 * DEACTIVATING → …) on every DescribeTasks, which real ECS does not do (moto-gaps.md).
 */
export async function setTaskProgression(endpoint: string, progression: 'manual' | 'immediate'): Promise<void> {
  const transition = progression === 'manual' ? { progression: 'manual', times: 1_000_000 } : { progression: 'immediate' };
  const res = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, { method: 'POST', body: JSON.stringify({ model_name: 'ecs::task', transition }) });
  if (!res.ok) throw new Error(`moto state manager refused the ${progression} task transition: HTTP ${res.status}`);
}

/**
 * Forget every resource of every service (files run one at a time, so no other file is using
 * them), keeping the suite's task progression.
 */
export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
  await setTaskProgression(endpoint, 'manual');
}

export async function stopMoto(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
