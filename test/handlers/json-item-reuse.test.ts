/**
 * `ItemReuse.read`: the value read equals `JSON.parse` of the body, whatever the spacing, order and
 * escapes; items whose bytes repeat are the same (top-level frozen) objects as before, changed
 * items are new; malformed input throws (the caller then parses the whole body); the cache stays
 * bounded.
 */
import { ItemReuse, MIN_ITEMS, type Convert } from '../../handlers/aws/json-item-reuse';

const LIST = { member: 'items', idKey: 'id' } as const;
const none = (): Convert | undefined => undefined;
const buf = (text: string): Buffer => Buffer.from(text, 'utf8');

/** One read of `text` by `cache` (a fresh one unless given), with no conversions. */
function read(text: string, cache = new ItemReuse(LIST), requested?: readonly unknown[]): Record<string, unknown> {
  return cache.read(buf(text), requested, undefined, none);
}

/** The counts a read added. */
function counted(cache: ItemReuse, text: string, requested?: readonly unknown[]): { out: Record<string, unknown>; reused: number; parsed: number } {
  const before = { ...cache.counts };
  const out = read(text, cache, requested);
  return { out, reused: cache.counts.reused - before.reused, parsed: cache.counts.parsed - before.parsed };
}

const itemsOf = (out: Record<string, unknown>): unknown[] => out.items as unknown[];

describe('a read equals JSON.parse of the body', () => {
  it.each<[string, string]>([
    ['members in the usual order', '{"items":[{"id":"a","n":1},{"id":"b","n":2}],"failures":[]}'],
    ['the list after the other members', '{"failures":[{"arn":"x","reason":"MISSING"}],"next":null,"items":[{"id":"a"}]}'],
    ['whitespace around every token', ' \n{ "items" :\t[ { "id" : "a" , "n" : [ 1 , 2 ] } ,\r\n { "id":"b" } ] , "failures" : [ ] } \n'],
    ['an empty list', '{"items":[],"failures":[]}'],
    ['an empty list with spaces inside', '{"items":[ \n ]}'],
    ['an empty object', '{}'],
    ['an empty object with spaces inside', ' { \t } '],
    ['no list member at all', '{"failures":[{"arn":"a"}],"count":3,"ok":true,"nothing":null,"s":"x"}'],
    ['the list member holding something else than a list', '{"items":null,"other":{"items":[1]}}'],
    ['items that are not objects', '{"items":[1,"two",null,true,[3,{"id":"n"}],-4.5e2]}'],
    ['items without the id, or with a non-string id', '{"items":[{"name":"a"},{"id":7},{"id":null}]}'],
    ['nested objects and arrays inside items', '{"items":[{"id":"a","deep":{"x":[{"y":[[],{}]}],"z":{"w":{}}}}]}'],
    ['a duplicated top-level member (the last wins, as in JSON.parse)', '{"n":1,"items":[{"id":"a"}],"n":2}'],
    ['a key that needs unescaping', '{"ite\\u006ds":[{"id":"a"}],"k\\"ey":1}'],
    ['numbers in every JSON form', '{"items":[{"id":"a","v":[0,-0,1e3,1E-3,-12.5e+2,123456789012345678901234567890]}]}'],
  ])('%s', (_rule, text) => {
    expect(read(text)).toEqual(JSON.parse(text));
    // And again from a warm cache (items answered from it).
    const cache = new ItemReuse(LIST);
    read(text, cache);
    expect(read(text, cache)).toEqual(JSON.parse(text));
  });

  it.each<[string, string]>([
    ['escaped quotes in a string', '{"items":[{"id":"a","s":"a\\"b"}]}'],
    ['an escaped backslash before the closing quote', '{"items":[{"id":"a","s":"c\\\\"},{"id":"b"}]}'],
    ['brackets and braces inside strings', '{"items":[{"id":"a","s":"}]","t":"{[\\"]}"},{"id":"b","s":"]"}]}'],
    ['a closing brace in a key', '{"items":[{"id":"a","}]":1}]}'],
    ['multi-byte UTF-8', '{"items":[{"id":"zürich","city":"Zürich","jp":"東京"}]}'],
    ['emoji (four-byte UTF-8)', '{"items":[{"id":"🚀","s":"a🙂b"}]}'],
    ['unicode escapes, including a surrogate pair', '{"items":[{"id":"a","s":"\\u00fc\\ud83d\\ude80\\n\\t\\/"}]}'],
    ['an id with escapes', '{"items":[{"id":"x\\"y\\\\z"}]}'],
  ])('strings are read exactly: %s', (_rule, text) => {
    const cache = new ItemReuse(LIST);
    expect(read(text, cache)).toEqual(JSON.parse(text));
    expect(read(text, cache)).toEqual(JSON.parse(text));
  });

  it('other top-level members pass through convert(member), fresh or not; null values are left alone', () => {
    const calls: string[] = [];
    const convert = (member: string): Convert | undefined =>
      member === 'failures'
        ? (v) => {
            calls.push(member);
            return { wrapped: v };
          }
        : undefined;
    const text = '{"items":[{"id":"a"}],"failures":[{"arn":"x"}],"count":2,"gone":null}';
    const cache = new ItemReuse({ member: 'items', idKey: 'id' });
    const out = cache.read(buf(text), undefined, undefined, convert);
    expect(out).toEqual({ items: [{ id: 'a' }], failures: { wrapped: [{ arn: 'x' }] }, count: 2, gone: null });
    const again = cache.read(buf(text.replace('"gone":null', '"failures":null')), undefined, undefined, convert);
    expect(again.failures).toBeNull();
    expect(calls).toEqual(['failures', 'failures']);
  });
});

