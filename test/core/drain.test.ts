import type { Task, TaskStatus } from '../../core/cluster';
import { MAX_RECHECK_SECONDS, nextDrainStep, type DrainAction, type DrainInput } from '../../core/drain';
import { daemonTask, drainInput, NOW, serviceTask, standaloneTask, withoutHook } from './builders';

const kinds = (actions: readonly DrainAction[]): string[] => actions.map((a) => a.kind);
const step = (overrides: Partial<DrainInput>) => nextDrainStep(drainInput(overrides));
const recheckOf = (actions: readonly DrainAction[]): number | undefined => {
  const r = actions.find((a) => a.kind === 'recheck');
  return r?.kind === 'recheck' ? r.afterSeconds : undefined;
};

describe('drain machine: phases', () => {
  it.each<[string, Partial<DrainInput>, string, string[]]>([
    ['start: an ACTIVE instance with tasks is set DRAINING and re-checked', { status: 'ACTIVE', tasks: [serviceTask(1, 1)] }, 'start', ['set-draining', 'recheck']],
    ['wait: a DRAINING instance with tasks is re-checked', { tasks: [serviceTask(1, 1)] }, 'wait', ['recheck']],
    ['complete: no task left → complete the hook', { tasks: [] }, 'complete', ['complete']],
    ['complete at once when an ACTIVE instance has nothing to move (still set DRAINING first)', { status: 'ACTIVE', tasks: [] }, 'complete', ['set-draining', 'complete']],
    ['instance no longer registered → gone, nothing to do', { status: undefined, tasks: [serviceTask(1, 1)] }, 'gone', []],
    ['instance INACTIVE → gone', { status: 'INACTIVE', tasks: [serviceTask(1, 1)] }, 'gone', []],
    ['hook no longer pending → gone, even with tasks left', { hook: { pending: false, expiresAt: NOW + 1 }, tasks: [serviceTask(1, 1)] }, 'gone', []],
  ])('%s', (_rule, overrides, phase, actions) => {
    const s = step(overrides);
    expect(s.phase).toBe(phase);
    expect(kinds(s.actions)).toEqual(actions);
  });

  it('complete without a hook (scale-in drain): nothing to complete', () => {
    const s = nextDrainStep(withoutHook(drainInput({ tasks: [daemonTask(1, 1)] })));
    expect({ phase: s.phase, actions: kinds(s.actions) }).toEqual({ phase: 'complete', actions: [] });
  });
});

describe('drain machine: what blocks completion', () => {
  const one = (t: Task) => step({ tasks: [t] });
  it.each<[string, Task, boolean]>([
    ['a RUNNING service task blocks', serviceTask(1, 1), true],
    ['a RUNNING standalone task blocks', standaloneTask(1, 1), true],
    ['a daemon task never blocks', daemonTask(1, 1), false],
    ['a RUNNING daemon task never blocks', daemonTask(1, 1, { status: 'RUNNING' }), false],
    ['a STOPPED service task does not block', serviceTask(1, 1, { status: 'STOPPED' }), false],
    ...(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING'] as TaskStatus[]).map(
      (status): [string, Task, boolean] => [`a ${status} service task blocks (only STOPPED is gone)`, serviceTask(1, 1, { status }), true],
    ),
  ])('%s', (_rule, t, blocks) => {
    const s = one(t);
    expect(s.actions.some((a) => a.kind === 'complete')).toBe(!blocks);
    expect(s.remaining).toBe(blocks ? 1 : 0);
  });
});

describe('drain machine: timing', () => {
  it.each<[string, Partial<DrainInput>, number]>([
    ['re-check after DRAIN_CHECK_SECONDS', { checkSeconds: 30 }, 30],
    ['never later than the drain deadline: 10 s left → 10', { checkSeconds: 30, deadline: NOW + 10_000 }, 10],
    ['a fraction of a second left rounds up to 1 s (the next check lands at or after the deadline)', { checkSeconds: 30, deadline: NOW + 400 }, 1],
    ['1.5 s left → 2 s (rounded up, never a check before the deadline that cannot act)', { checkSeconds: 30, deadline: NOW + 1_500 }, 2],
    ['never more than the SQS delay limit of 900 s', { checkSeconds: 3_600, deadline: NOW + 7_200_000, hook: { pending: true, expiresAt: NOW + 7_200_000 } }, MAX_RECHECK_SECONDS],
  ])('%s', (_rule, overrides, seconds) => {
    expect(recheckOf(step({ tasks: [serviceTask(1, 1)], ...overrides }).actions)).toBe(seconds);
  });

  it.each<[string, number, boolean]>([
    // check 30 s: heartbeat when the hook expires within 30 + 30 = 60 s
    ['hook expires in 61 s: no heartbeat yet', 61_000, false],
    ['hook expires in 60 s: heartbeat (it would expire before the check after next)', 60_000, true],
    ['hook expires in 10 s: heartbeat', 10_000, true],
    ['hook expires in 1 h: no heartbeat', 3_600_000, false],
  ])('%s', (_rule, expiresIn, heartbeat) => {
    const s = step({ tasks: [serviceTask(1, 1)], hook: { pending: true, expiresAt: NOW + expiresIn } });
    expect(s.actions.some((a) => a.kind === 'heartbeat')).toBe(heartbeat);
    expect(s.actions.some((a) => a.kind === 'complete')).toBe(false);
  });

  it('a heartbeat is always sent before the hook expires when checks follow the schedule', () => {
    // Simulate: hook heartbeat timeout 120 s; each heartbeat extends it to now + 120 s.
    let now = NOW;
    let expiresAt = NOW + 120_000;
    const deadline = NOW + 900_000;
    for (let k = 0; k < 100 && now < deadline; k++) {
      const s = nextDrainStep(drainInput({ now, deadline, tasks: [serviceTask(1, 1)], hook: { pending: true, expiresAt } }));
      expect(expiresAt).toBeGreaterThan(now); // the hook never expired in between
      if (s.actions.some((a) => a.kind === 'heartbeat')) expiresAt = now + 120_000;
      now += (recheckOf(s.actions) ?? 0) * 1000;
    }
  });

  it('no drain without a hook ever heartbeats', () => {
    expect(kinds(nextDrainStep(withoutHook(drainInput({ tasks: [serviceTask(1, 1)] }))).actions)).toEqual(['recheck']);
  });
});

