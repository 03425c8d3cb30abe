/**
 * `sdkKeepsNumbers` never passes a body in which the SDK's reviver would change a number: for any
 * JSON text built from numbers written every way JavaScript writes them (shortest, fixed,
 * exponential, precision, big integers) and strings holding digits, a text that passes has only
 * tokens the SDK keeps (a safe value written as `String(value)`, or -0). And it is not vacuous:
 * canonical numbers of 15 digits or fewer always pass.
 */
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { sdkKeepsNumbers } from '../../handlers/aws/ecs-fast-json';

// Source text access for revivers (on by default from Node 21; the deployed runtime).
setFlagsFromString('--harmony-json-parse-with-source');

/** Each number token's source text and value, as the runtime's reviver sees them. */
function tokens(text: string): Array<{ source: string; value: number }> {
  const out: Array<{ source: string; value: number }> = [];
  JSON.parse(text, (_k: string, value: unknown, context?: { source?: string }) => {
    if (typeof value === 'number') out.push({ source: context?.source ?? '', value });
    return value;
  });
  return out;
}

/** What the SDK's `jsonReviver` keeps as the plain number (the sufficient condition the check uses). */
const sdkKeeps = (t: { source: string; value: number }): boolean => Object.is(t.value, -0) || (Math.abs(t.value) <= Number.MAX_SAFE_INTEGER && String(t.value) === t.source);

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
/** A JSON number token written one of the ways JavaScript writes numbers. */
const token = fc.oneof(
  finite.map(String),
  fc.tuple(finite, fc.integer({ min: 0, max: 12 })).map(([v, d]) => v.toFixed(d)),
  fc.tuple(finite, fc.integer({ min: 0, max: 8 })).map(([v, d]) => v.toExponential(d)),
  fc.tuple(finite, fc.integer({ min: 1, max: 21 })).map(([v, d]) => v.toPrecision(d)),
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom('-0', '0.000001', '0.0000001', '9007199254740991', '9007199254740992', '1.0', '-0.0', '1E5'),
).filter((t) => {
  try {
    return typeof JSON.parse(t) === 'number';
  } catch {
    return false;
  }
});
const space = fc.constantFrom('', ' ', '\n\t ');
/** A string value with digits, colons and commas in it. */
const str = fc.stringMatching(/^[a-z0-9:,. [\]-]{0,12}$/).map((s) => JSON.stringify(s));

const body = fc.array(fc.tuple(fc.oneof(token, str), space), { minLength: 1, maxLength: 8 }).map((values) => `{"a":[${values.map(([v, s]) => `${s}${v}`).join(',')}],"m":{"k":${values[0]?.[0] ?? '0'}}}`);

it('a body that passes holds only numbers the SDK keeps as they parse', () => {
  fc.assert(
    fc.property(body, (text) => {
      if (sdkKeepsNumbers(text)) expect(tokens(text).every(sdkKeeps)).toBe(true);
    }),
    { numRuns: 3000 },
  );
});

it('canonical numbers of up to 15 digits, at least 1e-6 in size, always pass', () => {
  const canonical = fc.oneof(
    fc.integer({ min: -(10 ** 15) + 1, max: 10 ** 15 - 1 }),
    fc.tuple(fc.integer({ min: -(10 ** 9), max: 10 ** 9 }), fc.integer({ min: 0, max: 6 })).map(([n, d]) => n / 10 ** d),
  ).filter((v) => v === 0 || Math.abs(v) >= 1e-6);
  fc.assert(
    fc.property(fc.array(canonical, { minLength: 1, maxLength: 6 }), space, (values, s) => {
      expect(sdkKeepsNumbers(`{"a":[${values.map((v) => `${s}${String(v)}`).join(',')}]}`)).toBe(true);
    }),
    { numRuns: 2000 },
  );
});