describe('items whose bytes repeat are answered from the cache', () => {
  const page = (items: readonly string[]): string => `{"items":[${items.join(',')}],"failures":[]}`;
  const a = '{"id":"a","v":{"s":"one","n":[1,2]}}';
  const b = '{"id":"b","v":{"s":"two","n":[3]}}';
  const c = '{"id":"c","v":{"s":"three","n":[]}}';

  // Counts of the second read: an item a guess names is compared, not parsed; one no guess names
  // (the first item with no request, items after a wrong guess) is parsed, then found equal.
  it.each<[string, readonly unknown[] | undefined, number, number]>([
    ['guessed from the requested ids', ['a', 'b', 'c'], 3, 0],
    ['guessed from the previous response’s order, no request', undefined, 2, 1],
    ['with requested ids that are wrong guesses', ['z', 7, 'c', 'a'], 2, 1],
  ])('identical items are the same frozen objects (%s)', (_rule, requested, reusedCount, parsedCount) => {
    const cache = new ItemReuse(LIST);
    const first = counted(cache, page([a, b, c]), requested);
    const second = counted(cache, page([a, b, c]), requested);
    expect([first.parsed, first.reused, second.reused, second.parsed]).toEqual([3, 0, reusedCount, parsedCount]);
    itemsOf(second.out).forEach((item, k) => {
      expect(item).toBe(itemsOf(first.out)[k]);
      expect(Object.isFrozen(item)).toBe(true);
    });
    // The response object and the other members are fresh every time.
    expect(second.out).not.toBe(first.out);
    expect(second.out.failures).not.toBe(first.out.failures);
  });

  it.each<[string, string]>([
    ['one byte of a nested string', '{"id":"b","v":{"s":"twO","n":[3]}}'],
    ['a number', '{"id":"b","v":{"s":"two","n":[4]}}'],
    ['a member added', '{"id":"b","v":{"s":"two","n":[3]},"w":1}'],
    ['only spacing', '{"id":"b", "v":{"s":"two","n":[3]}}'],
  ])('a changed item (%s) is a new object with the new value; its neighbours are still reused', (_rule, changed) => {
    const cache = new ItemReuse(LIST);
    const first = itemsOf(read(page([a, b, c]), cache, ['a', 'b', 'c']));
    const { out, reused, parsed } = counted(cache, page([a, changed, c]), ['a', 'b', 'c']);
    const second = itemsOf(out);
    expect([reused, parsed]).toEqual([2, 1]);
    expect(second[0]).toBe(first[0]);
    expect(second[2]).toBe(first[2]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]).toEqual(JSON.parse(changed));
    // The changed item replaces the cached one: the next identical read reuses it.
    const third = itemsOf(read(page([a, changed, c]), cache, ['a', 'b', 'c']));
    expect(third[1]).toBe(second[1]);
  });

  it.each<[string, readonly string[], readonly unknown[] | undefined, number]>([
    ['reversed, no request: each parsed, then found equal', [c, b, a], undefined, 0],
    ['rotated, requested in the old order: found after parsing, or by what followed it last time', [b, c, a], ['a', 'b', 'c'], 1],
    ['one dropped and the rest shuffled, requested in the new order: all compared', [c, a], ['c', 'a'], 2],
    ['an item missing from the response shifts the requested positions', [a, c], ['a', 'b', 'c'], 1],
  ])('reordered items are still the same objects (%s)', (_rule, order, requested, reusedCount) => {
    const cache = new ItemReuse(LIST);
    const byId = new Map(itemsOf(read(page([a, b, c]), cache, ['a', 'b', 'c'])).map((i) => [(i as { id: string }).id, i]));
    const { out, reused, parsed } = counted(cache, page(order), requested);
    expect([reused, parsed]).toEqual([reusedCount, order.length - reusedCount]);
    for (const item of itemsOf(out)) expect(item).toBe(byId.get((item as { id: string }).id));
    expect(out).toEqual(JSON.parse(page(order)));
  });

  it('items without the id are parsed every time (equal, never the same object)', () => {
    const cache = new ItemReuse(LIST);
    const text = page(['{"name":"a","v":[1]}', '{"id":3}', a]);
    const first = counted(cache, text, ['x', 'y', 'a']);
    const second = counted(cache, text, ['x', 'y', 'a']);
    expect([second.parsed, second.reused]).toEqual([2, 1]);
    expect(itemsOf(second.out)[2]).toBe(itemsOf(first.out)[2]);
    expect(itemsOf(second.out)[0]).toEqual(itemsOf(first.out)[0]);
    expect(itemsOf(second.out)[0]).not.toBe(itemsOf(first.out)[0]);
    expect(itemsOf(second.out)[1]).not.toBe(itemsOf(first.out)[1]);
  });

  it('an item is never answered by a cached item whose bytes are only a prefix of it', () => {
    const cache = new ItemReuse(LIST);
    read(page(['{"id":"a","s":"x"}']), cache, ['a']);
    // Same leading bytes, longer item: the cached bytes are not a complete value here.
    const longer = '{"id":"a","s":"x","t":1}';
    expect(read(page([longer]), cache, ['a'])).toEqual(JSON.parse(page([longer])));
  });

  it.each<[string, string, string]>([
    ['12 then 123', '{"items":[12,{"id":"a"}]}', '{"items":[123,{"id":"a"}]}'],
    ['true then a longer literal-looking list', '{"items":[1,2]}', '{"items":[12,2]}'],
    ['a string then a longer one', '{"items":["ab",{"id":"a"}]}', '{"items":["abc",{"id":"a"}]}'],
    ['an object id then the same id followed by a number', '{"items":[{"id":"12"},1]}', '{"items":[{"id":"12"},123]}'],
  ])('primitive items are never reused from a prefix: %s', (_rule, before, after) => {
    const cache = new ItemReuse(LIST);
    read(before, cache, ['a']);
    expect(read(after, cache, ['a'])).toEqual(JSON.parse(after));
  });
});

