/**
 * Auto Scaling's answer to a termination with `ShouldDecrementDesiredCapacity`, shared by the
 * simulated world and the handlers' test fake so the two agree.
 *
 * Desired capacity drops by the instance's weight (1 unless the group has weights): the API
 * reference says that without the decrement "Amazon EC2 Auto Scaling launches instances to replace
 * the ones that are terminated", so the decrement is what makes the termination final
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_TerminateInstanceInAutoScalingGroup.html);
 * with weights desired capacity is stated "with the same units that you use for weighting
 * instances", each instance counting its weight toward it
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups-instance-weighting.html).
 * Lowering desired by 1 for a weight-4 instance would leave 3 units unfilled and the group would
 * launch a replacement after all. A decrement that would take desired below the minimum is refused
 * with the ValidationError the Auto Scaling adapter recognises (`handlers/aws/autoscaling.ts`). The
 * documentation states no rule for a weighted group; this is the reading consistent with both pages
 * (moto ignores weights and lowers desired by 1: test/integration/moto-gaps.md).
 */

export type Decrement = { readonly ok: true; readonly desired: number } | { readonly ok: false; readonly message: string };

/** Desired capacity after terminating an instance of `weight` units with the decrement, or AWS's refusal. */
export function decrementDesired(desired: number, min: number, weight: number): Decrement {
  if (desired - weight < min) {
    return { ok: false, message: `Currently, desiredSize equals minSize (${min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.` };
  }
  return { ok: true, desired: desired - weight };
}
