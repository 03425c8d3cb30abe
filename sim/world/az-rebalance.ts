/**
 * Auto Scaling's AZRebalance process, for every policy alike: when a group's zones drift more than
 * one instance apart (a chosen termination, a Spot interruption), Auto Scaling launches an
 * instance in the emptiest zone and, once it is in service, terminates one in the fullest zone.
 *
 * - "You call TerminateInstanceInAutoScalingGroup, which causes the group to become unbalanced"
 *   is one of the conditions that start a rebalancing activity, and Auto Scaling "launches new
 *   instances before terminating the old ones, so that rebalancing does not compromise the
 *   performance or availability of your application"; near the maximum the group may exceed it by
 *   10 % or one instance for the duration (EC2 Auto Scaling User Guide, "Rebalancing activities",
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-availability-zone-balanced.html).
 *   One rebalancing instance at a time keeps the group within that margin.
 * - The victim is chosen by the termination policy, Availability Zone rebalancing being one of the
 *   cases where it applies (EC2 Auto Scaling User Guide, "Control which Auto Scaling instances
 *   terminate during scale in", https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-instance-termination.html);
 *   instance scale-in protection therefore shields busy instances under ECS managed termination
 *   protection (the page on scale-in protection lists what it does not protect against, and
 *   rebalancing is not among them). The victim goes through the terminate lifecycle hook like any
 *   termination, so the policy's drain runs.
 * - The process is on unless suspended (`SuspendProcesses` with `AZRebalance`, EC2 Auto Scaling User
 *   Guide, "Suspend and resume processes"): the scenario's `capacityGroups[].azRebalance: false`
 *   suspends it for every policy; a policy's own setup may suspend it (`GroupSettings.suspendAzRebalance`).
 * Our assumptions, the sources giving no numbers: "more than one instance apart" is the imbalance
 * that starts an activity; the check runs every minute; no activity starts when no member of the
 * fullest zone may be terminated.
 */
import { AutoScalingWorld } from './auto-scaling-world';
import type { GroupRuntime, SimInstance } from './world-types';
import { emptiestZone, fullestZone, zoneCounts } from './zone-counts';

/** The emptiest and fullest zones when they are more than one instance apart (first listed wins ties). */
export function imbalance(counts: ReadonlyMap<string, number>): { readonly emptiest: string; readonly fullest: string } | undefined {
  const emptiest = emptiestZone(counts);
  const fullest = fullestZone(counts);
  if (emptiest === undefined || fullest === undefined) return undefined;
  return (counts.get(fullest) ?? 0) - (counts.get(emptiest) ?? 0) > 1 ? { emptiest, fullest } : undefined;
}

export class RebalancingWorld extends AutoScalingWorld {
  /** AZRebalance acts on this group: several zones, not suspended by the scenario or the policy's setup. */
  azRebalanceOn(g: GroupRuntime): boolean {
    return g.zones.length > 1 && g.spec.azRebalance && this.policy.settings.suspendAzRebalance !== true;
  }

  protected override rebalanceUnits(g: GroupRuntime): number {
    const r = g.rebalancing;
    return r !== undefined && r.lifecycle === 'Pending' ? r.type.weight : 0;
  }

  /** The periodic check: start an activity on an unbalanced group, or finish one whose launch is in service. */
  protected checkZoneBalance(): void {
    for (const g of this.groups) {
      if (!this.azRebalanceOn(g)) continue;
      const r = g.rebalancing;
      if (r !== undefined) {
        if (r.lifecycle === 'InService') this.finishRebalance(g, r);
        else if (r.lifecycle !== 'Pending') delete g.rebalancing;
        continue;
      }
      const live = this.liveMembers(g);
      const gap = imbalance(zoneCounts(g.zones, live));
      // Whether a member may go is checked without a draw: the termination-policy stream is drawn
      // from only when a victim is chosen (`finishRebalance`), so a check that launches nothing
      // leaves every later scale-in pick as it would be with the process suspended.
      if (gap === undefined || this.rebalanceCandidates(live, gap.fullest).length === 0) continue;
      const launched = this.launch(g, gap.emptiest);
      if (launched === undefined) continue;
      g.rebalancing = launched;
      this.rebalanceLaunches++;
      this.note(`asg: AZRebalance launches ${launched.id} in ${gap.emptiest} (${gap.fullest} is fuller)`);
    }
  }

  protected override register(i: SimInstance): void {
    super.register(i);
    if (i.group.rebalancing === i && i.lifecycle === 'InService') this.finishRebalance(i.group, i);
  }

  /** The launched instance is in service: the termination policy removes one from the fullest zone. */
  private finishRebalance(g: GroupRuntime, launched: SimInstance): void {
    delete g.rebalancing;
    const live = this.liveMembers(g);
    const fullest = fullestZone(zoneCounts(g.zones, live));
    const victim = fullest === undefined ? undefined : this.rebalanceVictim(live.filter((i) => i !== launched), fullest);
    if (victim === undefined) {
      // Nothing in the fullest zone may go now: the group holds one instance over desired until reconciled.
      this.reconcileGroup(g);
      return;
    }
    this.note(`asg: AZRebalance terminates ${victim.id} in ${victim.zone}`);
    this.beginTermination(victim);
  }

  /** The members of `zone` the termination policy may remove: in service, unprotected. */
  private rebalanceCandidates(live: readonly SimInstance[], zone: string): SimInstance[] {
    return live.filter((i) => i.zone === zone && i.lifecycle === 'InService' && !this.protectedFromScaleIn(i));
  }

  /** One of `rebalanceCandidates` at random: the only draw AZRebalance makes, when it terminates. */
  private rebalanceVictim(live: readonly SimInstance[], zone: string): SimInstance | undefined {
    const candidates = this.rebalanceCandidates(live, zone);
    return candidates.length === 0 ? undefined : this.victimPrng.shuffle(candidates)[0];
  }
}
