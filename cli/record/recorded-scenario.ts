/**
 * The scenario file `npm run record` writes, built from what it read (pure). Each group and service
 * becomes the scenario fields the simulator knows (sim/scenario/scenario.ts); what a field cannot
 * hold (placement strategies other than spreads or one binpack, awsvpc, UDP ports, a group that
 * mixes Spot and On-Demand) is said in `notes`, and in the scenario's description, never dropped
 * silently.
 */
import type { Resources } from '../../core/cluster';
import { taskShapeOf } from '../../core/task-definition';
import { estimatedResources, launchCandidates, mostCommonResources } from '../../handlers/app/model';
import type { GroupState, InstanceTypeInfo, LaunchTemplateInfo } from '../../handlers/app/ports';
import { constraintsOf, runsOnEc2 } from '../../handlers/aws/ecs/ecs-model';
import { desiredCurve, flatCurve, interruptionRate, launchFailureWindows } from './history';
import { priceKey, type Price } from './prices';
import type { Activity, RecordedService } from './record-reads';

export interface RecordFacts {
  readonly cluster: string;
  readonly region: string;
  /** Start of the recorded window (epoch ms) and its length. */
  readonly from: number;
  readonly days: number;
  readonly groups: readonly GroupState[];
  readonly templates: ReadonlyMap<string, LaunchTemplateInfo>;
  readonly types: ReadonlyMap<string, InstanceTypeInfo>;
  readonly registered: ReadonlyArray<{ instanceType: string; cpu: number; memory: number }>;
  readonly services: readonly RecordedService[];
  /** `DesiredTaskCount` samples per service (Container Insights), when there are any. */
  readonly history: ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>;
  readonly activities: ReadonlyMap<string, readonly Activity[]>;
  readonly interruptions: number;
  /** Per type and market (`priceKey`). */
  readonly prices: ReadonlyMap<string, Price>;
}

/** Whether a group's new instances are Spot (a mixed-instances policy with Spot, or a Spot launch template). */
export function isSpot(g: GroupState, template: LaunchTemplateInfo | undefined): boolean {
  return g.spot === true || template?.spot === true;
}

function resourcesOf(type: string, facts: RecordFacts): Resources | undefined {
  const real = mostCommonResources(facts.registered.filter((r) => r.instanceType === type).map((r) => ({ registered: { cpu: r.cpu, memory: r.memory } })));
  const info = facts.types.get(type);
  return real ?? (info !== undefined ? estimatedResources(info) : undefined);
}

function capacityGroup(g: GroupState, facts: RecordFacts, problems: string[]): Record<string, unknown> | undefined {
  const template = facts.templates.get(g.name);
  const spot = isSpot(g, template);
  const candidates = launchCandidates(g, template).map((c) => ({ ...c, resources: resourcesOf(c.instanceType, facts), price: facts.prices.get(priceKey({ instanceType: c.instanceType, spot }))?.usdPerHour }));
  if (candidates.length === 0) {
    problems.push(`group ${g.name}: no instance type found (launch template, mixed-instances overrides or members)`);
    return undefined;
  }
  const types = candidates.flatMap((c) => {
    if (c.resources === undefined) problems.push(`group ${g.name}: instance type ${c.instanceType} has no size (EC2 DescribeInstanceTypes did not return it)`);
    return c.resources !== undefined && c.price !== undefined ? [{ instanceType: c.instanceType, cpu: c.resources.cpu, memory: c.resources.memory, pricePerHour: c.price, weight: c.weight }] : [];
  });
  const first = types[0];
  if (first === undefined || types.length < candidates.length) return undefined;
  const durationMinutes = facts.days * 1440;
  const failures = launchFailureWindows(facts.activities.get(g.name) ?? [], facts.from, durationMinutes);
  return {
    name: g.name,
    instanceType: first.instanceType,
    cpu: first.cpu,
    memory: first.memory,
    pricePerHour: first.pricePerHour,
    spot,
    min: g.min,
    max: Math.max(1, g.max),
    initial: Math.min(Math.max(g.desired, g.min), Math.max(1, g.max)),
    ...(types.length > 1 || first.weight !== 1 ? { instanceTypes: types } : {}),
    ...(g.availabilityZones.length > 0 ? { availabilityZones: [...g.availabilityZones] } : {}),
    ...(failures.length > 0 ? { launchFailures: failures } : {}),
    // A suspended AZRebalance process is kept (the simulator's default is AWS's: on).
    ...((g.suspendedProcesses ?? []).includes('AZRebalance') ? { azRebalance: false } : {}),
  };
}

/**
 * The scenario's `placementStrategy` for a service's ECS strategies, when it can hold them: none
 * (AWS's default, spread across zones then instances: the scenario's default too), spreads only
 * (`spread`), or one `binpack` (`binpack`, on memory in the simulator); anything else is a note.
 */
