/** `npm run record` arguments: every problem at once, nothing read before they are right. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, parseRecordArgs } from '../../../cli/record';
import { RECORD_CALLS } from '../../../cli/record/record-reads';

describe('record arguments', () => {
  it('the documented form parses', () => {
    const r = parseRecordArgs(['--cluster', 'prod', '--asg-names', 'spot, od', '--days', '3', '--price', 'm5.large=0.096', '--out', 'prod.json']);
    expect(r.problems).toEqual([]);
    expect(r.args).toMatchObject({ cluster: 'prod', asgNames: ['spot', 'od'], days: 3, out: 'prod.json' });
    expect([...(r.args?.prices ?? [])]).toEqual([['m5.large', 0.096]]);
    expect(parseRecordArgs(['--cluster', 'c', '--asg-names', 'a', '--out', 'f']).args?.days).toBe(1);
  });

  it('lists every problem, exit 2, and reads nothing', async () => {
    let stderr = '';
    const reads = jest.fn();
    const code = await main(['--asg-names', ' , ', '--days', '30', '--price', 'cheap'], { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: '/', now: () => 0, reads });
    expect(code).toBe(2);
    for (const flag of ['--cluster: required', '--asg-names: required', '--days: expected a whole number from 1 to 14', '--price: expected TYPE=USD', '--out: required']) expect(stderr).toContain(`error: ${flag}`);
    expect(reads).not.toHaveBeenCalled();
  });

  it('an unknown flag is a usage error', async () => {
    let stderr = '';
    expect(await main(['--clsuter', 'x'], { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: '/', now: () => 0 })).toBe(2);
    expect(stderr).toMatch(/clsuter/);
  });
});

describe('docs/recording.md', () => {
  it('its IAM policy lists exactly the calls the record adapter can make', () => {
    const text = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'recording.md'), 'utf8');
    const block = /```json\n([\s\S]*?)\n```/.exec(text)?.[1] ?? '{}';
    const policy = JSON.parse(block) as { Statement: Array<{ Action: string[] }> };
    expect(policy.Statement.flatMap((s) => s.Action).sort()).toEqual([...RECORD_CALLS].sort());
  });
});
