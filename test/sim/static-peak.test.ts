/**
 * `static-peak` sizes each group for the peak of the nominal workload in the group's own units: a
 * mixed-instances group counts weight units (EC2 Auto Scaling instance weighting), so a fleet packed
 * as N instances of a weight-w type is a desired capacity of N × w. Sizing a weighted group in
 * instances ran a quarter of the fleet on a group whose type weighs 4.
 */
import { parseScenario } from '../../sim/scenario/scenario';
import { peakFleet } from '../../sim/policies/static-peak';

/** 20 tasks of 1,024 CPU on 4-vCPU instances (after a 128-CPU daemon, 3 fit on each): 7 instances. */
const scenarioWith = (group: Record<string, unknown>) =>
  parseScenario({
    name: 'peak',
    seed: 1,
    durationMinutes: 60,
    capacityGroups: [{ name: 'g', instanceType: 'm6i.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.08, spot: true, min: 0, max: 400, initial: 1, ...group }],
    services: [
      { name: 'worker', cpu: 1024, memory: 2048, desired: [[0, 20]] },
      { name: 'agent', cpu: 128, memory: 256, daemon: true },
    ],
  });

const types = (ownWeight: number) => [
  { instanceType: 'm6i.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.08, weight: ownWeight },
  { instanceType: 'm6i.2xlarge', cpu: 8192, memory: 31152, pricePerHour: 0.16, weight: 2 * ownWeight },
];

describe('static-peak sizes each group in its own units', () => {
  it.each([
    ['a plain group: instances', {}, 7],
    ['a mixed group whose type weighs 1: units equal instances', { instanceTypes: types(1) }, 7],
    ['a mixed group weighted by vCPU (weight 4): four units per instance', { instanceTypes: types(4) }, 28],
    ['the group minimum, in units, when the peak needs less', { instanceTypes: types(4), min: 40, initial: 40 }, 40],
    ['the group maximum bounds the instances packed (20 units of weight 4: 5 instances)', { instanceTypes: types(4), max: 20 }, 20],
  ])('%s', (_rule, group, desired) => {
    expect(peakFleet(scenarioWith(group), []).get('g')).toBe(desired);
  });
});
