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
 * the SDK's own deserializer, which is slower but equal. On a page of 10 services with 100 events
 * each (101 KB, every timestamp written `1.dddE9`), the check costs about 1 ms against 0.6 ms for
 * `JSON.parse`, and the fast path answers in about 4 ms where the SDK's deserializer, with source
 * text on, takes 11 ms.
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

/**
 * Where a JSON numeral's significant digits lie (from its first non-zero digit `first` to its last
 * `last`, skipping any '.'), and `point`: the position of the decimal point counted in digits from
 * `first` (`1.5E9` and `1500000000` both have digits 1, 5 and point 10). Index scans, no
 * allocation: a describe page holds a thousand timestamps.
 */
function significant(text: string): { first: number; last: number; point: number } {
  const start = text.charCodeAt(0) === 0x2d ? 1 : 0;
  let end = text.indexOf('e', start);
  if (end < 0) end = text.indexOf('E', start);
  const exponent = end < 0 ? 0 : Number(text.slice(end + 1));
  if (end < 0) end = text.length;
  const dot = text.indexOf('.', start);
  const intEnd = dot >= 0 && dot < end ? dot : end;
  let first = start;
  let skipped = 0; // zero digits before the first significant one
  while (first < end && (text.charCodeAt(first) === 0x30 || first === intEnd)) {
    if (first !== intEnd) skipped++;
    first++;
  }
  let last = end - 1;
  while (last > first && (text.charCodeAt(last) === 0x30 || last === intEnd)) last--;
  return { first, last, point: intEnd - start + exponent - skipped };
}

/** Whether two JSON numerals of the same sign denote the same decimal number. */
function sameDecimal(a: string, b: string): boolean {
  const x = significant(a);
  const y = significant(b);
  if (x.first > x.last || y.first > y.last) return x.first > x.last && y.first > y.last; // both zero
  if (x.point !== y.point) return false;
  let i = x.first;
  let j = y.first;
  for (;;) {
    if (a.charCodeAt(i) === 0x2e) i++;
    if (b.charCodeAt(j) === 0x2e) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
    if (i === x.last || j === y.last) return i === x.last && j === y.last;
    i++;
    j++;
  }
}

/** Whether the SDK's reviver keeps this token as the number `JSON.parse` gives. */
export function sdkKeeps(token: string): boolean {
  const value = Number(token);
  if (Object.is(value, -0)) return true; // the SDK keeps -0 however it is written
  if (!(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) return false;
  if (String(value) === token) return true;
  // Exponent forms only with a mantissa that starts with a non-zero digit, the one the SDK's
  // expansion compares exactly (`1.563223656E9`, `1.0E-4`).
  const first = token.charCodeAt(token.charCodeAt(0) === 0x2d ? 1 : 0);
  if (first === 0x30 && (token.includes('e') || token.includes('E'))) return false;
  return sameDecimal(token, String(value));
}

/** Whether the SDK's reviver keeps every number of this JSON text as `JSON.parse` gives it. */
export function sdkKeepsNumbers(text: string): boolean {
  if (!SUSPECT.test(text)) return true;
  for (const m of text.matchAll(TOKEN)) if (!sdkKeeps(m[1] as string)) return false;
  return true;
}
