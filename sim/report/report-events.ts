/**
 * What the report reads from a run's event log (`PolicyRun.log`, lines `"<minute> <message>"` the
 * world writes): Auto Scaling desired-capacity changes per group, terminations with decrement and
 * instances set DRAINING. Lines it does not recognise are ignored, so a changed log costs markers,
 * never the report.
 */
export type MarkerKind = 'scale-out' | 'scale-in' | 'drain';

export interface RunEvents {
  readonly markers: ReadonlyArray<{ readonly minute: number; readonly kind: MarkerKind; readonly count: number }>;
  /** Desired capacity (weighted units) per group: `[minute, value]` steps from each change. */
  readonly desired: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>>;
}

const LINE = /^(\d+(?:\.\d+)?) (.*)$/;
const DESIRED = /^asg: .* sets desired of (\S+) (\d+) → (\d+)$/;
const TERMINATE_DECREMENT = /^asg: .* terminates \S+ \(desired −\d+\)$/;
const DRAINING = /^ecs: .* sets \S+ DRAINING$/;

/**
 * `initial`: each group's initial desired capacity. A termination with decrement names the
 * instance, not its group: with one group it lowers that group's desired; with several, the next
 * desired change of the group (which logs the value before it) corrects the line.
 */
export function eventsOf(log: readonly string[], initial: Readonly<Record<string, number>> = {}): RunEvents {
  const only = Object.keys(initial).length === 1 ? (Object.keys(initial)[0] as string) : undefined;
  const current: Record<string, number> = { ...initial };
  const markers: Array<{ minute: number; kind: MarkerKind; count: number }> = [];
  const desired: Record<string, Array<[number, number]>> = {};
  for (const line of log) {
    const m = LINE.exec(line);
    if (m === null) continue;
    const minute = Number(m[1]);
    const text = m[2] as string;
    const d = DESIRED.exec(text);
    if (d !== null) {
      const [from, to] = [Number(d[2]), Number(d[3])];
      const steps = (desired[d[1] as string] ??= []);
      steps.push([minute, from], [minute, to]);
      current[d[1] as string] = to;
      markers.push({ minute, kind: to > from ? 'scale-out' : 'scale-in', count: Math.abs(to - from) });
    } else if (TERMINATE_DECREMENT.test(text)) {
      markers.push({ minute, kind: 'scale-in', count: 1 });
      if (only !== undefined) {
        current[only] = (current[only] ?? 0) - 1;
        (desired[only] ??= []).push([minute, current[only] as number]);
      }
    }
    else if (DRAINING.test(text)) markers.push({ minute, kind: 'drain', count: 1 });
  }
  return { markers, desired };
}

/** The value of a step series at each of `minutes` (`initial` before its first step). */
export function stepAt(steps: ReadonlyArray<readonly [number, number]>, minutes: readonly number[], initial: number): number[] {
  const out: number[] = [];
  let k = 0;
  let value = initial;
  for (const t of minutes) {
    while (k < steps.length && (steps[k] as readonly [number, number])[0] <= t) value = (steps[k++] as readonly [number, number])[1];
    out.push(value);
  }
  return out;
}
