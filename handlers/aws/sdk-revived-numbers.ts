/**
 * Whether the AWS SDK's JSON reviver would keep every number of a response body as `JSON.parse`
 * gives it.
 *
 * The SDK parses a body whose output schema holds a document (smithy `needsReviver`) with
 * `jsonReviver`. Where the runtime gives a reviver each value's source text (Node 21+, so Lambda's
 * nodejs22.x and later; TC39 "JSON.parse source text access"), that reviver turns a number into a
 * BigInt or a NumericValue when it is outside the safe integer range, or when its text denotes a
 * decimal the double does not hold exactly (`0.12345678901234567890`). Numbers written otherwise
 * than JavaScript writes them but denoting the double's exact decimal, as AWS's Java services
 * write timestamps (`1.563223656E9`) or `1.0`, it keeps.
 *
 * `sdkKeepsNumbers` passes a body only when every token is kept: a cheap test first (a token that
 * looks like JavaScript's `String(value)` of a safe value is kept), then for the others an exact
 * comparison of the decimal the token denotes with the double's. It is stricter than the SDK, never
 * looser: a token whose exponent form starts with 0 (`0.5e1`) is refused although the SDK may keep
 * it, and digit runs inside strings that look like numbers are checked too. A refused body goes to
 * the SDK's own deserializer, which is slower but equal.
 */

/**
 * A token that may not be `String(value)` of a safe value: an exponent, a fraction ending in 0,
 * 16 or more digits, or a fraction below 1e-6 (which `String` writes with an exponent). With 15
 * digits or fewer, no exponent and no trailing zero, a JSON numeral is the shortest text that
 * parses back to its value, which is what `String` writes for 1e-6 ≤ |value| < 1e21 (ECMA-262
 * Number::toString). A number value follows `:`, `[` or `,` and optional space; matches inside
 * strings only cost the exact check.
 */
const SUSPECT = /[:[,]\s*-?(?:\d[\d.]*[eE]|\d+\.\d*0(?!\d)|(?:\d\.?){16}|0\.0{6})/;

/** Every number token (and digit runs inside strings that follow `:`, `[` or `,`). */
const TOKEN = /[:[,]\s*(-?\d[\d.]*(?:[eE][+-]?\d+)?)/g;

/** A JSON numeral: sign, integer digits, fraction digits, exponent. */
const NUMERAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * The decimal a numeral denotes, canonically: its significant digits (no leading or trailing zero)
 * and the position of the decimal point relative to their start (`1.5E9` and `1500000000` both
 * give `15@10`), or undefined for text that is not a numeral.
 */
function decimal(text: string): string | undefined {
  const m = NUMERAL.exec(text);
  if (m === null) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = m;
  let digits = whole + fraction;
  let point = whole.length + Number(exponent);
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead).replace(/0+$/, '');
  point -= lead;
  return digits === '' ? '0' : `${sign}${digits}@${point}`;
}

/** Whether the SDK's reviver keeps this token as the number `JSON.parse` gives. */
export function sdkKeeps(token: string): boolean {
  const value = Number(token);
  if (Object.is(value, -0)) return true; // the SDK keeps -0 however it is written
  if (!(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) return false;
  if (String(value) === token) return true;
  // Exponent forms only with a mantissa that starts with a non-zero digit, the one the SDK's
  // expansion compares exactly (`1.563223656E9`, `1.0E-4`).
  if (/[eE]/.test(token) && !/^-?[1-9]/.test(token)) return false;
  const denoted = decimal(token);
  return denoted !== undefined && denoted === decimal(String(value));
}

/** Whether the SDK's reviver keeps every number of this JSON text as `JSON.parse` gives it. */
export function sdkKeepsNumbers(text: string): boolean {
  if (!SUSPECT.test(text)) return true;
  for (const m of text.matchAll(TOKEN)) if (!sdkKeeps(m[1] as string)) return false;
  return true;
}
