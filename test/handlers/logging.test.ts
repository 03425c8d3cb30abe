/** Log lines: bounded, our own fields kept, every dropped record named once. */
import { handleDrain } from '../../handlers/drain';
import { handleInterruption } from '../../handlers/interruption';
import { handleLifecycle } from '../../handlers/lifecycle';
import { jsonLogger } from '../../handlers/aws/ports';
import { FakeAws, context } from './fake-aws';
import { sqs } from './events';

function capture(): { lines: Array<Record<string, unknown>>; raw: string[]; log: ReturnType<typeof jsonLogger> } {
  const raw: string[] = [];
  const log = jsonLogger({ handler: 'test' }, (line) => raw.push(line));
  return {
    raw,
    log,
    get lines() {
      return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

describe('the JSON logger', () => {
  it("a caller's fields never overwrite level, message or the logger's own fields", () => {
    const c = capture();
    c.log.warn('real message', { level: 'debug', message: 'forged', handler: 'evil', instanceId: 'i-1' });
    expect(c.lines[0]).toMatchObject({ level: 'warn', message: 'real message', handler: 'test', instanceId: 'i-1' });
  });

  it('event text is bounded: a long string is cut, a huge array is shortened, the line stays small', () => {
    const c = capture();
    c.log.info('event dropped', { reason: `unknown event ${'x'.repeat(100_000)}`, ids: Array.from({ length: 10_000 }, (_, k) => `m-${k}`) });
    expect(c.raw[0]?.length).toBeLessThan(8_000);
    const line = c.lines[0] ?? {};
    expect(String(line.reason)).toMatch(/^unknown event x+… \(\d+ more characters\)$/);
    expect((line.ids as unknown[]).length).toBeLessThanOrEqual(51);
  });
});

describe('every dropped record names its messageId, once', () => {
  const bodies = ['not json', JSON.stringify({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} }), JSON.stringify({ hello: 'world' })];

  it.each([
    ['interruption', (e: ReturnType<typeof sqs>, ctx: ReturnType<typeof context>) => handleInterruption(e, ctx)],
    ['lifecycle', (e: ReturnType<typeof sqs>, ctx: ReturnType<typeof context>) => handleLifecycle(e, ctx)],
    ['drain', (e: ReturnType<typeof sqs>, ctx: ReturnType<typeof context>) => handleDrain(e, ctx)],
  ])('%s handler', async (_name, run) => {
    new FakeAws().group('demo-spot').group('demo-ondemand');
    const ctx = context();
    await run(sqs(...bodies), ctx);
    const named = ctx.lines.map((l) => l.data?.messageId).filter((m) => m !== undefined);
    expect(named.sort()).toEqual(['msg-1', 'msg-2', 'msg-3']);
  });
});