describe('drain machine: timeout', () => {
  const late = { now: NOW + 900_000, deadline: NOW + 900_000 };
  it.each<[string, Partial<DrainInput>, string, string[], string[]]>([
    ['stop policy: remaining standalone tasks are stopped and the hook waits for them (not completed in the same step)', { ...late, tasks: [standaloneTask(1, 1, { id: 'solo' }), serviceTask(1, 1, { id: 'svc' })] }, 'stopping', ['stop-tasks', 'recheck'], ['solo']],
    ['wait policy: nothing is stopped, the hook completes', { ...late, standalonePolicy: 'wait', tasks: [standaloneTask(1, 1, { id: 'solo' })] }, 'timeout', ['complete'], []],
    ['only service tasks left: complete without stopping anything', { ...late, tasks: [serviceTask(1, 1, { id: 'svc' })] }, 'timeout', ['complete'], []],
    ['STOPPED standalone tasks are not stopped again', { ...late, tasks: [standaloneTask(1, 1, { id: 'gone', status: 'STOPPED' }), standaloneTask(1, 1, { id: 'live' })] }, 'stopping', ['stop-tasks', 'recheck'], ['live']],
    ['a standalone task already STOPPING is waited for, not stopped again', { ...late, tasks: [standaloneTask(1, 1, { id: 'going', status: 'STOPPING' })] }, 'stopping', ['recheck'], []],
    ['the stopped tasks reached STOPPED: complete', { ...late, now: NOW + 930_000, tasks: [standaloneTask(1, 1, { status: 'STOPPED' }), serviceTask(1, 1)] }, 'timeout', ['complete'], []],
    ['still stopping after the default 30 s stop timeout and one 30 s check: complete anyway', { ...late, now: NOW + 960_000, tasks: [standaloneTask(1, 1, { status: 'STOPPING' })] }, 'timeout', ['complete'], []],
    ['a longer stop timeout (120 s) is waited for: at +120 s still stopping', { ...late, now: NOW + 1_020_000, tasks: [standaloneTask(1, 1, { status: 'STOPPING', stopTimeoutSeconds: 120 })] }, 'stopping', ['recheck'], []],
    ['… and completed after it and one check (+150 s)', { ...late, now: NOW + 1_050_000, tasks: [standaloneTask(1, 1, { status: 'STOPPING', stopTimeoutSeconds: 120 })] }, 'timeout', ['complete'], []],
    ['after the deadline as well as at it', { now: NOW + 901_000, deadline: NOW + 900_000, tasks: [serviceTask(1, 1)] }, 'timeout', ['complete'], []],
  ])('%s', (_rule, overrides, phase, actions, stopped) => {
    const s = step(overrides);
    expect(s.phase).toBe(phase);
    expect(kinds(s.actions)).toEqual(actions);
    const stop = s.actions.find((a) => a.kind === 'stop-tasks');
    expect(stop?.kind === 'stop-tasks' ? stop.taskIds : []).toEqual(stopped);
  });

  it('while stopping, the re-check never lands after the stop grace by a whole second', () => {
    const s = step({ ...late, now: NOW + 955_000, tasks: [standaloneTask(1, 1, { status: 'STOPPING' })] });
    expect(recheckOf(s.actions)).toBe(5);
  });

  it('one millisecond before the deadline it still waits', () => {
    const s = step({ now: NOW + 899_999, deadline: NOW + 900_000, tasks: [standaloneTask(1, 1)] });
    expect(s.phase).toBe('wait');
    expect(recheckOf(s.actions)).toBe(1);
  });
});

describe('drain machine: a drain that starts after its deadline (a late lifecycle event)', () => {
  it.each<[string, Partial<DrainInput>]>([
    ['service tasks on an ACTIVE instance', { status: 'ACTIVE', tasks: [serviceTask(1, 1)], deadline: NOW - 1 }],
    ['standalone and service tasks, far past the deadline', { status: 'ACTIVE', tasks: [serviceTask(1, 1), standaloneTask(2, 1)], deadline: NOW - 3_600_000 }],
  ])('%s: DRAINING is set first and the tasks get a whole drain timeout to move; nothing is stopped or completed', (_rule, overrides) => {
    const s = step({ ...overrides, timeoutSeconds: 900 });
    expect(s.phase).toBe('start');
    expect(kinds(s.actions)).toEqual(['set-draining', 'recheck']);
    expect(s.deadline).toBe(NOW + 900_000);
  });

  it('an instance already DRAINING past its deadline times out as before', () => {
    const s = step({ status: 'DRAINING', tasks: [serviceTask(1, 1)], deadline: NOW - 1, timeoutSeconds: 900 });
    expect(s.phase).toBe('timeout');
    expect(s.deadline).toBeUndefined();
  });
});
