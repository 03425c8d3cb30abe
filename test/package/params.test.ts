/**
 * Stack parameters are checked at package time by the functions' own `loadConfig`: every problem
 * at once, named as the user typed the parameter; unknown parameters are errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../core/config';
import { lookAlike } from '../../core/config-typos';
import { root, serverless } from './serverless';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkParams, paramNames } = require('../../deploy/validate-params.cjs') as {
  checkParams: (input: Record<string, unknown>) => string[];
  paramNames: (yml: string) => Record<string, string>;
};

const yml = readFileSync(join(root, 'serverless.yml'), 'utf8');
const names = paramNames(yml);
const KNOWN = ['cluster', 'asgNames', 'shortageThreshold', 'excessThreshold', 'hookHeartbeatSeconds', 'drainCheckSeconds', 'hookName', 'tickSchedule'];
const BASE = { CLUSTER_NAME: 'c', ASG_NAMES: 'g', SHORTAGE_THRESHOLD: '2', EXCESS_THRESHOLD: '10', HOOK_HEARTBEAT_SECONDS: '300', DRAIN_CHECK_SECONDS: '30' };

function check(cli: string[], env: Record<string, string> = {}, stack: Record<string, string> = {}): string[] {
  return checkParams({ cliParams: cli, known: KNOWN, serverlessYml: yml, environment: { ...BASE, ...env, DRAIN_QUEUE_URL: { Ref: 'DrainQueue' } }, stackParams: { hookName: '', tickSchedule: 'rate(1 minute)', ...stack }, loadConfig, lookAlike });
}

describe('checkParams', () => {
  it('maps every environment variable of serverless.yml that is one parameter', () => {
    expect(names).toMatchObject({ SHORTAGE_THRESHOLD: 'shortageThreshold', HOOK_HEARTBEAT_SECONDS: 'hookHeartbeatSeconds', CLUSTER_NAME: 'cluster', ASG_NAMES: 'asgNames' });
  });

  it('accepts valid parameters', () => {
    expect(check(['cluster=c', 'shortageThreshold=3'], { SHORTAGE_THRESHOLD: '3' })).toEqual([]);
    expect(check([], {}, { tickMemory: '2048' })).toEqual([]);
  });

  it.each([
    ['a value that is not a number', ['shortageThreshold=abc'], { SHORTAGE_THRESHOLD: 'abc' }, {}, [/^shortageThreshold: expected a whole number \(got "abc"\)$/]],
    ['a heartbeat below the Auto Scaling minimum', ['hookHeartbeatSeconds=10'], { HOOK_HEARTBEAT_SECONDS: '10' }, {}, [/^hookHeartbeatSeconds: must be at least 30/]],
    ['a cross-field rule, both names translated', ['excessThreshold=1'], { EXCESS_THRESHOLD: '1' }, {}, [/^excessThreshold: must be greater than shortageThreshold/]],
    ['a misspelt parameter, with a suggestion', ['excesThreshold=5'], {}, {}, [/^excesThreshold: unknown parameter \(did you mean excessThreshold\?\)/]],
    // The functions' typo rule (core/config-typos.ts): case and underscores, and a prefix of six or more.
    ['a parameter in the environment variable spelling, with a suggestion', ['SHORTAGE_THRESHOLD=3'], {}, {}, [/^SHORTAGE_THRESHOLD: unknown parameter \(did you mean shortageThreshold\?\)/]],
    ['a parameter cut short, with a suggestion', ['hookHeartbeat=300'], {}, {}, [/^hookHeartbeat: unknown parameter \(did you mean hookHeartbeatSeconds\?\)/]],
    ['an unknown parameter like none of ours, without one', ['nope=1'], {}, {}, [/^nope: unknown parameter; known: /]],
    ['a bad schedule', [], {}, { tickSchedule: 'every minute' }, [/^tickSchedule: expected rate/]],
    ['a bad hook name', [], {}, { hookName: 'my hook' }, [/^hookName: not a valid lifecycle hook name/]],
    ['a missing cluster, with the flag to pass', [], { CLUSTER_NAME: '' }, {}, [/^cluster: required .*: pass --param="cluster=my-cluster"$/]],
    ['empty group names, with the flag to pass', [], { ASG_NAMES: ' , ' }, {}, [/^asgNames: required .*: pass --param="asgNames=/]],
    ['a tick memory that is not a number', [], {}, { tickMemory: 'lots' }, [/^tickMemory: expected a whole number of MB from 128 to 10240 \(got "lots"\)$/]],
    ['a tick memory above the Lambda maximum', [], {}, { tickMemory: '20000' }, [/^tickMemory: expected a whole number of MB/]],
    ['every problem at once', ['shortageThreshold=abc', 'hookHeartbeatSeconds=10', 'nope=1'], { SHORTAGE_THRESHOLD: 'abc', HOOK_HEARTBEAT_SECONDS: '10' }, {}, [/^nope: unknown/, /^shortageThreshold:/, /^hookHeartbeatSeconds:/]],
  ])('reports %s', (_rule, cli, env, stack, expected) => {
    const problems = check(cli, env, stack);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((re, k) => expect(problems[k]).toMatch(re));
  });
});

describe('serverless package with bad parameters', () => {
  it('fails and lists every problem with the names the user typed', () => {
    const r = serverless(['package', '--package', join(root, '.serverless-should-not-exist'), '--param=cluster=c', '--param=asgNames=g', '--param=shortageThreshold=abc', '--param=hookHeartbeatSeconds=10', '--param=excesThreshold=3']);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('Invalid Headroom parameters (3)');
    expect(r.output).toContain('shortageThreshold: expected a whole number (got "abc")');
    expect(r.output).toContain('hookHeartbeatSeconds: must be at least 30 (got "10")');
    expect(r.output).toContain('excesThreshold: unknown parameter (did you mean excessThreshold?)');
  }, 90_000);

  it('refuses a missing cluster and group names, and names tickMemory and tickSchedule (not the stack properties the framework would name)', () => {
    const r = serverless(['package', '--package', join(root, '.serverless-should-not-exist'), '--param=tickMemory=abc', '--param=tickSchedule=every minute']);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('Invalid Headroom parameters (4)');
    expect(r.output).toContain('cluster: required (the ECS cluster name): pass --param="cluster=my-cluster"');
    expect(r.output).toMatch(/asgNames: required .*: pass --param="asgNames=/);
    expect(r.output).toContain('tickMemory: expected a whole number of MB from 128 to 10240 (got "abc")');
    expect(r.output).toContain('tickSchedule: expected rate(N minutes) or cron(...) (got "every minute")');
    expect(r.output).not.toContain('functions.tick');
  }, 90_000);
});
