/**
 * The configuration rules between variables (thresholds, drain timings against the lifecycle
 * hook), checked on the values that are valid on their own (`config.ts`). They belong together:
 * each reads the same few timing variables, and one list keeps their order stable.
 */
import { REDELIVERY_SECONDS, hookGlobalTimeoutSeconds } from './redelivery';

/** The variables the rules read; undefined when a variable is itself invalid. */
export interface RuleValues {
  readonly taskCpu: number | 'auto' | undefined;
  readonly taskMemory: number | 'auto' | undefined;
  readonly shortage: number | undefined;
  readonly excess: number | undefined;
  readonly check: number | undefined;
  readonly timeout: number | undefined;
  readonly heartbeat: number | undefined;
}

export function crossFieldProblems({ taskCpu, taskMemory, shortage, excess, check, timeout, heartbeat }: RuleValues): string[] {
  const problems: string[] = [];
  if (taskCpu !== undefined && taskMemory !== undefined && (taskCpu === 'auto') !== (taskMemory === 'auto')) {
    problems.push("TASK_CPU, TASK_MEMORY: set both to numbers or both to 'auto'");
  }
  if (excess !== undefined && shortage !== undefined && excess <= shortage) {
    problems.push(`EXCESS_THRESHOLD: must be greater than SHORTAGE_THRESHOLD (${excess} ≤ ${shortage}); otherwise scale-in and scale-out fight`);
  }
  if (check !== undefined && timeout !== undefined && check >= timeout) {
    problems.push(`DRAIN_CHECK_SECONDS: must be less than DRAIN_TIMEOUT_SECONDS (${check} ≥ ${timeout})`);
  }
  if (heartbeat !== undefined && check !== undefined && heartbeat <= check + REDELIVERY_SECONDS) {
    problems.push(
      `HOOK_HEARTBEAT_SECONDS: must be greater than DRAIN_CHECK_SECONDS + ${REDELIVERY_SECONDS} s, the drain queue's redelivery window (${heartbeat} ≤ ${check + REDELIVERY_SECONDS}); otherwise the hook can expire between two checks or while a failed check is redelivered`,
    );
  }
  // The drain completes at the first check after its deadline, and that check may need every
  // redelivery the queue allows: all of it must fall before Auto Scaling gives up on the hook.
  const margin = (check ?? 0) + REDELIVERY_SECONDS;
  if (timeout !== undefined && heartbeat !== undefined && timeout + margin > hookGlobalTimeoutSeconds(heartbeat)) {
    problems.push(
      `DRAIN_TIMEOUT_SECONDS: at most ${hookGlobalTimeoutSeconds(heartbeat) - margin} (the lifecycle action's global timeout min(100 × HOOK_HEARTBEAT_SECONDS, 48 h) = ${hookGlobalTimeoutSeconds(heartbeat)} s, less one check and the ${REDELIVERY_SECONDS} s redelivery window); otherwise Auto Scaling continues the termination before the drain gives up`,
    );
  }
  return problems;
}
