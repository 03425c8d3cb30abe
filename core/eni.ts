/**
 * Network interfaces for `awsvpc` tasks. Each awsvpc task on EC2 gets its own elastic network
 * interface (ECS developer guide, "Amazon ECS task networking options for EC2": "each task is
 * allocated its own elastic network interface"), and the instance keeps its primary interface, so
 * an instance runs at most (maximum network interfaces of its type − 1) awsvpc tasks however much
 * CPU and memory it has left. With ENI trunking (account setting `awsvpcTrunking`; the container
 * instance then carries the attribute `ecs.awsvpc-trunk-id`) the limit is much higher and set per
 * type (ECS developer guide, "Increasing Amazon ECS Linux container instance network interfaces");
 * it is not modelled here: trunked instances are limited by CPU, memory and ports only.
 *
 * Maximum network interfaces per instance type: EC2 User Guide, "Maximum IP addresses per network
 * interface" (the same values kops keeps in `InstanceENIsAvailable`). Types not listed are not
 * limited (unknown, never guessed).
 */

/** Attribute ECS sets on container instances with a trunk interface. */
export const TRUNK_ATTRIBUTE = 'ecs.awsvpc-trunk-id';

/** Maximum network interfaces by size, shared by the general-purpose, compute and memory families below. */
const BY_SIZE: Readonly<Record<string, number>> = {
  medium: 2,
  large: 3,
  xlarge: 4,
  '2xlarge': 4,
  '4xlarge': 8,
  '8xlarge': 8,
  '9xlarge': 8,
  '12xlarge': 8,
  '16xlarge': 15,
  '18xlarge': 15,
  '24xlarge': 15,
};

/** Families whose sizes follow `BY_SIZE` (current-generation Nitro M, C and R types). */
const FAMILIES = new Set(['m5', 'm5a', 'm5d', 'm5n', 'c5', 'c5a', 'c5d', 'c5n', 'r5', 'r5a', 'r5d', 'r5n', 'm6i', 'm6a', 'm6g', 'c6i', 'c6a', 'c6g', 'r6i', 'r6a', 'r6g', 'm7g', 'c7g', 'r7g', 'm7i', 'c7i', 'r7i']);

const EXPLICIT: Readonly<Record<string, number>> = {
  't3.nano': 2,
  't3.micro': 2,
  't3.small': 3,
  't3.medium': 3,
  't3.large': 3,
  't3.xlarge': 4,
  't3.2xlarge': 4,
  't3a.nano': 2,
  't3a.micro': 2,
  't3a.small': 2,
  't3a.medium': 3,
  't3a.large': 3,
  't3a.xlarge': 4,
  't3a.2xlarge': 4,
};

/** Maximum network interfaces of an instance type, when known. */
export function maxNetworkInterfaces(instanceType: string): number | undefined {
  const explicit = EXPLICIT[instanceType];
  if (explicit !== undefined) return explicit;
  const [family, size] = instanceType.split('.');
  if (family === undefined || size === undefined || !FAMILIES.has(family)) return undefined;
  return BY_SIZE[size];
}

/**
 * How many awsvpc tasks an instance of this type can hold: interfaces − 1 (the primary one stays
 * the instance's). Undefined (not limited) for unknown types and trunked instances.
 */
export function awsvpcSlots(instanceType: string | undefined, trunked: boolean): number | undefined {
  if (instanceType === undefined || trunked) return undefined;
  const max = maxNetworkInterfaces(instanceType);
  return max === undefined ? undefined : Math.max(0, max - 1);
}