describe('convertItem', () => {
  it('is applied to fresh items only, and its result is what is cached and answered', () => {
    const seen: string[] = [];
    const convertItem: Convert = (v) => {
      const o = v as { id: string; at: number };
      seen.push(o.id);
      return { ...o, at: new Date(o.at * 1000) };
    };
    const cache = new ItemReuse(LIST);
    const text = (bAt: number): Buffer => buf(`{"items":[{"id":"a","at":1},{"id":"b","at":${bAt}},null]}`);
    const first = itemsOf(cache.read(text(2), ['a', 'b'], convertItem, none));
    const second = itemsOf(cache.read(text(3), ['a', 'b'], convertItem, none));
    expect(seen).toEqual(['a', 'b', 'b']);
    expect(first).toEqual([{ id: 'a', at: new Date(1000) }, { id: 'b', at: new Date(2000) }, null]);
    expect(second).toEqual([{ id: 'a', at: new Date(1000) }, { id: 'b', at: new Date(3000) }, null]);
    expect(second[0]).toBe(first[0]);
    expect(Object.isFrozen(second[1])).toBe(true);
  });
});

describe('malformed input throws', () => {
  it.each<[string, string]>([
    ['not an object at the top (array)', '[{"id":"a"}]'],
    ['not an object at the top (string)', '"items"'],
    ['not an object at the top (null)', 'null'],
    ['an empty body', ''],
    ['an unterminated string in an item', '{"items":[{"id":"a}]}'],
    ['an unterminated item', '{"items":[{"id":"a"'],
    ['an unterminated list', '{"items":[{"id":"a"}'],
    ['an unterminated top-level object', '{"items":[]'],
    ['an unterminated key', '{"items'],
    ['a missing colon', '{"items" []}'],
    ['a missing comma between items', '{"items":[{"id":"a"} {"id":"b"}]}'],
    ['a missing comma between primitive items', '{"items":[1 2]}'],
    ['a missing comma between members', '{"items":[] "n":1}'],
    ['a trailing comma in the list', '{"items":[{"id":"a"},]}'],
    ['a trailing comma in the object', '{"items":[],}'],
    ['text after the end', '{"items":[]} x'],
    ['a second object after the end', '{"items":[]}{}'],
    ['a __proto__ key at the top', '{"__proto__":{"polluted":true},"items":[]}'],
    ['an escaped __proto__ key at the top', '{"__proto\\u005f_":{},"items":[]}'],
    ['an invalid item', '{"items":[{"id":"a",}]}'],
    ['an invalid number member', '{"n":12x,"items":[]}'],
    ['an unquoted key', '{items:[]}'],
  ])('%s', (_rule, text) => {
    expect(() => read(text)).toThrow();
  });

  it('a malformed body after a good one still throws, though its items repeat cached bytes', () => {
    const cache = new ItemReuse(LIST);
    read('{"items":[{"id":"a"},{"id":"b"}]}', cache, ['a', 'b']);
    expect(() => read('{"items":[{"id":"a"}{"id":"b"}]}', cache, ['a', 'b'])).toThrow();
    expect(() => read('{"items":[{"id":"a"},{"id":"b"}', cache, ['a', 'b'])).toThrow();
    expect(() => read('{"items":[{"id":"a"},{"id":"b"}]} ]', cache, ['a', 'b'])).toThrow();
  });
});

