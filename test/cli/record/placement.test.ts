/**
 * `npm run record` keeps a service's ECS placement strategies where the scenario can hold them
 * (cli/record/recorded-scenario.ts `placementOf`), and says so where it cannot.
 */
import { placementOf } from '../../../cli/record/recorded-scenario';

describe('a recorded service placement strategy', () => {
  it.each([
    ['none: AWS default spread, the scenario default too (field left out)', [], { held: true }],
    ['spread by zone then instance', [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'spread', field: 'instanceId' }], { strategy: 'spread', held: true }],
    ['spread by instance alone', [{ type: 'spread', field: 'instanceId' }], { strategy: 'spread', held: true }],
    ['binpack on memory', [{ type: 'binpack', field: 'memory' }], { strategy: 'binpack', held: true }],
    ['binpack on CPU: binpack on memory, with a note', [{ type: 'binpack', field: 'cpu' }], { strategy: 'binpack', held: false }],
    ['spread then binpack: not held (a note)', [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }], { held: false }],
    ['random: not held (a note)', [{ type: 'random' }], { held: false }],
  ])('%s', (_rule, strategies, expected) => {
    expect(placementOf(strategies)).toEqual(expected);
  });
});
