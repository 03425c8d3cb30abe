/**
 * `REBALANCE_POLICY=move`: when the service tasks of an instance with a rebalance recommendation
 * move. Launch before drain, as Auto Scaling's Capacity Rebalancing does: it terminates the
 * at-risk instance only once its new instance has launched and passed its health check
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-capacity-rebalancing.html).
 *
 * Why wait for the room: DRAINING stops a service's RUNNING tasks as its `minimumHealthyPercent`
 * allows, before their replacements run when it is below 100 %, and a replacement that finds no
 * room waits for one
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html).
 * Drained at the recommendation while its replacement instance is still launching, such a service
 * runs short for a whole launch, and most recommendations are false alarms. So the instance is
 * drained at once only when its service tasks fit on the other active instances now; otherwise it
 * stays ACTIVE (marked `headroom.rebalance`, its replacement launched) and a later tick drains it
 * once they fit, normally when the replacement has registered.
 *
 * Room other work already needs comes first: tasks waiting with no instance, unplaced service
 * tasks and the tasks moving off draining or leaving instances are placed before. Another
 * instance waiting for its own move is never a target. Pure; O(tasks × instances).
 */
import type { CapacityGroup, Instance, Service, TaskShape } from './cluster';
import { isScaleInDrain, isSchedulable, REACTIVATED_ATTRIBUTE, REBALANCE_ATTRIBUTE, tasksKnown } from './cluster';
import { markedAt } from './consolidation';
import type { DecideInput } from './decide';
import { seatPlan, seatsAddedBack, type Membership } from './interruption';
import { isLeaving } from './incoming';
import { packFirstFitDecreasing } from './packing';
import { movingServiceTasks } from './reserve';
import { binOf, cloneBin, type Bin } from './placement';
import type { ScaleIn } from './scale-in';
import { demandOf, type ScaleOut } from './scale-out';

export interface MoveInput {
  readonly now: number;
  readonly instances: readonly Instance[];
  readonly services: readonly Service[];
  /** The instances to move, in order (an instance with an unknown task list is skipped). */
  readonly candidates: readonly Instance[];
  readonly leaving?: ReadonlySet<string>;
  readonly waiting?: readonly TaskShape[];
}

export interface Move {
  readonly instance: Instance;
  readonly reasons: readonly string[];
}

/**
 * Recommended instances still waiting for their move: ACTIVE, marked `headroom.rebalance`, not
 * drained yet, not leaving, and not returned to service since the recommendation (a move that
 * waited `SCALE_IN_WAIT_SECONDS` for its standalone tasks went back to service, `consolidation.ts`:
 * it has had its move). Oldest recommendation first.
 */
export function awaitingMove(instances: readonly Instance[], leaving?: ReadonlySet<string>): Instance[] {
  return instances
    .filter((i) => {
      const recommended = markedAt(i, REBALANCE_ATTRIBUTE);
      if (recommended === undefined || !isSchedulable(i) || isScaleInDrain(i) || isLeaving(i, leaving)) return false;
      const back = markedAt(i, REACTIVATED_ATTRIBUTE);
      return back === undefined || back < recommended;
    })
    .sort((a, b) => (markedAt(a, REBALANCE_ATTRIBUTE) as number) - (markedAt(b, REBALANCE_ATTRIBUTE) as number) || a.id.localeCompare(b.id));
}

/**
 * The candidates whose service tasks fit now on the other active instances, after the room other
 * work needs (see the file comment), each candidate's tasks packed first-fit decreasing on what
 * the candidates before it left.
 */
export function movesThatFit(input: MoveInput): Move[] {
  // Targets: neither a candidate nor another instance awaiting its move (it is leaving too).
  const excluded = new Set([...input.candidates, ...awaitingMove(input.instances, input.leaving)].map((c) => c.id));
  let bins: Bin[] = input.instances.filter((i) => isSchedulable(i) && !isLeaving(i, input.leaving) && !excluded.has(i.id)).map(binOf);
  const candidates = new Set(input.candidates.map((c) => c.id));
  const others = demandOf(input.services, input.instances.filter((i) => !candidates.has(i.id)), input.leaving, undefined, input.waiting);
  // What does not fit needs new capacity anyway; what fits is room the moves may not take.
  packFirstFitDecreasing(others, bins);
  const moves: Move[] = [];
  for (const c of input.candidates) {
    if (!tasksKnown(c)) continue;
    const tasks = movingServiceTasks(c);
    const trial = bins.map(cloneBin);
    if (packFirstFitDecreasing(tasks, trial).unplaced.length > 0) continue;
    bins = trial;
    moves.push({ instance: c, reasons: [`rebalance recommendation (REBALANCE_POLICY=move): its ${tasks.length} service task(s) fit on the other active instances now: drain it for scale-in, they move`] });
  }
  return moves;
}

/**
 * The tick's moves (`decide`): the instances awaiting their move (`candidates`, members of a
 * configured group) whose service tasks fit now, as scale-in drains of their group: the drain a
 * move is.
 */
export function tickMoves(input: MoveInput & { readonly groups: ReadonlySet<string> }): ScaleIn[] {
  const candidates = input.candidates.filter((i) => i.group !== undefined && input.groups.has(i.group));
  if (candidates.length === 0) return [];
  return movesThatFit({ ...input, candidates }).map((m) => ({ kind: 'scale-in', instance: m.instance.id, group: m.instance.group as string, reasons: m.reasons }));
}

/**
 * The decision's view while instances await their move: they are leaving (their capacity does not
 * count, their service tasks are demand), and their seats are given up, since the replacement
 * launched at the recommendation holds a seat of its own and the instance is terminated with a
 * decrement (`interruption.ts`: a leaving member's seat would otherwise count as capacity Auto
 * Scaling refills). `seatsBack` adds the seats back to the scale-out, as for a recommendation.
 */
export function awaitingAsLeaving(input: DecideInput, awaiting: readonly Instance[]): DecideInput {
  if (awaiting.length === 0) return input;
  const targets = { drain: [], replace: awaiting.map((i) => i.id) };
  const { groups } = seatPlan(targets, new Map(awaiting.map((i) => [i.id, i])), membershipOf(awaiting), input.groups);
  return { ...input, groups, leaving: new Set([...(input.leaving ?? []), ...targets.replace]) };
}

/** The scale-out actions with the seats of the awaiting instances added back (never above max). */
export function seatsBack(actions: readonly ScaleOut[], awaiting: readonly Instance[], groups: readonly CapacityGroup[]): ScaleOut[] {
  return awaiting.length === 0 ? [...actions] : seatsAddedBack(actions, awaiting.map((i) => i.id), membershipOf(awaiting), groups);
}

function membershipOf(instances: readonly Instance[]): Map<string, Membership> {
  return new Map(instances.filter((i) => i.group !== undefined).map((i) => [i.id, { group: i.group as string, live: true }]));
}