describe('memory', () => {
  const item = (id: string, n: number): string => `{"id":"${id}","n":${n}}`;

  const ids = (stable: number, fresh: number, r: number): string[] => [...Array.from({ length: stable }, (_, k) => `s${k}`), ...Array.from({ length: fresh }, (_, k) => `r${r}-${k}`)];
  // An item's text depends on its id only, so it is the same wherever it stands.
  const body = (list: readonly string[]): string => `{"items":[${list.map((id) => item(id, id.length)).join(',')}]}`;

  it.each<[string, number, number, boolean]>([
    ['a stable set with a tenth replaced each read, requested', 100, 10, true],
    ['a stable set with half replaced each read, requested', 40, 20, true],
    ['every item new on every read, requested', 0, 50, true],
    ['every item new on every read, nothing requested', 0, 50, false],
  ])('with retainOnly after each full read (as the reader does), only the live ids are kept: %s', (_rule, stable, fresh, withRequest) => {
    const cache = new ItemReuse(LIST);
    for (let r = 0; r < 30; r++) {
      const live = ids(stable, fresh, r);
      read(body(live), cache, withRequest ? live : undefined);
      cache.retainOnly(new Set(live));
      expect(cache.size).toBe(stable + fresh);
    }
    // The ids still in use stay cached: a read of them parses nothing.
    const stableIds = ids(stable, 0, 0);
    expect(counted(cache, body(stableIds), stableIds).parsed).toBe(0);
  });

  it.each<[string, number, number]>([
    ['every item new on every read', 0, 50],
    ['a stable set with a third replaced each read', 30, 15],
  ])('without retainOnly the cache holds at most MIN_ITEMS, the earliest stored evicted first: %s', (_rule, stable, fresh) => {
    const cache = new ItemReuse(LIST);
    const reads = Math.ceil((2 * MIN_ITEMS) / fresh);
    let maxSize = 0;
    for (let r = 0; r < reads; r++) {
      read(body(ids(stable, fresh, r)), cache);
      maxSize = Math.max(maxSize, cache.size);
    }
    expect(maxSize).toBe(MIN_ITEMS);
    // The latest read's items are the last stored: all still cached.
    const last = ids(0, fresh, reads - 1);
    expect(counted(cache, body(last), last).parsed).toBe(0);
  });

  it('after retainOnly the bound is twice the live ids when that exceeds MIN_ITEMS', () => {
    const cache = new ItemReuse(LIST);
    const live = ids(0, MIN_ITEMS, 0);
    read(body(live), cache, live);
    cache.retainOnly(new Set(live));
    expect(cache.size).toBe(MIN_ITEMS);
    // As many new ids again fit (a cluster that doubled between two full reads) …
    read(body(ids(0, MIN_ITEMS, 1)), cache);
    expect(cache.size).toBe(2 * MIN_ITEMS);
    // … and beyond twice the live ids the earliest stored go.
    read(body(ids(0, 10, 2)), cache);
    expect(cache.size).toBe(2 * MIN_ITEMS);
    expect(counted(cache, body(live.slice(0, 10)), live.slice(0, 10)).parsed).toBe(10);
  });

  it('clear() forgets every item', () => {
    const cache = new ItemReuse(LIST);
    read('{"items":[{"id":"a"},{"id":"b"}]}', cache);
    expect(cache.size).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(counted(cache, '{"items":[{"id":"a"},{"id":"b"}]}').parsed).toBe(2);
  });
});
