/**
 * Acting on a decision reads every answer: which container instances ECS changed, which the scale-in
 * mark reached, and Auto Scaling's refusal at the group minimum. Real adapters over the stateful fake.
 */
import type { LifecycleState } from '@aws-sdk/client-auto-scaling';
import { SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import type { Decision } from '../../core/decide';
import { applyDecision, decideSettings, readCluster } from '../../handlers/app/act';
import { FakeAws, NOW, context, instanceArn } from './fake-aws';

const I = (n: number): string => `i-0a1b2c3d4e5f6${String(n).padStart(4, '0')}`;

function decision(part: Partial<Decision>): Decision {
  return {
    shape: { cpu: 512, memory: 1024 },
    summary: { schedulableTasks: 0, pendingTasks: 0, unschedulableTasks: 0, activeInstances: 0, drainingInstances: 0, cpuReservedPercent: 0, memoryReservedPercent: 0 },
    scaleOut: [],
    scaleIn: [],
    reactivate: [],
    terminate: [],
    clearReactivated: [],
    instancesNeeded: 0,
    lowerBound: 0,
    unschedulable: [],
    reasons: [],
    ...part,
  };
}

const marked = (aws: FakeAws, id: string): boolean => aws.instances.get(instanceArn(id))?.attributes?.some((a) => a.name === SCALE_IN_ATTRIBUTE) === true;
const statusOf = (aws: FakeAws, id: string): string | undefined => aws.instances.get(instanceArn(id))?.status;

function world(n: number): FakeAws {
  const aws = new FakeAws().group('demo-spot', { min: 1, desired: n, max: 20 }).group('demo-ondemand');
  for (let k = 1; k <= n; k++) aws.instance({ id: I(k), group: 'demo-spot' });
  return aws;
}

describe('acting on a decision reads every answer', () => {
  it('scale-in marks only instances ECS set DRAINING: an instance ECS refused keeps neither mark nor drain', async () => {
    const aws = world(3);
    aws.refuseStatus.set(I(2), 'INVALID_STATE');
    const ctx = context();
    const { view } = await readCluster(ctx, { now: NOW, history: [], settings: decideSettings(ctx.config) });
    await applyDecision(ctx, decision({ scaleIn: [1, 2].map((k) => ({ kind: 'scale-in', instance: I(k), group: 'demo-spot', reasons: [] })) }), view.instances, { scaleIn: true });
    expect([statusOf(aws, I(1)), marked(aws, I(1))]).toEqual(['DRAINING', true]);
    expect([statusOf(aws, I(2)), marked(aws, I(2))]).toEqual(['ACTIVE', false]);
  });

  it('scale-in drains only what was marked: an instance at its attribute limit stays ACTIVE', async () => {
    const aws = new FakeAws().group('demo-spot', { min: 1, desired: 2, max: 20 }).group('demo-ondemand');
    const full = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`team.attr${k}`, 'x']));
    aws.instance({ id: I(1), group: 'demo-spot', attributes: full });
    aws.instance({ id: I(2), group: 'demo-spot' });
    const ctx = context();
    const { view } = await readCluster(ctx, { now: NOW, history: [], settings: decideSettings(ctx.config) });
    await applyDecision(ctx, decision({ scaleIn: [1, 2].map((k) => ({ kind: 'scale-in', instance: I(k), group: 'demo-spot', reasons: [] })) }), view.instances, { scaleIn: true });
    expect([statusOf(aws, I(1)), marked(aws, I(1))]).toEqual(['ACTIVE', false]);
    expect([statusOf(aws, I(2)), marked(aws, I(2))]).toEqual(['DRAINING', true]);
  });

  it('reactivation keeps the scale-in mark on an instance ECS refused to set ACTIVE', async () => {
    const aws = new FakeAws().group('demo-spot', { min: 1, desired: 2, max: 20 }).group('demo-ondemand');
    for (const k of [1, 2]) aws.instance({ id: I(k), group: 'demo-spot', status: 'DRAINING', attributes: { [SCALE_IN_ATTRIBUTE]: '2025-06-01T11:00:00.000Z' } });
    aws.refuseStatus.set(I(1), 'INVALID_STATE');
    const ctx = context();
    const { view } = await readCluster(ctx, { now: NOW, history: [], settings: decideSettings(ctx.config) });
    await applyDecision(ctx, decision({ reactivate: [1, 2].map((k) => ({ kind: 'reactivate', instance: I(k), reasons: [] })) }), view.instances, { scaleIn: false });
    expect([statusOf(aws, I(1)), marked(aws, I(1))]).toEqual(['DRAINING', true]);
    expect([statusOf(aws, I(2)), marked(aws, I(2))]).toEqual(['ACTIVE', false]);
  });

  it('Auto Scaling refusing a termination at the group minimum is not "gone": the empty instance is reactivated, with a warning', async () => {
    const aws = new FakeAws().group('demo-spot', { min: 1, desired: 1, max: 20 }).group('demo-ondemand');
    aws.instance({ id: I(1), group: 'demo-spot', status: 'DRAINING', attributes: { [SCALE_IN_ATTRIBUTE]: '2025-06-01T11:00:00.000Z' } });
    const ctx = context();
    const { view } = await readCluster(ctx, { now: NOW, history: [], settings: decideSettings(ctx.config) });
    await applyDecision(ctx, decision({ terminate: [{ kind: 'terminate', instance: I(1), group: 'demo-spot', reasons: [] }] }), view.instances, { scaleIn: true });
    expect(aws.terminated).toEqual([]);
    expect([statusOf(aws, I(1)), marked(aws, I(1))]).toEqual(['ACTIVE', false]);
    expect(ctx.lines.some((l) => l.level === 'warn' && /minimum/.test(l.message))).toBe(true);
  });

  it.each<[string, LifecycleState, string]>([
    ['still InService: reactivated', 'InService', 'ACTIVE'],
    ['in Terminating:Wait since the read: left DRAINING', 'Terminating:Wait', 'DRAINING'],
  ])('an instance whose termination Auto Scaling refused at the group minimum goes through the same check as any reactivation: %s', async (_name, state, status) => {
    const aws = new FakeAws().group('demo-spot', { min: 1, desired: 1, max: 20 }).group('demo-ondemand');
    aws.instance({ id: I(1), group: 'demo-spot', status: 'DRAINING', attributes: { [SCALE_IN_ATTRIBUTE]: '2025-06-01T11:00:00.000Z' } });
    const ctx = context();
    const { view } = await readCluster(ctx, { now: NOW, history: [], settings: decideSettings(ctx.config) });
    const member = aws.groups[0]?.Instances?.find((i) => i.InstanceId === I(1));
    if (member !== undefined) member.LifecycleState = state;
    await applyDecision(ctx, decision({ terminate: [{ kind: 'terminate', instance: I(1), group: 'demo-spot', reasons: [] }] }), view.instances, { scaleIn: true });
    expect(aws.terminated).toEqual([]);
    expect(statusOf(aws, I(1))).toBe(status);
    expect(aws.count('DescribeAutoScalingInstances')).toBe(1);
  });

  it("reactivation reads only the targets' lifecycle states (one DescribeAutoScalingInstances per 50 instances), not their groups again", async () => {
    const n = 60;
    const aws = new FakeAws().group('demo-spot', { min: 1, desired: n, max: 100 }).group('demo-ondemand');
    for (let k = 1; k <= n; k++) aws.instance({ id: I(k), group: 'demo-spot', status: 'DRAINING', attributes: { [SCALE_IN_ATTRIBUTE]: '2025-06-01T11:00:00.000Z' } });
    const ctx = context();
    const { view } = await readCluster(ctx, { now: NOW, history: [], settings: decideSettings(ctx.config) });
    const groupReads = aws.count('DescribeAutoScalingGroups') + aws.count('DescribeScalingActivities');
    const ids = Array.from({ length: n }, (_, k) => I(k + 1));
    await applyDecision(ctx, decision({ reactivate: ids.map((id) => ({ kind: 'reactivate', instance: id, reasons: [] })) }), view.instances, { scaleIn: false });
    expect(aws.count('DescribeAutoScalingGroups') + aws.count('DescribeScalingActivities')).toBe(groupReads);
    expect(aws.count('DescribeAutoScalingInstances')).toBe(2);
    expect(ids.filter((id) => statusOf(aws, id) === 'ACTIVE')).toEqual(ids);
  });
});
