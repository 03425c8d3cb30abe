/**
 * A min-0 cluster with no work goes to zero, through the real tick on the simulator (Headroom at its
 * documented defaults). The instance type is chosen so that an empty instance holds exactly
 * EXCESS_THRESHOLD (4) reference tasks (m5.large, 2048 CPU, and a 512-CPU median task): the case in
 * which the tick once never read the idle instance's tasks and kept it all night.
 */
import { runScenario, type PolicyRun } from '../../sim/run/run';
import { parseScenario } from '../../sim/scenario/scenario';

const scenario = parseScenario({
  name: 'min-zero-small',
  seed: 3,
  durationMinutes: 300,
  tickSeconds: 60,
  capacityGroups: [{ name: 'dev', instanceType: 'm5.large', cpu: 2048, memory: 7680, pricePerHour: 0.096, min: 0, max: 10, initial: 1, launchSeconds: 150 }],
  services: [
    { name: 'api', cpu: 512, memory: 1024, desired: [[0, 0], [120, 0], [121, 3], [180, 3], [181, 0]] },
    { name: 'log-agent', cpu: 128, memory: 256, daemon: true },
  ],
});

describe('a min-0 cluster with no work goes to zero', () => {
  let run: PolicyRun;
  beforeAll(async () => {
    expect(scenario.env).toEqual({});
    run = (await runScenario(scenario, { root: process.cwd(), policies: ['headroom'] })).runs[0] as PolicyRun;
  }, 120_000);

  const instancesBetween = (from: number, to: number): number[] => [...new Set(run.series.filter((p) => p.minute >= from && p.minute < to).map((p) => p.instances))];

  it.each<[string, number, number, number[]]>([
    ['the instance left idle at the start is gone within the stabilisation window and a few ticks', 30, 120, [0]],
    ['the work is gone: the group returns to zero', 240, 300, [0]],
  ])('%s', (_rule, from, to, expected) => {
    expect(instancesBetween(from, to)).toEqual(expected);
  });

  it('work arrives: capacity is launched for it and kept while the work runs', () => {
    expect(Math.min(...instancesBetween(130, 180))).toBeGreaterThanOrEqual(1);
  });

  it('loses no task and stays within the group bounds', () => {
    expect(run.result.tasksLost).toBe(0);
    expect(run.result.boundViolations).toBe(0);
    expect(run.result.stuckInstances).toBe(0);
  });
});
