/**
 * DescribeServices' output holds a document (lifecycle `hookDetails`), so the SDK parses its bodies
 * with a reviver that, where the runtime gives each value's source text (Node 21+: the Lambda
 * runtime), turns numbers a double does not hold exactly, or not written canonically, into BigInt
 * or NumericValue. The fast path passes a body only when no number would change, and sends every
 * other body to the SDK: either way the output equals the SDK's.
 *
 * Node 20 gives a reviver no source text unless V8's flag is set; it is set here so the SDK's
 * reviver behaves as on the deployed runtime (harmless where it is already on).
 */
import { setFlagsFromString } from 'node:v8';
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { sdkKeepsNumbers } from '../../handlers/aws/ecs-fast-json';
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
    ['the largest safe integer goes to the SDK (16 digits: the check is stricter)', 'document', '9007199254740991', 'sdk'],
    ['15 digits are read on the fast path', 'document', '123456789012345', 'fast'],
    ['-0 (kept as -0 by the SDK) is read on the fast path', 'document', '-0', 'fast'],
    ['1.0 in the document (a NumericValue in the SDK) goes to the SDK', 'document', '1.0', 'sdk'],
    ['an exponent in the document goes to the SDK', 'document', '1e3', 'sdk'],
    ['an integer beyond the safe range in the document (a BigInt in the SDK) goes to the SDK', 'document', '12345678901234567890', 'sdk'],
    ['a fraction with more digits than a double holds goes to the SDK', 'document', '0.12345678901234567890', 'sdk'],
    ['a trailing zero (kept as 1.5 by the SDK) goes to the SDK all the same (the check is stricter)', 'document', '1.50', 'sdk'],
    ['a number the SDK would revive outside the document also goes to the SDK', 'desiredCount', '4.0', 'sdk'],
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

describe('sdkKeepsNumbers', () => {
  it.each<[string, string, boolean]>([
    ['canonical numbers after colons, brackets and commas pass', '{"a":1,"b":[2, 3.5,-4],"c": 0.25}', true],
    ['-0 passes (the SDK keeps -0)', '{"a":-0}', true],
    ['a trailing .0 does not', '{"a":[1,1.0]}', false],
    ['an exponent does not', '{"a":1e3}', false],
    ['an unsafe integer does not, even written canonically', '{"a":9007199254740993}', false],
    ['space between the colon and the number does not hide it', '{"a":\n\t 12345678901234567890}', false],
    ['a fraction below 1e-6 does not (String writes it with an exponent)', '{"a":0.0000001}', false],
    ['1e-6 itself passes', '{"a":0.000001}', true],
    ['15 digits pass, 16 do not', '{"a":123456789012345,"b":0.12345678901234}', true],
    ['16 digits do not', '{"a":1234567890123456}', false],
    ['digits inside a string after a colon are checked too (stricter, never looser)', '{"m":"v:1.0"}', false],
    ['canonical digits inside strings pass', '{"arn":"arn:aws:ecs:us-east-1:123456789012:service/x","id":"ecs-svc/4983621574120341232"}', true],
  ])('%s', (_rule, text, expected) => {
    expect(sdkKeepsNumbers(text)).toBe(expected);
  });
});
