import { parseEventBridge, parseNotificationBody } from '../../core/events';
import { sample } from '../handlers/events';

describe('event parsing at the edge', () => {
  it('a placement failure carries `reason` (a string, as ECS sends it) into the parsed event', () => {
    const parsed = parseEventBridge(sample('tick/placement-failure.json'));
    expect(parsed).toMatchObject({ kind: 'placement-failure', clusterName: 'demo', reason: 'RESOURCE:MEMORY' });
  });

  it('the sample placement failure has the shape ECS documents: `reason`, no `reasons`', () => {
    const detail = sample<{ detail: Record<string, unknown> }>('tick/placement-failure.json').detail;
    expect(typeof detail.reason).toBe('string');
    expect(detail).not.toHaveProperty('reasons');
  });

  it.each([
    ['EventBridge lifecycle action', () => parseEventBridge(sample('lifecycle/terminate.json'))],
    ['Spot warning', () => parseEventBridge(sample('interruption/spot-warning.json'))],
    ['placement failure', () => parseEventBridge(sample('tick/placement-failure.json'))],
  ])('the %s keeps the account it came from', (_name, parse) => {
    expect(parse()).toMatchObject({ account: '111122223333' });
  });

  it.each([
    ['group', 'AutoScalingGroupName', ' demo-spot'],
    ['hook name', 'LifecycleHookName', 'headroom-demo '],
  ])('lifecycle field values are not trimmed: a padded %s stays padded (and matches nothing configured)', (_name, field, value) => {
    const body = JSON.parse(sample<{ Records: Array<{ body: string }> }>('lifecycle/terminate.sqs.json').Records[0]?.body ?? '{}') as Record<string, unknown>;
    body[field] = value;
    const parsed = parseNotificationBody(JSON.stringify(body));
    expect(parsed.kind).toBe('lifecycle');
    expect(parsed).toMatchObject(field === 'AutoScalingGroupName' ? { group: value } : { hookName: value });
  });
});

describe('ECS Task State Change: only a task waiting for EC2 capacity is a tick', () => {
  const CI = 'arn:aws:ecs:eu-west-1:111122223333:container-instance/demo/0a1b2c3d4e5f60718293a4b5c6d7e8f9';
  it.each<[string, string, Record<string, unknown>]>([
    ['PROVISIONING with no container instance (waiting for capacity)', 'task-provisioning', {}],
    ['PROVISIONING with launch type EC2 and no container instance', 'task-provisioning', { launchType: 'EC2' }],
    ['PROVISIONING on a container instance (awsvpc: its network interface is being attached)', 'ignored', { containerInstanceArn: CI }],
    ['PROVISIONING on Fargate (launch type)', 'ignored', { launchType: 'FARGATE' }],
    ['PROVISIONING on Fargate Spot (capacity provider)', 'ignored', { capacityProviderName: 'FARGATE_SPOT' }],
    ['RUNNING', 'ignored', { lastStatus: 'RUNNING' }],
    ['no clusterArn', 'malformed', { clusterArn: undefined }],
    ['a containerInstanceArn that is not a string', 'malformed', { containerInstanceArn: 7 }],
  ])('%s → %s', (_name, kind, change) => {
    const event = sample<{ detail: Record<string, unknown> }>('tick/task-provisioning.json');
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) delete event.detail[k];
      else event.detail[k] = v;
    }
    expect(parseEventBridge(event).kind).toBe(kind);
  });
});
