/** `npm run record` arguments: every problem at once, nothing read before they are right. */
import { main, parseRecordArgs } from '../../../cli/record';

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
