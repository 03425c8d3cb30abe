/**
 * The `ugns` baseline runs the seed design as it shipped: its own thresholds and its "container
 * max CPU/memory" reference shape, whatever Headroom's defaults become (they once followed
 * Headroom's DEFAULTS, so choosing Headroom's thresholds by simulation retuned the baseline too).
 */
import { DEFAULTS } from '../../core/config';
import { baselineConfig } from '../../sim/policies/headroom/environment';
import { seedReferenceShapeOf } from '../../sim/scenario/reference-shape';
import { parseScenario } from '../../sim/scenario/scenario';

const scenario = parseScenario({
  name: 'seed', seed: 1, durationMinutes: 60,
  capacityGroups: [{ name: 'g', instanceType: 'm5.xlarge', cpu: 4096, memory: 15576, pricePerHour: 0.19, min: 0, max: 10, initial: 1 }],
  services: [
    { name: 'small', cpu: 256, memory: 512, desired: [[0, 30]] },
    { name: 'wide', cpu: 2048, memory: 1024, desired: [[0, 1]] },
    { name: 'tall', cpu: 512, memory: 4096, desired: [[0, 1]] },
    { name: 'agent', cpu: 4000, memory: 8000, daemon: true },
  ],
  env: { SHORTAGE_THRESHOLD: '7', EXCESS_THRESHOLD: '50' },
});

describe('the ugns baseline is the seed design', () => {
  it.each([
    ['scales out at ≤ 2 schedulable containers', 'shortageThreshold', 2],
    ['scales in at ≥ 10 schedulable containers', 'excessThreshold', 10],
  ] as const)('%s, not at Headroom\'s default or the scenario env', (_rule, key, seed) => {
    expect(baselineConfig(scenario)[key]).toBe(seed);
  });

  it('Headroom\'s own defaults differ from the seed design (so the pin above is what keeps ugns fixed)', () => {
    expect([DEFAULTS.SHORTAGE_THRESHOLD, DEFAULTS.EXCESS_THRESHOLD]).not.toEqual([2, 10]);
  });

  it.each([
    ['auto: the largest CPU and the largest memory of the non-daemon services', 'auto' as const, { cpu: 2048, memory: 4096 }],
    ['configured: the configured shape', { cpu: 100, memory: 200 }, { cpu: 100, memory: 200 }],
  ])('reference shape, %s', (_rule, configured, expected) => {
    expect(seedReferenceShapeOf(scenario, configured)).toEqual(expected);
  });
});
