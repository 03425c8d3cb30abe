import fc from 'fast-check';
import type { Task } from '../../core/cluster';
import { DEFAULT_STOP_TIMEOUT_SECONDS, MAX_RECHECK_SECONDS, nextDrainStep, type DrainInput } from '../../core/drain';
import { NOW, task } from './builders';

const taskArb: fc.Arbitrary<Task> = fc
  .record({
    role: fc.constantFrom<Task['role']>('daemon', 'service', 'standalone'),
    status: fc.constantFrom<Task['status']>('PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'),
    stopTimeout: fc.option(fc.integer({ min: 0, max: 120 })),
  })
  .map(({ role, status, stopTimeout }) => task({ role, status, cpu: 1, memory: 1, ...(stopTimeout !== null ? { stopTimeoutSeconds: stopTimeout } : {}) }));

const inputArb: fc.Arbitrary<DrainInput> = fc
  .record({
    status: fc.constantFrom<DrainInput['status']>('ACTIVE', 'DRAINING', 'DRAINING', 'INACTIVE', undefined),
    tasks: fc.array(taskArb, { maxLength: 8 }),
    hook: fc.option(fc.record({ pending: fc.boolean(), expiresIn: fc.integer({ min: -60_000, max: 7_200_000 }) }), { freq: 4 }),
    deadlineIn: fc.integer({ min: -1_200_000, max: 200_000_000 }),
    checkSeconds: fc.integer({ min: 5, max: 900 }),
    policy: fc.constantFrom<DrainInput['standalonePolicy']>('stop', 'wait'),
  })
  .map(({ status, tasks, hook, deadlineIn, checkSeconds, policy }) => ({
    status,
    tasks,
    ...(hook !== null ? { hook: { pending: hook.pending, expiresAt: NOW + hook.expiresIn } } : {}),
    deadline: NOW + deadlineIn,
    timeoutSeconds: 900,
    now: NOW,
    checkSeconds,
    standalonePolicy: policy,
  }));

const blocking = (i: DrainInput): Task[] => i.tasks.filter((t) => t.role !== 'daemon' && t.status !== 'STOPPED');

describe('drain machine properties', () => {
  it('never completes the hook while a non-daemon task is not STOPPED before the deadline', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const s = nextDrainStep(i);
        if (i.now < i.deadline && blocking(i).length > 0) {
          expect(s.actions.some((a) => a.kind === 'complete')).toBe(false);
          expect(s.phase === 'complete' || s.phase === 'timeout').toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('completes a pending hook exactly when nothing blocks or the deadline has passed', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const s = nextDrainStep(i);
        const live = i.status !== undefined && i.status !== 'INACTIVE' && i.hook?.pending === true;
        // Past the deadline only once the drain has started (DRAINING): a late start gets its own window.
        // Past the deadline, standalone tasks being stopped (stop policy) hold the hook for their stop
        // timeout and one check; nothing holds it longer.
        const stopping = i.standalonePolicy === 'stop' ? blocking(i).filter((t) => t.role === 'standalone') : [];
        const grace = (Math.max(0, ...stopping.map((t) => t.stopTimeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS)) + i.checkSeconds) * 1000;
        const timedOut = i.now >= i.deadline && i.status !== 'ACTIVE' && (stopping.length === 0 || i.now >= i.deadline + grace);
        const shouldComplete = live && (blocking(i).length === 0 || timedOut);
        expect(s.actions.some((a) => a.kind === 'complete')).toBe(shouldComplete);
      }),
      { numRuns: 500 },
    );
  });

  it('gone instances or hooks get no action; waiting always schedules a bounded re-check', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const s = nextDrainStep(i);
        if (i.status === undefined || i.status === 'INACTIVE' || i.hook?.pending === false) {
          expect(s).toMatchObject({ phase: 'gone', actions: [] });
          return;
        }
        const recheck = s.actions.find((a) => a.kind === 'recheck');
        if (s.phase === 'start' || s.phase === 'wait' || s.phase === 'stopping') {
          expect(recheck?.kind).toBe('recheck');
          const after = recheck?.kind === 'recheck' ? recheck.afterSeconds : Number.NaN;
          expect(after).toBeGreaterThanOrEqual(1);
          expect(after).toBeLessThanOrEqual(Math.min(MAX_RECHECK_SECONDS, i.checkSeconds));
          // never beyond the deadline (or, while stopping, the stop grace) by a whole second
          if (s.phase !== 'stopping') expect(after * 1000).toBeLessThan((s.deadline ?? i.deadline) - i.now + 1000);
          // the hook is heartbeated whenever it would expire before the next check
          if (i.hook !== undefined && i.hook.expiresAt <= i.now + after * 1000) expect(s.actions.some((a) => a.kind === 'heartbeat')).toBe(true);
        } else {
          expect(recheck).toBeUndefined();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('only standalone tasks that are not STOPPED are ever stopped, only at the timeout and only by the stop policy', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const s = nextDrainStep(i);
        const stop = s.actions.find((a) => a.kind === 'stop-tasks');
        if (stop?.kind !== 'stop-tasks') return;
        expect(s.phase).toBe('stopping');
        expect(i.standalonePolicy).toBe('stop');
        const allowed = new Set(i.tasks.filter((t) => t.role === 'standalone' && t.status !== 'STOPPED').map((t) => t.id));
        expect(stop.taskIds.length).toBeGreaterThan(0);
        for (const id of stop.taskIds) expect(allowed.has(id)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