export function placementOf(strategies: ReadonlyArray<{ readonly type?: string | undefined; readonly field?: string | undefined }>): { strategy?: 'spread' | 'binpack'; held: boolean } {
  if (strategies.length === 0) return { held: true };
  if (strategies.every((p) => p.type === 'spread')) return { strategy: 'spread', held: true };
  if (strategies.length === 1 && strategies[0]?.type === 'binpack') return { strategy: 'binpack', held: strategies[0].field !== 'cpu' };
  return { held: false };
}

function service(r: RecordedService, facts: RecordFacts, notes: string[]): Record<string, unknown> {
  const s = r.service;
  const name = s.serviceName ?? '(unnamed)';
  const shape = taskShapeOf(r.definition, constraintsOf(s), `service:${name}`);
  const daemon = s.schedulingStrategy === 'DAEMON';
  const durationMinutes = facts.days * 1440;
  const samples = facts.history.get(name);
  if (!daemon && samples === undefined) notes.push(`service ${name}: no Container Insights history, its current desired count (${s.desiredCount ?? 0}) held for the whole window`);
  const strategies = (s.placementStrategy ?? []).map((p) => `${p.type ?? '?'}${p.field !== undefined ? `(${p.field})` : ''}`);
  const placement = placementOf(s.placementStrategy ?? []);
  if (!placement.held) notes.push(`service ${name}: placement strategy ${strategies.join(', ')} ${placement.strategy !== undefined ? `recorded as ${placement.strategy} on memory` : 'recorded here only (the scenario holds spreads or one binpack)'}`);
  if (shape.awsvpc === true) notes.push(`service ${name}: awsvpc network mode (an ENI per task) is not modelled by the scenario`);
  if ((shape.udpPorts ?? []).length > 0) notes.push(`service ${name}: UDP host ports ${(shape.udpPorts ?? []).join(', ')} not modelled`);
  const deployment = s.deploymentConfiguration;
  return {
    name,
    cpu: shape.cpu,
    memory: Math.max(1, shape.memory),
    hostPorts: [...(shape.tcpPorts ?? [])],
    daemon,
    ...(deployment?.minimumHealthyPercent !== undefined ? { minimumHealthyPercent: Math.min(100, deployment.minimumHealthyPercent) } : {}),
    ...(deployment?.maximumPercent !== undefined ? { maximumPercent: Math.max(100, deployment.maximumPercent) } : {}),
    desired: daemon ? [] : samples !== undefined ? desiredCurve(samples, facts.from, durationMinutes) : flatCurve(s.desiredCount ?? 0, durationMinutes),
    ...(placement.strategy !== undefined ? { placementStrategy: placement.strategy } : {}),
    ...(shape.distinctInstance === true ? { distinctInstance: true } : {}),
    ...(shape.memberOf !== undefined && shape.memberOf.length > 0 ? { memberOf: [...shape.memberOf] } : {}),
  };
}

/** The scenario object (validated by the caller with the simulator's own parser) and what it could not hold. */
export function recordedScenario(facts: RecordFacts): { scenario: Record<string, unknown>; notes: string[]; problems: string[] } {
  const notes: string[] = [];
  const problems: string[] = [];
  const groups = facts.groups.map((g) => capacityGroup(g, facts, problems)).filter((g): g is Record<string, unknown> => g !== undefined);
  const onEc2 = facts.services.filter((r) => runsOnEc2(r.service));
  for (const r of facts.services) if (!runsOnEc2(r.service)) notes.push(`service ${r.service.serviceName ?? '?'}: runs on Fargate, left out`);
  const services = onEc2.map((r) => service(r, facts, notes));
  // Spot instance-hours: the Spot groups' current size over the window (group size history is not read).
  const spotHours = facts.groups.filter((g) => isSpot(g, facts.templates.get(g.name))).reduce((n, g) => n + g.members.length, 0) * facts.days * 24;
  const rate = interruptionRate(facts.interruptions, spotHours);
  const at = new Date(facts.from + facts.days * 86_400_000).toISOString();
  const description = [
    `Recorded by npm run record from cluster ${facts.cluster} (${facts.region}) over the ${facts.days} day(s) to ${at}.`,
    `Prices per instance-hour: ${[...facts.prices].map(([key, p]) => `${key} $${p.usdPerHour.toFixed(4)} (${p.source})`).join(', ')}.`,
    ...(notes.length > 0 ? [`Not held by the scenario: ${notes.join('; ')}.`] : []),
  ].join(' ');
  const scenario = {
    name: `recorded-${facts.cluster}`,
    description,
    seed: 1,
    durationMinutes: facts.days * 1440,
    tickSeconds: 60,
    capacityGroups: groups,
    services,
    jobs: [],
    interruptions: { spotPerInstanceHour: Number(rate.toFixed(6)), storms: [] },
  };
  return { scenario, notes, problems };
}
