import fc from 'fast-check';
import { planScaleOut } from '../../core/scale-out';
import { group, instance, NOW, service, shape } from './builders';

const UNIT = { cpu: 4096, memory: 16384 };

describe('unschedulable properties', () => {
  it('tasks no group can hold never change the scale-out: the plan equals the plan without them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: UNIT.cpu + 1, max: 4 * UNIT.cpu }),
        fc.integer({ min: 0, max: 4 }),
        (fitting, huge, hugeCpu, idle) => {
          const instances = Array.from({ length: idle }, (_, k) => instance({ id: `i-${k}`, group: 'A', registered: UNIT }));
          const groups = [group({ name: 'A', instance: UNIT, max: 100, desired: idle, members: instances.map((i) => ({ id: i.id, pending: false })) })];
          const web = service({ name: 'web', shape: shape(1024, 1024), desired: fitting, unplaced: fitting });
          const big = service({ name: 'big', shape: shape(hugeCpu, 1024), desired: huge, unplaced: huge });
          const base = { now: NOW, instances, groups, shape: shape(1024, 2048), shortageThreshold: 2, maxStep: 100, backoffSeconds: 300, provisioningTimeoutSeconds: 600 };
          const withBig = planScaleOut({ ...base, services: [web, big] });
          const without = planScaleOut({ ...base, services: [web] });
          expect(withBig.actions.map((a) => [a.group, a.count])).toEqual(without.actions.map((a) => [a.group, a.count]));
          expect(withBig.unschedulable).toHaveLength(huge);
          expect(withBig.unplaceable).toEqual(without.unplaceable);
        },
      ),
      { numRuns: 200 },
    );
  });
});
