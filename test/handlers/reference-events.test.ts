/**
 * Real payloads collected from public sources, kept beside the project in ../shared/reference-events/
 * (not copied into the repository). Each is fed to the handler that would receive it, with the
 * outcome it must have: accepted and acted on, or dropped cleanly. Skipped when the folder is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handleDrain } from '../../handlers/drain';
import { handleInterruption } from '../../handlers/interruption';
import { handleLifecycle } from '../../handlers/lifecycle';
import { handleTick } from '../../handlers/tick';
import { parseEventBridge, parseNotificationBody } from '../../core/events';
import { ACCOUNT, BASE_ENV, FakeAws, NOW, REGION, context } from './fake-aws';
import { sqs } from './events';

const dir = join(__dirname, '..', '..', '..', 'shared', 'reference-events');
const present = existsSync(dir);

const GROUPS = ['testt1.demo-0a20f32c.kops.sh', 'my-asg', 'MarketDataECS-AutoScalingGroup-TZI0DMYKJBJG'];
const env = { ...BASE_ENV, ASG_NAMES: GROUPS.join(',') };

/** Every instance any reference event names, registered in the cluster and InService in the groups. */
function world(): FakeAws {
  const aws = new FakeAws();
  for (const g of GROUPS) aws.group(g, { desired: 1, max: 10, type: 'm5.xlarge' });
  aws.service('web', { desired: 4 });
  const members: Array<[string, string]> = [
    ['i-0633ac2b0d9769723', GROUPS[0] as string],
    ['i-1234567890abcdef0', GROUPS[1] as string],
    ['i-0194708ef7e24dcc7', GROUPS[2] as string],
  ];
  for (const [id, group] of members) {
    aws.instance({ id, group, lifecycleState: 'Terminating:Wait' });
    aws.hookPending(id, 'hook');
    aws.task(id, { service: 'web' });
  }
  for (const id of ['i-0123456789', 'i-0b662ef9931388ba0']) {
    aws.instance({ id, group: GROUPS[0] as string });
    aws.task(id, { service: 'web' });
  }
  return aws;
}

type Outcome = 'acted' | 'dropped';
const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;

const CASES: Record<string, { handler: 'tick' | 'interruption' | 'lifecycle' | 'drain'; sqsBody?: boolean; outcome: Outcome }> = {
  'autoscaling-test-notification.sqs-body.json': { handler: 'lifecycle', sqsBody: true, outcome: 'dropped' },
  'aws-health-event-scheduled-change.json': { handler: 'interruption', outcome: 'dropped' },
  'ec2-instance-launch-lifecycle-action.json': { handler: 'lifecycle', outcome: 'dropped' },
  'ec2-instance-rebalance-recommendation.json': { handler: 'interruption', outcome: 'acted' },
  'ec2-instance-state-change-notification.json': { handler: 'interruption', outcome: 'dropped' },
  'ec2-instance-terminate-lifecycle-action.json': { handler: 'lifecycle', outcome: 'acted' },
  'ec2-instance-terminate-lifecycle-action.warm-pool.json': { handler: 'lifecycle', outcome: 'acted' },
  'ec2-instance-terminating.sqs-body.json': { handler: 'lifecycle', sqsBody: true, outcome: 'acted' },
  'ec2-spot-instance-interruption-warning.json': { handler: 'interruption', outcome: 'acted' },
  'ecs-container-instance-state-change.json': { handler: 'tick', outcome: 'dropped' },
  'ecs-task-state-change.json': { handler: 'tick', outcome: 'dropped' },
  'eventbridge-scheduled-event.json': { handler: 'tick', outcome: 'acted' },
  'lambda-sqs-event-envelope.json': { handler: 'drain', outcome: 'dropped' },
};

/**
 * The stack each event was meant for: its account (in the drain queue URL) and, for lifecycle
 * actions, its hook name; otherwise the handler rightly drops another account's or hook's event.
 */
function envFor(file: string, sqsBody: boolean): Record<string, string> {
  const parsed = sqsBody ? parseNotificationBody(readFileSync(join(dir, file), 'utf8')) : parseEventBridge(read(file));
  const account = 'account' in parsed && parsed.account !== undefined ? parsed.account : ACCOUNT;
  return {
    ...env,
    DRAIN_QUEUE_URL: `https://sqs.${REGION}.amazonaws.com/${account}/headroom-demo-drain`,
    ...(parsed.kind === 'lifecycle' ? { HOOK_NAME: parsed.hookName } : {}),
  };
}

async function run(file: string): Promise<{ outcome: Outcome; aws: FakeAws }> {
  const c = CASES[file];
  const aws = world();
  const ctx = context(envFor(file, c?.sqsBody === true), NOW);
  const payload = c?.sqsBody === true ? sqs(readFileSync(join(dir, file), 'utf8')) : read(file);
  switch (c?.handler) {
    case 'tick': {
      const r = await handleTick(payload, ctx);
      return { outcome: r.status === 'dropped' ? 'dropped' : 'acted', aws };
    }
    case 'interruption': {
      const r = await handleInterruption(payload, ctx);
      return { outcome: r.warnings.length + r.rebalances.length > 0 ? 'acted' : 'dropped', aws };
    }
    case 'drain': {
      const r = await handleDrain(payload as never, ctx);
      expect(r.batchItemFailures).toEqual([]);
      return { outcome: r.outcomes.length > 0 ? 'acted' : 'dropped', aws };
    }
    default: {
      const r = await handleLifecycle(payload, ctx);
      expect(r.batchItemFailures ?? []).toEqual([]);
      return { outcome: r.outcomes.length > 0 ? 'acted' : 'dropped', aws };
    }
  }
}

(present ? describe : describe.skip)(`reference events${present ? '' : ' (skipped: ../shared/reference-events/ is absent)'}`, () => {
  const files = present ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

  it('every reference event has a known handler and outcome', () => {
    expect(files.filter((f) => CASES[f] === undefined)).toEqual([]);
  });

  it.each(files.filter((f) => CASES[f] !== undefined))('%s', async (file) => {
    const { outcome, aws } = await run(file);
    expect(outcome).toBe(CASES[file]?.outcome);
    if (outcome === 'dropped' && CASES[file]?.handler !== 'tick') expect(aws.mutatingCalls()).toEqual([]);
    if (outcome === 'acted' && CASES[file]?.handler === 'lifecycle') expect(aws.count('UpdateContainerInstancesState') + aws.count('CompleteLifecycleAction')).toBeGreaterThan(0);
  });
});
