/**
 * Who wins a scenario, in one sentence, and where each policy lost tasks. Pure.
 *
 * The winner: among the policies that lose the fewest tasks, the cheapest (a task lost is a
 * failure a saving cannot buy back; waiting is reported beside it, not traded silently). The
 * sentence gives the winner's cost, tasks lost and pending task-minutes against the runner-up's
 * (the next policy by the same order), so "by how much" is read off one line.
 */
import type { PolicyResult } from '../run/result';
import type { Loss } from '../world/world-types';

type Measured = Pick<PolicyResult, 'policy' | 'cost' | 'tasksLost' | 'pendingTaskMinutes'>;

/** Policies in the verdict's order: fewest tasks lost, then cheapest, then least waiting. */
export function ranked<T extends Measured>(results: readonly T[]): T[] {
  return [...results].sort((a, b) => a.tasksLost - b.tasksLost || a.cost - b.cost || a.pendingTaskMinutes - b.pendingTaskMinutes);
}

function percent(value: number, base: number): string {
  return base !== 0 ? `${Math.abs((100 * (value - base)) / base).toFixed(1)} %` : 'n/a';
}

/** The report's first sentence. */
export function verdict(results: readonly Measured[]): string {
  const [first, second] = ranked(results);
  if (first === undefined) return 'No policy ran.';
  if (second === undefined) return `Only ${first.policy} ran: $${first.cost.toFixed(2)}, ${first.tasksLost} task(s) lost, ${first.pendingTaskMinutes.toFixed(1)} pending task-minutes.`;
  const cost = first.cost <= second.cost ? `$${first.cost.toFixed(2)}, ${percent(first.cost, second.cost)} less than ${second.policy}'s $${second.cost.toFixed(2)}` : `$${first.cost.toFixed(2)}, ${percent(first.cost, second.cost)} more than ${second.policy}'s $${second.cost.toFixed(2)}`;
  const lost = `${first.tasksLost} task(s) lost against ${second.tasksLost}`;
  const wait = `${first.pendingTaskMinutes.toFixed(1)} pending task-minutes against ${second.pendingTaskMinutes.toFixed(1)}`;
  const why = first.tasksLost < second.tasksLost ? 'it loses the fewest tasks' : 'it is the cheapest of those that lose the fewest tasks';
  return `On this scenario ${first.policy} wins (${why}): ${cost}, ${lost}, ${wait}.`;
}


/** What each way an instance goes (sim/world: `finishTermination`) means for the tasks on it. */
const WHY: Readonly<Record<string, string>> = {
  spot: 'Spot interruption: EC2 reclaimed the instance two minutes after its warning, before these tasks had moved',
  'hook-timeout': 'the terminate lifecycle hook timed out while the instance still ran these tasks',
  'hook-completed': 'the lifecycle action was completed while these tasks still ran',
  'no-hook': 'terminated with no lifecycle hook to wait for a drain',
};

/** One readable line per loss: when, how many, which instance, which event. */
export function describeLoss(l: Loss): string {
  return `${clock(l.minute)}: ${l.tasks} task(s) on ${l.instance}, ${WHY[l.why] ?? l.why}`;
}

/** `h:mm` of a minute of the run. */
export function clock(minute: number): string {
  const m = Math.floor(minute);
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
}
