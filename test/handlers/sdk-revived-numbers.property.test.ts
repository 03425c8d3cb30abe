/**
 * The number check never lets the fast path answer differently from the SDK: for DescribeServices
 * bodies holding numbers written every way JavaScript and Java write them (shortest, fixed,
 * exponential, precision, big integers, `1.563223656E9`), the fast path's output equals the SDK
 * deserializer's, with the runtime giving revivers source text as on the Lambda runtime. And it is
 * not vacuous: timestamps as AWS writes them, and canonical numbers, always pass.
 */
import { setFlagsFromString } from 'node:v8';
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import fc from 'fast-check';
import { sdkKeepsNumbers } from '../../handlers/aws/sdk-revived-numbers';
import { ARN, both, service } from './ecs-canned-client';

// Source text access for revivers (on by default from Node 21; the deployed runtime).
setFlagsFromString('--harmony-json-parse-with-source');

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
/** A JSON number token written one of the ways JavaScript writes numbers, or one of the edge cases. */
const jsToken = fc.oneof(
  finite.map(String),
  fc.tuple(finite, fc.integer({ min: 0, max: 12 })).map(([v, d]) => v.toFixed(d)),
  fc.tuple(finite, fc.integer({ min: 0, max: 8 })).map(([v, d]) => v.toExponential(d)),
  fc.tuple(finite, fc.integer({ min: 1, max: 21 })).map(([v, d]) => v.toPrecision(d)),
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
  fc.constantFrom('-0', '-0.0', '0.000001', '0.0000001', '9007199254740991', '9007199254740992', '1.0', '1E5', '0.5e1', '0E0', '1.0E-4', '1.5E+09', '2.50000000', '1e-07'),
);

/**
 * Epoch seconds with milliseconds as AWS's Java services write a double: `d.dddE9`, the mantissa
 * with its trailing zeros dropped but at least one fractional digit.
 */
const awsTimestamp = fc.integer({ min: 1_000_000_000_000, max: 9_999_999_999_999 }).map((ms) => {
  const digits = String(ms).replace(/0+$/, '');
  return `${digits[0]}.${digits.slice(1) || '0'}E9`;
});

const token = fc.oneof(jsToken, awsTimestamp).filter((t) => {
  try {
    return typeof JSON.parse(t) === 'number';
  } catch {
    return false;
  }
});

const send = (c: ECSClient) => c.send(new DescribeServicesCommand({ cluster: 'demo', services: [`${ARN}:service/demo/web`] }));

/** A service created at `createdAt` (a token) whose hook details hold `values`. */
function body(createdAt: string, values: readonly string[]): string {
  const hooked = {
    ...service,
    createdAt: '@c@',
    deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, lifecycleHooks: [{ targetType: 'LAMBDA', lifecycleStages: ['PRE_SCALE_UP'], hookDetails: { values: values.map((_, k) => `@${k}@`) } }] },
  };
  return JSON.stringify({ services: [hooked], failures: [] })
    .replace('"@c@"', createdAt)
    .replace(/"@(\d+)@"/g, (_m, k: string) => `${Number(k) % 2 === 1 ? '\n\t ' : ''}${values[Number(k)] ?? '0'}`);
}

it('the runtime gives revivers source text (the flag took effect, so the SDK revives)', () => {
  expect(JSON.parse('[1.0]', (_k: string, v: unknown, c?: { source?: string }) => (typeof v === 'number' ? c?.source : v))).toEqual(['1.0']);
});

it('for any numbers in a DescribeServices body, the fast path answers what the SDK answers', async () => {
  await fc.assert(
    // A timestamp member as AWS writes it (an arbitrary number there can make an invalid Date,
    // which two equal outputs would not compare equal on), and any numbers in the document.
    fc.asyncProperty(awsTimestamp, fc.array(token, { minLength: 1, maxLength: 6 }), async (createdAt, values) => {
      const text = body(createdAt, values);
      const [sdk, fast] = await both(send, [{ status: 200, body: text }]);
      expect(fast).toEqual(sdk);
    }),
    { numRuns: 300 },
  );
});

it('timestamps as AWS writes them, and canonical numbers of up to 15 digits, always pass', () => {
  const canonical = fc.oneof(
    fc.integer({ min: -(10 ** 15) + 1, max: 10 ** 15 - 1 }).map(String),
    fc.tuple(fc.integer({ min: -(10 ** 9), max: 10 ** 9 }), fc.integer({ min: 0, max: 6 })).map(([n, d]) => String(n / 10 ** d)),
    awsTimestamp,
  );
  fc.assert(
    fc.property(awsTimestamp, fc.array(canonical, { minLength: 1, maxLength: 6 }), (createdAt, values) => {
      expect(sdkKeepsNumbers(body(createdAt, values))).toBe(true);
    }),
    { numRuns: 2000 },
  );
});
