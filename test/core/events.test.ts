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
    ['hook name', 'LifecycleHookName', 'headroom-drain '],
  ])('lifecycle field values are not trimmed: a padded %s stays padded (and matches nothing configured)', (_name, field, value) => {
    const body = JSON.parse(sample<{ Records: Array<{ body: string }> }>('lifecycle/terminate.sqs.json').Records[0]?.body ?? '{}') as Record<string, unknown>;
    body[field] = value;
    const parsed = parseNotificationBody(JSON.stringify(body));
    expect(parsed.kind).toBe('lifecycle');
    expect(parsed).toMatchObject(field === 'AutoScalingGroupName' ? { group: value } : { hookName: value });
  });
});
