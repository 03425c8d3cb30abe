/**
 * Local runs never act: every sample event of events/README.md runs offline on the demo snapshot
 * (what `serverless invoke local` does) in dry run, and IS_LOCAL alone forces dry run too.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleDrain } from '../../handlers/drain';
import { handleInterruption } from '../../handlers/interruption';
import { handleLifecycle } from '../../handlers/lifecycle';
import { lambdaEntry, type HandlerFunction } from '../../handlers/runtime';
import { handleTick } from '../../handlers/tick';
import type { Logger, Ports } from '../../handlers/app/ports';
import { serverless } from '../package/serverless';
import { sample } from './events';

const SNAPSHOT = join(__dirname, '..', '..', 'events', 'cluster', 'demo.json');
const ENV = { CLUSTER_NAME: 'demo', ASG_NAMES: 'demo-spot,demo-ondemand', DRAIN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/q', DRY_RUN: 'false', HEADROOM_SNAPSHOT: SNAPSHOT };

function logger(lines: Array<{ message: string; data?: Record<string, unknown> }>): Logger {
  const push = (message: string, data?: Record<string, unknown>): void => void lines.push({ message, ...(data !== undefined ? { data } : {}) });
  return { info: push, warn: push, error: push };
}

/** With a snapshot the AWS ports are never built. */
const noAws = (): Ports => {
  throw new Error('AWS ports built during a snapshot run');
};

const HANDLERS = { tick: handleTick, interruption: handleInterruption, lifecycle: handleLifecycle, drain: handleDrain } as const;
const samples = Object.keys(HANDLERS).flatMap((dir) => readdirSync(join(__dirname, '..', '..', 'events', dir)).map((file) => [dir as keyof typeof HANDLERS, `${dir}/${file}`] as const));

describe('offline runs on the demo snapshot', () => {
  it.each(samples)('%s handles %s without acting', async (name, file) => {
    const lines: Array<{ message: string; data?: Record<string, unknown> }> = [];
    const entry = lambdaEntry(HANDLERS[name] as unknown as HandlerFunction<unknown, unknown>, ENV, { name, requireDrainQueue: name !== 'tick', log: logger(lines), ports: noAws });
    await entry(sample(file));
    expect(lines.find((l) => l.message === 'local invocation: DRY_RUN forced to true')).toBeDefined();
    // The snapshot ports log every write as "would …": in dry run none may happen.
    expect(lines.filter((l) => l.message.startsWith('snapshot: would'))).toEqual([]);
  });

  it('IS_LOCAL without a snapshot forces dry run on whatever ports there are', async () => {
    const lines: Array<{ message: string; data?: Record<string, unknown> }> = [];
    let seenDryRun: boolean | undefined;
    const ports = (): Ports => ({ log: logger(lines) }) as unknown as Ports;
    const entry = lambdaEntry(async (_e: unknown, ctx) => (seenDryRun = ctx.config.dryRun), { ...ENV, HEADROOM_SNAPSHOT: '', IS_LOCAL: 'true' }, { name: 't', ports, log: logger(lines) });
    await entry({});
    expect(seenDryRun).toBe(true);
  });

  it('a malformed snapshot is refused with the path of every bad field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-snapshot-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ instances: [{ id: 'i-1' }], services: [], groups: 'none' }));
    const entry = lambdaEntry(handleTick as unknown as HandlerFunction<unknown, unknown>, { ...ENV, HEADROOM_SNAPSHOT: file }, { name: 'tick', log: logger([]), ports: noAws });
    await expect(entry({})).rejects.toMatchObject({ problems: expect.arrayContaining([expect.stringMatching(/instances\.0\.status/), expect.stringMatching(/groups/)]) });
    rmSync(dir, { recursive: true, force: true });
  });

  it('a Lambda run (no IS_LOCAL, no snapshot) keeps DRY_RUN=false', async () => {
    let seenDryRun: boolean | undefined;
    const entry = lambdaEntry(async (_e: unknown, ctx) => (seenDryRun = ctx.config.dryRun), { ...ENV, HEADROOM_SNAPSHOT: '' }, { name: 't', ports: () => ({}) as Ports, log: logger([]) });
    await entry({});
    expect(seenDryRun).toBe(false);
  });

  it('`serverless invoke local` runs the tick offline, without credentials, in dry run', () => {
    const r = serverless(['invoke', 'local', '-f', 'tick', '-p', 'events/tick/scheduled.json', '--param=cluster=demo', '--param=asgNames=demo-spot,demo-ondemand']);
    expect(r.output).toContain('"status": "planned"');
    expect(r.output).toContain('dry run: tick plan, nothing changed');
    expect(r.status).toBe(0);
  }, 90_000);

  it.each([
    ['lifecycle', 'events/lifecycle/terminate.json'],
    ['drain', 'events/drain/check.sqs.json'],
  ])('`serverless invoke local -f %s` acts on its sample: the samples name the hook the stack gives cluster demo', (fn, event) => {
    const r = serverless(['invoke', 'local', '-f', fn, '-p', event, '--param=cluster=demo', '--param=asgNames=demo-spot,demo-ondemand']);
    expect(r.status).toBe(0);
    expect(r.output).toContain('"dropped": []');
    expect(r.output).toContain('would recheck');
    expect(r.output).not.toMatch(/not the configured hook/);
  }, 90_000);
});
