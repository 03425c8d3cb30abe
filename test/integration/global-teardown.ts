/** Stops the `moto_server` the global setup started (by its own child handle, nothing else). */
import type { ChildProcess } from 'node:child_process';
import { stopMoto } from './moto-server';

export default async function globalTeardown(): Promise<void> {
  const child = (globalThis as { __moto?: ChildProcess }).__moto;
  if (child !== undefined) await stopMoto(child);
}
