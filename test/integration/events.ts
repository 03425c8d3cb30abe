/**
 * The sample events of `events/`, cloned per use and pointed at a moto world (instance, group,
 * time): the handlers parse exactly the payloads AWS sends, only the ids differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const EVENTS = join(__dirname, '..', '..', 'events');

/** moto's account: the functions drop events from any other account. */
export const MOTO_ACCOUNT = '123456789012';

function load(path: string): Record<string, unknown> & { detail: Record<string, unknown> } {
  const e = structuredClone(JSON.parse(readFileSync(join(EVENTS, path), 'utf8')));
  e.account = MOTO_ACCOUNT;
  return e;
}

/** `EC2 Instance-terminate Lifecycle Action` for `instanceId` of `group`, sent now. */
export function terminateLifecycleAction(group: string, instanceId: string, hookName: string): unknown {
  const e = load('lifecycle/terminate.json');
  e.time = new Date().toISOString();
  Object.assign(e.detail, { AutoScalingGroupName: group, EC2InstanceId: instanceId, LifecycleHookName: hookName });
  return e;
}

/** `EC2 Spot Instance Interruption Warning` for `instanceId`, sent now. */
export function spotWarning(instanceId: string): unknown {
  const e = load('interruption/spot-warning.json');
  e.time = new Date().toISOString();
  e.resources = [`arn:aws:ec2:us-east-1a:instance/${instanceId}`];
  e.detail['instance-id'] = instanceId;
  return e;
}

/** The scheduled tick. */
export function scheduled(): unknown {
  return load('tick/scheduled.json');
}
