/**
 * EC2 Spot as the world sees it: when interruption warnings and rebalance recommendations come,
 * and which instances they hit. Everything is drawn from seeded streams fixed before the run, so
 * every policy faces the same hazards (EC2 User Guide, "Spot Instance interruptions": a warning two
 * minutes before EC2 acts; "EC2 instance rebalance recommendations": a signal of elevated risk that
 * can come earlier than the warning, or without any interruption following).
 * - Background interruptions: a thinned Poisson process. Hazards arrive at rate λ × slots (slots =
 *   Σ max of the Spot groups); hazard u hits the ⌊u × slots⌋-th live Spot instance in launch order,
 *   if there is one, so each instance is hit at rate λ whatever the fleet size.
 * - Storms: at `atMinute`, a `fraction` of the live Spot instances (of one zone, if given).
 * - `rebalance.fraction` of interruptions are preceded by a recommendation `leadMinutes` earlier
 *   (drawn in the range): the victim is chosen at the recommendation and warned after the lead if
 *   it is still alive; a storm's victims are chosen at the storm minute minus the longest lead.
 *   `falseAlarmsPerInstanceHour`: recommendations never followed by an interruption (thinned the
 *   same way as hazards).
 */
import type { Prng } from './prng';
import type { Scenario } from '../scenario/scenario';
import type { SimInstance, SpotMark } from './world-types';

export const SPOT_WARNING_SECONDS = 120;

/** What the Spot processes need from the world. */
export interface SpotHost {
  readonly now: number;
  /** Epoch ms of minute 0. */
  readonly start: number;
  /** Live Spot instances not yet warned, in launch order. */
  spotCandidates(): SimInstance[];
  /** Σ max over the Spot groups. */
  readonly spotSlots: number;
  at(time: number, label: string, run: () => void): void;
  /** The two-minute interruption warning (the world terminates the instance after it). */
  warn(i: SimInstance): void;
  /** An `EC2 Instance Rebalance Recommendation` for the instance. */
  recommend(i: SimInstance): void;
  readonly spotMarks: SpotMark[];
}

/** Fixes every Spot event of the run: background interruptions, storms, then false alarms. */
export function scheduleSpot(host: SpotHost, scenario: Scenario, prng: Prng): void {
  scheduleInterruptions(host, scenario, prng);
  scenario.interruptions.storms.forEach((storm, index) => scheduleStorm(host, scenario, storm, prng.fork(`storm-${index}`)));
  scheduleFalseAlarms(host, scenario, prng);
}

type Rebalance = Scenario['interruptions']['rebalance'];
type Storm = Scenario['interruptions']['storms'][number];

/** Minutes since minute 0 of the run, for the chart's marks. */
function minuteOf(host: SpotHost, t: number): number {
  return (t - host.start) / 60_000;
}

/** How long (ms) a recommendation comes before its interruption, drawn in `leadMinutes`. */
function leadOf(rebalance: Rebalance, p: Prng): number {
  return rebalance === undefined ? 0 : p.between(rebalance.leadMinutes[0], rebalance.leadMinutes[1]) * 60_000;
}

/** Still running and not yet warned: a warning or recommendation still means something. */
function alive(i: SimInstance): boolean {
  return i.lifecycle !== 'Terminated' && i.lifecycle !== 'Terminating:Wait' && i.spotWarnedAt === undefined;
}

/** Background interruptions: the thinned Poisson process, some preceded by a recommendation. */
function scheduleInterruptions(host: SpotHost, scenario: Scenario, prng: Prng): void {
  const { interruptions } = scenario;
  const slots = host.spotSlots;
  const rebalance = interruptions.rebalance;
  if (!(interruptions.spotPerInstanceHour > 0 && slots > 0)) return;
  const p = prng.fork('spot-hazards');
  const r = prng.fork('spot-rebalance');
  poissonArrivals(p, (interruptions.spotPerInstanceHour * slots) / 3600, scenario.durationMinutes * 60, (t) => {
    const u = p.next();
    const early = rebalance !== undefined && r.chance(rebalance.fraction);
    const ahead = early ? leadOf(rebalance, r) : 0;
    const at = host.start + Math.round(t * 1000);
    // With a recommendation first, the victim is chosen at the recommendation (`ahead` earlier).
    host.at(Math.max(host.start, at - ahead), 'spot-hazard', () => {
      const victim = host.spotCandidates()[Math.floor(u * slots)];
      if (victim === undefined) return;
      if (!early) {
        host.spotMarks.push({ minute: minuteOf(host, host.now), count: 1, storm: false });
        host.warn(victim);
        return;
      }
      host.recommend(victim);
      host.at(at, 'spot-warning', () => {
        if (!alive(victim)) return;
        host.spotMarks.push({ minute: minuteOf(host, host.now), count: 1, storm: false });
        host.warn(victim);
      });
    });
  });
}

/** One storm: victims chosen the longest lead before it, some recommended first, then all warned. */
function scheduleStorm(host: SpotHost, scenario: Scenario, storm: Storm, picks: Prng): void {
  const rebalance = scenario.interruptions.rebalance;
  const at = host.start + storm.atMinute * 60_000;
  const longest = rebalance === undefined ? 0 : rebalance.leadMinutes[1] * 60_000;
  host.at(Math.max(host.start, at - longest), 'storm', () => {
    const candidates = host.spotCandidates().filter((i) => storm.availabilityZone === undefined || i.zone === storm.availabilityZone);
    const n = candidates.length === 0 || storm.fraction <= 0 ? 0 : Math.max(1, Math.round(storm.fraction * candidates.length));
    const victims = picks.shuffle(candidates).slice(0, n);
    if (rebalance !== undefined) {
      for (const v of victims) {
        if (!picks.chance(rebalance.fraction)) continue;
        host.at(Math.max(host.now, at - leadOf(rebalance, picks)), 'rebalance', () => {
          if (alive(v)) host.recommend(v);
        });
      }
    }
    host.at(at, 'storm-warnings', () => {
      const hit = victims.filter(alive);
      host.spotMarks.push({ minute: minuteOf(host, host.now), count: hit.length, storm: true });
      for (const v of hit) host.warn(v);
    });
  });
}

/** Recommendations never followed by an interruption, thinned like the background hazards. */
function scheduleFalseAlarms(host: SpotHost, scenario: Scenario, prng: Prng): void {
  const rebalance = scenario.interruptions.rebalance;
  const slots = host.spotSlots;
  if (!(rebalance !== undefined && rebalance.falseAlarmsPerInstanceHour > 0 && slots > 0)) return;
  const p = prng.fork('rebalance-false-alarms');
  poissonArrivals(p, (rebalance.falseAlarmsPerInstanceHour * slots) / 3600, scenario.durationMinutes * 60, (t) => {
    const u = p.next();
    host.at(host.start + Math.round(t * 1000), 'rebalance-false-alarm', () => {
      const victim = host.spotCandidates()[Math.floor(u * slots)];
      if (victim !== undefined) host.recommend(victim);
    });
  });
}

/**
 * Calls `each` at every arrival time (seconds from the start, before `durationSeconds`) of a
 * Poisson process of rate `perSecond` drawn from `p`; `each` may draw from `p` too, between two
 * gaps, so the stream's order is the one the arrivals see.
 */
function poissonArrivals(p: Prng, perSecond: number, durationSeconds: number, each: (t: number) => void): void {
  for (let t = p.exponential(perSecond); t < durationSeconds; t += p.exponential(perSecond)) each(t);
}
