/**
 * Invariant: right-sizing is no loop. When a decision launches a replacement for an oversized
 * instance, the next decision (the replacement registered and empty, the window held again) never
 * gives the replacement back while the instance it replaces stays: launch-and-drain of the same
 * new instance would cost a launch every window and save nothing.
 */
import fc from 'fast-check';
import type { CapacityGroup, Instance, Resources, Task } from '../../core/cluster';
import { decide } from '../../core/decide';
import { group, instance, NOW, SETTINGS, serviceTask } from './builders';

const SMALL: Resources = { cpu: 4096, memory: 15576 };
const LARGE: Resources = { cpu: 16384, memory: 62304 };
const WINDOW_MS = SETTINGS.scaleInStabilizationSeconds * 1000;

type Kind = 'api' | 'web' | 'analytics';
const make = (k: Kind): Task => (k === 'api' ? serviceTask(256, 512, { tcpPorts: [8080] }) : k === 'web' ? serviceTask(512, 1024) : serviceTask(6144, 12288));

/** Large instances holding the tasks of each load that fit, in order (one api task each at most). */
function larges(loads: readonly (readonly Kind[])[]): Instance[] {
  return loads.map((load, n) => {
    const tasks: Task[] = [];
    let cpu = 0;
    let port = false;
    for (const k of load) {
      const t = make(k);
      if (cpu + t.cpu > LARGE.cpu || (k === 'api' && port)) continue;
      cpu += t.cpu;
      port ||= k === 'api';
      tasks.push(t);
    }
    return instance({ id: `i-l${n}`, group: 'large', registered: LARGE, tasks });
  });
}

function groups(large: readonly Instance[], small: readonly Instance[], launchedAt: number): CapacityGroup[] {
  const member = (i: Instance, at: number) => ({ id: i.id, pending: false, launchedAt: at });
  return [
    group({ name: 'large', instance: LARGE, instanceType: 'm5.4xlarge', spot: true, max: 20, desired: large.length, members: large.map((i) => member(i, NOW - 10 * WINDOW_MS)) }),
    group({ name: 'small', instance: SMALL, instanceType: 'm5.xlarge', spot: true, max: 20, desired: small.length, members: small.map((i) => member(i, launchedAt)) }),
  ];
}

const held = (now: number) => [4, 3, 2, 1].map((k) => ({ at: now - (k * WINDOW_MS) / 2, value: 1000 }));

describe('right-sizing properties', () => {
  it('a replacement launched for an oversized instance is not given back while that instance stays', () => {
    const load = fc.array(fc.constantFrom<Kind>('api', 'web', 'web', 'analytics'), { maxLength: 10 });
    fc.assert(
      fc.property(fc.array(load, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 10, max: 100 }), (loads, reserve, percent) => {
        const settings = { ...SETTINGS, shortageThreshold: 1, excessThreshold: 2, maxScaleInPercent: percent, spotReserveInstances: reserve };
        const before = larges(loads);
        const first = decide({ now: NOW, instances: before, groups: groups(before, [], NOW), services: [], history: held(NOW), settings });
        const launch = first.scaleOut.find((a) => a.group === 'small' && a.reasons.some((r) => r.includes('oversized')));
        if (launch === undefined) return;
        const replacements = Array.from({ length: launch.count }, (_, n) => instance({ id: `i-s${n}`, group: 'small', registered: SMALL, tasks: [] }));
        const later = NOW + 2 * WINDOW_MS;
        const next = decide({ now: later, instances: [...before, ...replacements], groups: groups(before, replacements, NOW), services: [], history: held(later), settings });
        const gone = new Set(next.scaleIn.map((a) => a.instance));
        const replacedGone = before.some((i) => gone.has(i.id));
        for (const r of replacements) if (gone.has(r.id)) expect(replacedGone).toBe(true);
      }),
      // The shape seen in the simulator: the busy instance's tasks are insured on the api instance's room.
      { numRuns: 200, examples: [[[['analytics', 'analytics', 'web', 'web', 'web', 'web', 'web', 'web'], ['api']], 1, 10]] },
    );
  });
});
