/** One chain of drain checks per instance, and telling a dead chain from a live one (core/drain-chain.ts). */
import { DRAIN_CHAIN_ATTRIBUTE, DRAIN_STEP_ATTRIBUTE, chainId, chainStart, doneToken, drainsToRevive, staleReason, stepTime, stepToken, type LeavingMember } from '../../core/drain-chain';
import type { InstanceStatus } from '../../core/cluster';
import { chainSilentSeconds } from '../../core/redelivery';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const SILENT = chainSilentSeconds(30);

describe('chain ids and step tokens', () => {
  it('a chain id records its start, to the second', () => {
    expect(chainStart(chainId(NOW + 400, 'a1b2c3d4'))).toBe(NOW);
  });
  it.each([undefined, '5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d', 'nonsense'])('an id of another form (%s) records no start', (id) => {
    expect(chainStart(id)).toBeUndefined();
  });
  it('a step token records when it was written; the done marker reads as done', () => {
    expect(stepTime(stepToken(NOW, 'ff00ff00'))).toBe(NOW);
    expect(stepTime(doneToken(NOW))).toBe('done');
    expect(stepTime(undefined)).toBeUndefined();
  });
});

describe('stale checks', () => {
  it.each<[string, { chain?: string; step?: string }, { chain?: string; step?: string }, RegExp | undefined]>([
    ['same chain, same step: live', { chain: 'c1', step: 's1' }, { chain: 'c1', step: 's1' }, undefined],
    ['another chain: stale', { chain: 'c1', step: 's1' }, { chain: 'c2', step: 's1' }, /chain c1; the instance follows c2/],
    ['a duplicate delivery whose copy lost the race: stale', { chain: 'c1', step: 's1' }, { chain: 'c1', step: 's2' }, /duplicate drain check/],
    ['a check after the drain ended: stale', { chain: 'c1', step: 's1' }, { chain: 'c1', step: 'done-1767268800' }, /after its drain ended/],
    ['an older check without a step: judged by the chain only', { chain: 'c1' }, { chain: 'c1', step: 's9' }, undefined],
    ['an instance without marks: never stale', { chain: 'c1', step: 's1' }, {}, undefined],
  ])('%s', (_rule, check, instance, reason) => {
    const r = staleReason('i-1', check, instance);
    if (reason === undefined) expect(r).toBeUndefined();
    else expect(r).toMatch(reason);
  });
});

describe('drains to revive', () => {
  const member = (state: string, attributes: Record<string, string> | undefined, status: InstanceStatus = 'DRAINING'): LeavingMember => ({
    instanceId: 'i-1',
    group: 'g',
    lifecycleState: state,
    ...(attributes !== undefined ? { instance: { status, arn: 'arn:ci/1', attributes } } : {}),
  });
  const started = NOW - 3_600_000;
  it.each<[string, LeavingMember, boolean]>([
    ['Terminating:Wait, chain silent longer than a live chain can be', member('Terminating:Wait', { [DRAIN_CHAIN_ATTRIBUTE]: chainId(started, 'ab'), [DRAIN_STEP_ATTRIBUTE]: stepToken(NOW - (SILENT + 1) * 1000, 'cd') }), true],
    ['Terminating:Wait, chain stepped within that time', member('Terminating:Wait', { [DRAIN_STEP_ATTRIBUTE]: stepToken(NOW - SILENT * 1000, 'cd') }), false],
    ['Terminating:Wait, never drained (the lifecycle event never arrived)', member('Terminating:Wait', {}), true],
    ['Terminating:Wait, drain already ended (another hook still holds it)', member('Terminating:Wait', { [DRAIN_STEP_ATTRIBUTE]: doneToken(NOW - 3_600_000) }), false],
    ['InService', member('InService', {}), false],
    ['Terminating:Wait but not registered with ECS', member('Terminating:Wait', undefined), false],
    ['Terminating:Wait, container instance INACTIVE', member('Terminating:Wait', {}, 'INACTIVE'), false],
  ])('%s: revive %s', (_rule, m, revive) => {
    expect(drainsToRevive([m], NOW, SILENT).length).toBe(revive ? 1 : 0);
  });

  it("a revived drain keeps its chain's original start (so its original deadline)", () => {
    const [r] = drainsToRevive([member('Terminating:Wait', { [DRAIN_CHAIN_ATTRIBUTE]: chainId(started, 'ab') })], NOW, SILENT);
    expect(r?.startedAt).toBe(started);
  });
});
