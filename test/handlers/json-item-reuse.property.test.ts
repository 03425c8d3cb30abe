/**
 * `ItemReuse.read` over arbitrary sequences of responses: items change, appear, disappear, repeat
 * and reorder, the request's ids are right, wrong or absent, and the text is compact or spaced.
 * Every read equals `JSON.parse` of its body, and an item whose exact text repeats its id's last
 * text is the very object answered then.
 */
import fc from 'fast-check';
import { ItemReuse } from '../../handlers/aws/json-item-reuse';

const RUNS = { numRuns: 300 };

/** Ids that stress the scanner: quotes, backslashes, brackets, multi-byte characters. */
const idArb = fc.oneof(fc.constantFrom('a', 'b"c', 'd\\', '}]', 'zürich', '🚀', 'x\\"y', ''), fc.string({ unit: 'grapheme', maxLength: 6 }));
/** Other members: any JSON, with keys that may hold the same awkward characters. */
const restArb = fc.dictionary(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('id', 'n"', '\\', '{', 'ü')), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });

/** Per id slot, a few versions of its item; a version is an object with that id, or something else. */
const versionArb = (id: string): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: restArb.map((rest) => ({ ...rest, id })) }, { weight: 1, arbitrary: restArb }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) });
const slotsArb = fc.uniqueArray(idArb, { minLength: 1, maxLength: 6 }).chain((ids) => fc.tuple(...ids.map((id) => fc.array(versionArb(id), { minLength: 1, maxLength: 3 }))));

/** One response: which slot and version each item is, and what the request names. */
const readArb = fc.record({
  items: fc.array(fc.record({ slot: fc.nat(), version: fc.nat() }), { maxLength: 12 }),
  request: fc.constantFrom('none', 'exact', 'reversed', 'shifted'),
  failures: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
});

/** Whitespace to put around tokens, cycled through. */
const spacesArb = fc.array(fc.stringMatching(/^[ \t\r\n]{0,3}$/), { minLength: 1, maxLength: 8 });

/** JSON text of `value` with `space()` around every token. */
function spaced(value: unknown, space: () => string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${space()}${value.map((v) => `${spaced(v, space)}${space()}`).join(`,${space()}`)}]`;
  const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}${space()}:${space()}${spaced(v, space)}${space()}`);
  return `{${space()}${members.join(`,${space()}`)}}`;
}

const idOf = (item: unknown): unknown => (item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>).id : undefined);

describe('ItemReuse.read properties', () => {
  /** A conversion that is not the identity (as the SDK's timestamps are not): fresh items only. */
  const convertItem = (v: unknown): unknown => (v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...v, keys: Object.keys(v).length } : { wrapped: v });
  const convertMember = (member: string): ((v: unknown) => unknown) | undefined => (member === 'failures' ? (v) => ({ failures: v }) : undefined);
  /** What `read` must answer: JSON.parse, then the same conversions where `read` applies them. */
  const expected = (body: string, converted: boolean): unknown => {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (!converted) return parsed;
    return {
      ...parsed,
      items: (parsed.items as unknown[]).map((v) => (v != null ? convertItem(v) : v)),
      ...('failures' in parsed ? { failures: parsed.failures != null ? { failures: parsed.failures } : parsed.failures } : {}),
    };
  };

  it.each<[string, boolean, boolean]>([
    ['compact JSON.stringify text', false, false],
    ['text with whitespace around every token', true, false],
    ['compact text, items and a member converted', false, true],
  ])('every read equals JSON.parse of its body, and repeated item text is the same object (%s)', (_rule, withSpaces, converted) => {
    fc.assert(
      fc.property(slotsArb, fc.array(readArb, { minLength: 1, maxLength: 8 }), spacesArb, (slots, reads, spaces) => {
        let s = 0;
        const space = (): string => (withSpaces ? (spaces[s++ % spaces.length] as string) : '');
        const text = (v: unknown): string => (withSpaces ? spaced(v, space) : JSON.stringify(v));
        const cache = new ItemReuse({ member: 'items', idKey: 'id' });
        /** By id: the text of its latest object item, and the value read for it. */
        const last = new Map<string, { text: string; value: unknown }>();
        for (const r of reads) {
          const items = r.items.map(({ slot, version }) => {
            const versions = slots[slot % slots.length] as unknown[];
            return versions[version % versions.length];
          });
          const texts = items.map(text);
          const members = [`"items"${space()}:${space()}[${space()}${texts.join(`${space()},${space()}`)}${space()}]`];
          if (r.failures !== undefined) members.push(`"failures"${space()}:${space()}${text(r.failures)}`);
          const body = `${space()}{${space()}${members.join(`${space()},${space()}`)}${space()}}${space()}`;
          const ids = items.map(idOf);
          const requested = r.request === 'none' ? undefined : r.request === 'exact' ? ids : r.request === 'reversed' ? [...ids].reverse() : ids.slice(1);
          const out = converted ? cache.read(Buffer.from(body, 'utf8'), requested, convertItem, convertMember) : cache.read(Buffer.from(body, 'utf8'), requested, undefined, () => undefined);
          expect(out).toEqual(expected(body, converted));
          const read = out.items as unknown[];
          items.forEach((item, k) => {
            const id = idOf(item);
            if (typeof id !== 'string') return;
            const before = last.get(id);
            if (before !== undefined && before.text === texts[k]) expect(read[k]).toBe(before.value);
            last.set(id, { text: texts[k] as string, value: read[k] });
          });
        }
      }),
      RUNS,
    );
  });
});
