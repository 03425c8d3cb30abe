/**
 * One stack per cluster: two clusters packaged side by side share no stack, function, role, rule,
 * log group, dashboard or lifecycle hook name; and a cluster name too long or not allowed in every
 * AWS name is shortened with a hash, so two such clusters still differ.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packageInto } from './serverless';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prefixFor } = require('../../deploy/stack-resources.cjs') as { prefixFor: (cluster: string) => string };

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** Every physical name a stack gives its resources (properties AWS requires unique per account/region). */
const NAME_PROPERTIES = ['FunctionName', 'RoleName', 'Name', 'LifecycleHookName', 'LogGroupName', 'DashboardName'];

function namesOf(dir: string): { stack: string; names: string[]; functions: string[]; hooks: string[] } {
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  const state = JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8')) as { service: { provider: { stackName: string } } };
  const names: string[] = [];
  const functions: string[] = [];
  const hooks: string[] = [];
  for (const r of Object.values(template.Resources)) {
    for (const p of NAME_PROPERTIES) {
      const v = r.Properties?.[p];
      // Names are plain strings or a Fn::Sub of one; references to other resources are not names.
      const name = typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)['Fn::Sub'] === 'string' ? ((v as Record<string, string>)['Fn::Sub'] as string) : undefined;
      if (name === undefined || (p === 'FunctionName' && r.Type !== 'AWS::Lambda::Function')) continue;
      names.push(name);
      if (r.Type === 'AWS::Lambda::Function') functions.push(name);
      if (r.Type === 'AWS::AutoScaling::LifecycleHook') hooks.push(name);
    }
  }
  return { stack: state.service.provider.stackName, names, functions, hooks };
}

describe('one stack per cluster', () => {
  const dirs: string[] = [];
  let a: ReturnType<typeof namesOf>;
  let b: ReturnType<typeof namesOf>;
  beforeAll(() => {
    // The same groups on purpose: even then nothing is shared.
    dirs.push(packageInto(['cluster=alpha', 'asgNames=spot,ondemand']), packageInto(['cluster=beta', 'asgNames=spot,ondemand']));
    [a, b] = dirs.map(namesOf) as [ReturnType<typeof namesOf>, ReturnType<typeof namesOf>];
  }, 180_000);
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('names the stack after the cluster', () => {
    expect(a.stack).toBe('headroom-alpha');
    expect(b.stack).toBe('headroom-beta');
  });

  it('names every function and hook after the cluster', () => {
    expect(a.functions.sort()).toEqual(['headroom-alpha-drain', 'headroom-alpha-interruption', 'headroom-alpha-lifecycle', 'headroom-alpha-tick']);
    expect(a.hooks).toEqual(['headroom-alpha', 'headroom-alpha']);
    expect(b.hooks).toEqual(['headroom-beta', 'headroom-beta']);
  });

  it('shares no physical name between the two stacks', () => {
    expect(a.names.length).toBeGreaterThanOrEqual(12);
    expect(a.names.length).toBe(b.names.length);
    const shared = a.names.filter((n) => b.names.includes(n));
    expect(shared).toEqual([]);
  });
});

describe('prefixFor', () => {
  it.each([
    ['a plain short name is kept', 'prod', 'headroom-prod'],
    ['an underscore (not allowed in stack names) is replaced and hashed', 'my_cluster', /^headroom-my-cluster-[0-9a-f]{8}$/],
    ['a long name is cut and hashed to 40 characters', 'x'.repeat(200), /^headroom-x{22}-[0-9a-f]{8}$/],
  ])('%s', (_rule, cluster, expected) => {
    const p = prefixFor(cluster);
    if (typeof expected === 'string') expect(p).toBe(expected);
    else expect(p).toMatch(expected);
    expect(p.length).toBeLessThanOrEqual(40);
  });

  it('two clusters that differ only where the name was cut or replaced get different prefixes', () => {
    expect(prefixFor('my_cluster')).not.toBe(prefixFor('my-cluster'));
    expect(prefixFor(`${'x'.repeat(100)}a`)).not.toBe(prefixFor(`${'x'.repeat(100)}b`));
  });
});
