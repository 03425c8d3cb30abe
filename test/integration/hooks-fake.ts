/**
 * The real Auto Scaling adapter with what moto lacks played by the test (moto-gaps.md): moto has no
 * CompleteLifecycleAction / RecordLifecycleActionHeartbeat (HTTP 500) and no Terminating:Wait.
 * Those two calls are recorded instead, and the members in `leaving` are reported in
 * Terminating:Wait; every other call goes to moto.
 */
import type { AutoScaling, HookRef } from '../../handlers/app/ports';

export function hooksFake(real: AutoScaling, leaving: ReadonlySet<string> = new Set()): { port: AutoScaling; completed: HookRef[]; heartbeats: HookRef[] } {
  const completed: HookRef[] = [];
  const heartbeats: HookRef[] = [];
  const port = Object.assign(Object.create(real) as AutoScaling, {
    describeGroups: async (names: readonly string[]) =>
      (await real.describeGroups(names)).map((g) => ({ ...g, members: g.members.map((m) => (leaving.has(m.instanceId) ? { ...m, lifecycleState: 'Terminating:Wait' } : m)) })),
    lifecycleStates: async (ids: readonly string[]) =>
      new Map([...(await real.lifecycleStates(ids))].map(([id, s]) => [id, leaving.has(id) ? { ...s, lifecycleState: 'Terminating:Wait' } : s])),
    heartbeat: async (hook: HookRef) => {
      heartbeats.push(hook);
      return 'ok' as const;
    },
    completeLifecycleAction: async (hook: HookRef) => {
      completed.push(hook);
      return 'ok' as const;
    },
  });
  return { port, completed, heartbeats };
}
