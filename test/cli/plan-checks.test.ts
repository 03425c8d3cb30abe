/** The wrong setups `plan` refuses to pass over: one line each, and nothing for a right one. */
import type { Instance } from '../../core/cluster';
import type { GroupState } from '../../handlers/app/ports';
import { DEFAULTS } from '../../core/config';
import { clusterErrors, membershipChecks, missingGroupErrors } from '../../cli/plan-checks';

/** The registration grace when PROVISIONING_TIMEOUT_SECONDS is not set, in ms. */
const GRACE_MS = DEFAULTS.PROVISIONING_TIMEOUT_SECONDS * 1000;

const NOW = Date.UTC(2026, 0, 1, 12);

function group(name: string, members: Array<{ id: string; state?: string; launchedAt?: number }>): GroupState {
  return { name, min: 0, max: 10, desired: members.length, availabilityZones: ['a'], members: members.map((m) => ({ instanceId: m.id, lifecycleState: m.state ?? 'InService', ...(m.launchedAt !== undefined ? { launchedAt: m.launchedAt } : {}) })) };
}

function instance(id: string): Instance {
  return { id, status: 'ACTIVE', registered: { cpu: 4096, memory: 8192 }, remaining: { cpu: 4096, memory: 8192 } } as Instance;
}

describe('plan checks', () => {
  it.each([
    ['ACTIVE', 0],
    ['MISSING', 1],
    ['INACTIVE', 1],
  ])('a cluster with status %s gives %i error(s), naming it', (status, count) => {
    const errors = clusterErrors('prod', status);
    expect(errors).toHaveLength(count);
    for (const e of errors) expect(e).toMatch(/^cluster "prod" (not found|is INACTIVE) \(ECS DescribeClusters\): check --cluster/);
  });

  it('each configured group not returned is one error, in configuration order', () => {
    expect(missingGroupErrors(['spot', 'Spot', 'od'], [group('spot', [])])).toEqual([expect.stringMatching(/^Auto Scaling group "Spot" not found/), expect.stringMatching(/^Auto Scaling group "od" not found/)]);
    expect(missingGroupErrors(['spot'], [group('spot', [])])).toEqual([]);
  });

  it.each([
    ['one member registered', [{ id: 'i-1' }, { id: 'i-2' }], ['i-2'], 0, 0],
    ['members in service, none registered', [{ id: 'i-1' }, { id: 'i-2', launchedAt: NOW - GRACE_MS }], [], 1, 0],
    ['only members launched within the grace period', [{ id: 'i-1', launchedAt: NOW - GRACE_MS + 1 }], [], 0, 0],
    ['only members still pending', [{ id: 'i-1', state: 'Pending' }], [], 0, 0],
    ['no member at all', [], [], 0, 1],
  ])('%s (members %j, registered %j): %i error(s), %i warning(s)', (_name, members, registered, errors, warnings) => {
    const out = membershipChecks('prod', [group('spot', members)], registered.map(instance), NOW, DEFAULTS.PROVISIONING_TIMEOUT_SECONDS);
    expect(out.errors).toHaveLength(errors);
    expect(out.warnings).toHaveLength(warnings);
    for (const e of out.errors) expect(e).toMatch(/^group "spot" has \d instance\(s\) in service and none is registered with cluster "prod".*ECS_CLUSTER=prod/);
  });
  it.each([
    ['a shorter PROVISIONING_TIMEOUT_SECONDS judges a member sooner', 300, 400, 1],
    ['a longer one waits longer', 1800, 1000, 0],
    ['the default', DEFAULTS.PROVISIONING_TIMEOUT_SECONDS, 400, 0],
  ])('the registration grace is the configured provisioning timeout: %s (%i s; member launched %i s ago): %i error(s)', (_name, graceSeconds, ageSeconds, errors) => {
    const out = membershipChecks('prod', [group('spot', [{ id: 'i-1', launchedAt: NOW - ageSeconds * 1000 }])], [], NOW, graceSeconds);
    expect(out.errors).toHaveLength(errors);
  });
});
