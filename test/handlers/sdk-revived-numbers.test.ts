/**
 * DescribeServices' output holds a document (lifecycle `hookDetails`), so the SDK parses its bodies
 * with a reviver that, where the runtime gives each value's source text (Node 21+: the Lambda
 * runtime), turns numbers outside the safe range, or whose text denotes a decimal the double does
 * not hold exactly, into BigInt or NumericValue. The fast path passes a body only when no number
 * would change, and sends every other body to the SDK: either way the output equals the SDK's.
 *
 * Node 20 gives a reviver no source text unless V8's flag is set; it is set here so the SDK's
 * reviver behaves as on the deployed runtime (harmless where it is already on).
 */
import { setFlagsFromString } from 'node:v8';
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { sdkKeeps, sdkKeepsNumbers } from '../../handlers/aws/sdk-revived-numbers';
import { ARN, both, service, type Canned } from './ecs-canned-client';

setFlagsFromString('--harmony-json-parse-with-source');

const sourceText = (JSON.parse('[1.0]', (_k: string, v: unknown, c?: { source?: string }) => (typeof v === 'number' ? c?.source : v)) as unknown[])[0];

const send = (c: ECSClient) => c.send(new DescribeServicesCommand({ cluster: 'demo', services: [`${ARN}:service/demo/web`] }));

/**
 * A response whose `where` holds the number written as `text` (spliced into the JSON as is), and a
 * member the SDK's model does not have (`futureMember`): the fast path keeps it, the SDK drops it,
 * which tells which of the two read the body.
 */
function body(where: 'document' | 'desiredCount', text: string): Canned {
  const hooked = {
    ...service,
    futureMember: true,
    desiredCount: where === 'desiredCount' ? '@N@' : 4,
    deploymentConfiguration: {
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      lifecycleHooks: [{ targetType: 'LAMBDA', hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:check', lifecycleStages: ['PRE_SCALE_UP'], hookDetails: { threshold: where === 'document' ? '@N@' : 1, nested: [{ a: [2, 'x'] }] } }],
    },
  };
  return { status: 200, body: JSON.stringify({ services: [hooked], failures: [] }).replace('"@N@"', text) };
}

it('the runtime gives the reviver source text (the flag took effect)', () => {
  expect(sourceText).toBe('1.0');
});

describe('numbers in a DescribeServices body', () => {
  it.each<[string, 'document' | 'desiredCount', string, 'fast' | 'sdk']>([
    ['a canonical integer in the document is read on the fast path', 'document', '42', 'fast'],
    ['a canonical fraction in the document is read on the fast path', 'document', '0.25', 'fast'],
    ['the largest safe integer is read on the fast path', 'document', '9007199254740991', 'fast'],
    ['-0 (kept as -0 by the SDK) is read on the fast path', 'document', '-0', 'fast'],
    ['1.0 (kept as 1 by the SDK) is read on the fast path', 'document', '1.0', 'fast'],
    ['a timestamp as AWS writes it, 1.563223656E9, is read on the fast path', 'document', '1.563223656E9', 'fast'],
    ['an exponent denoting the double exactly, 1e3, is read on the fast path', 'document', '1e3', 'fast'],
    ['a trailing zero, 1.50, is read on the fast path', 'document', '1.50', 'fast'],
    ['an integer beyond the safe range (a BigInt in the SDK) goes to the SDK', 'document', '12345678901234567890', 'sdk'],
    ['an unsafe integer a double cannot hold, 9007199254740993, goes to the SDK', 'document', '9007199254740993', 'sdk'],
    ['a fraction with more digits than a double holds (a NumericValue in the SDK) goes to the SDK', 'document', '0.12345678901234567890', 'sdk'],
    ['an exponent form starting with 0 goes to the SDK (the check is stricter)', 'document', '0.5e1', 'sdk'],
    ['4.0 outside the document (kept as 4) is read on the fast path', 'desiredCount', '4.0', 'fast'],
    ['an unsafe number outside the document also goes to the SDK', 'desiredCount', '1e300', 'sdk'],
  ])('%s', async (_rule, where, text, reader) => {
    const [sdk, fast] = await both(send, [body(where, text)]);
    const out = fast.services?.[0] as (Record<string, unknown> & { deploymentConfiguration?: { lifecycleHooks?: Array<{ hookDetails?: unknown }> } }) | undefined;
    expect(out?.futureMember === true ? 'fast' : 'sdk').toBe(reader);
    const { futureMember: _kept, ...known } = out ?? {};
    expect({ ...fast, services: [known] }).toEqual(sdk);
    const threshold = (out?.deploymentConfiguration?.lifecycleHooks?.[0]?.hookDetails as { threshold?: unknown } | undefined)?.threshold;
    if (where === 'document' && reader === 'fast') expect(Object.is(threshold, Number(text))).toBe(true);
  });
});

describe('sdkKeeps: one token', () => {
  it.each<[string, string, boolean]>([
    ['String(value) of a safe value', '1563223656.123', true],
    ['-0, however written', '-0.0e0', true],
    ['a Java-style exponent denoting the double exactly', '1.563223656123E9', true],
    ['a small Java-style exponent', '1.0E-4', true],
    ['a fraction with trailing zeros', '2.500', true],
    ['a fraction below 1e-6 written out', '0.0000001', true],
    ['beyond the safe range', '9007199254740992', false],
    ['a decimal the double does not hold', '0.1000000000000000055511151231257827', false],
    ['an exponent form whose mantissa starts with 0', '0.15E1', false],
  ])('%s: %s → %s', (_rule, token, kept) => {
    expect(sdkKeeps(token)).toBe(kept);
  });
});

describe('sdkKeepsNumbers: a body', () => {
  it.each<[string, string, boolean]>([
    ['canonical numbers after colons, brackets and commas pass', '{"a":1,"b":[2, 3.5,-4],"c": 0.25}', true],
    ['timestamps as AWS writes them pass', '{"createdAt":1.563223656E9,"events":[{"createdAt":1.5632236561E9}]}', true],
    ['one number the SDK would revive fails the body', '{"a":[1,2.5,12345678901234567890]}', false],
    ['space between the colon and the number does not hide it', '{"a":\n\t 12345678901234567890}', false],
    ['digits inside a string after a colon are checked too (stricter, never looser)', '{"m":"v:99999999999999999999"}', false],
    ['canonical digits inside strings pass', '{"arn":"arn:aws:ecs:us-east-1:123456789012:service/x","id":"ecs-svc/4983621574120341232"}', true],
  ])('%s', (_rule, text, expected) => {
    expect(sdkKeepsNumbers(text)).toBe(expected);
  });
});
