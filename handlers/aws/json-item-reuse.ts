/**
 * Reading a JSON response whose list items mostly repeat the previous response's, without parsing
 * the repeats.
 *
 * Every tick describes every container instance of the cluster (100 per call), and between two
 * ticks most of them have not changed: their JSON text is byte for byte what the previous tick
 * received. `JSON.parse` of those pages, the objects it allocates and their garbage collection
 * were most of a warm tick's read time. Here an item whose bytes equal a cached item's bytes is
 * answered with the value parsed from them before (the same object, frozen at its top level); only
 * the other items are decoded and parsed.
 *
 * Why byte equality suffices: a JSON object, array or string is self-delimiting. If the body holds
 * a cached item's complete text at position i, the value starting at i ends exactly where that
 * text ends (a scan from i reads the same bytes and closes at the same bracket), and it parses to
 * the same value. So a hit is verified by one comparison of the item's length of bytes, no scan.
 * Numbers and literals are not self-delimiting (`12` is a prefix of `123`) and are always parsed.
 *
 * Which cached item to compare: the one whose id is the request's k-th id (ECS answers a describe
 * in request order), then the one that followed the previous item last time. A wrong guess costs
 * one failed comparison; the item is then scanned (a loop that skips strings and counts brackets,
 * O(length)) and parsed, and if its bytes equal its id's cached item after all, that
 * item's value is answered (the same object). Nothing relies on the order for correctness.
 *
 * Anything unexpected (not a JSON object at the top, a key `__proto__`, unbalanced brackets, text
 * after the end, an item that fails to parse) throws, and the caller parses the whole body the
 * ordinary way, which reports the error if there is one.
 *
 * Memory: items by id. After each full read the reader names the live ids (`retainOnly`: every
 * container instance) and the rest are dropped; between those calls at most
 * max(`MIN_ITEMS`, twice the live ids) are kept, the earliest stored evicted first.
 */

/**
 * One cached list item: its exact bytes, held as a one-byte string (each byte one latin1 character:
 * on the V8 heap, so thousands of them are not thousands of off-heap allocations the collector
 * must account for), and the frozen value they parse (and convert) to.
 */
interface Entry {
  readonly bytes: string;
  readonly value: unknown;
  /** The id of the item that followed this one in the last response (the next guess). */
  nextId?: string;
}

/** Converts a freshly parsed item (or member) to its output value, e.g. epoch seconds to `Date`. */
export type Convert = (value: unknown) => unknown;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

class Malformed extends Error {}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Whether `body` holds exactly `bytes` (a latin1 string, one character per byte) at `i`. */
function sameBytes(body: Buffer, i: number, bytes: string): boolean {
  // A young string of the same bytes, compared in one native step (twice as fast as searching the
  // range with `indexOf`; a short-lived copy costs the collector next to nothing).
  return body.toString('latin1', i, i + bytes.length) === bytes;
}

function skipSpace(b: Buffer, i: number): number {
  while (isSpace(b[i])) i++;
  return i;
}

/**
 * Index just past the string whose opening quote is at `i`: the next quote not escaped, i.e. not
 * preceded by an odd run of backslashes (found with the native `indexOf`, faster than a byte loop).
 */
function stringEnd(b: Buffer, i: number): number {
  let k = i + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, k);
    if (q < 0) throw new Malformed('unterminated string');
    let backslashes = 0;
    while (b[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    k = q + 1;
  }
}

/**
 * Index just past the JSON value starting at `i` (no leading space). Objects and arrays: a loop
 * that skips strings and counts brackets; other values end at the next delimiter. The value's
 * validity is left to `JSON.parse` of the slice.
 */
function valueEnd(b: Buffer, i: number): number {
  const n = b.length;
  const first = b[i];
  if (first === QUOTE) return stringEnd(b, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let j = i;
    while (j < n) {
      const c = b[j];
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
      j++;
    }
    if (j === i) throw new Malformed('value expected');
    return j;
  }
  let depth = 0;
  let j = i;
  while (j < n) {
    const c = b[j];
    if (c === QUOTE) {
      j = stringEnd(b, j);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  throw new Malformed('unterminated value');
}

/**
 * Freezes a cached item's top level: it is shared by every response that repeats it, so a reader
 * that assigned to it would change what later reads return. Only the top level: freezing every
 * nested object cost a third of parsing a changed item, and the readers of these items
 * (`ecs-read.ts`, `ecs-model.ts`) only read them.
 */
function freeze(value: unknown): unknown {
  if (value !== null && typeof value === 'object') Object.freeze(value);
  return value;
}

/**
 * Items cached before the reader first says which ids are live (`retainOnly`), and the least
 * bound after: twice the live ids. Beyond the bound, the items stored longest ago go first.
 */
export const MIN_ITEMS = 10_000;

/**
 * Items by id. The reader, after each full read (every container instance of the cluster), keeps
 * only the live ids (`retainOnly`); between those calls the map holds at most
 * `limit` items, evicting the earliest stored (a replaced item counts as stored anew), so a caller
 * that never retains still has a bounded cache.
 */
class Items {
  private readonly map = new Map<string, Entry>();
  private limit = MIN_ITEMS;

  get(id: string): Entry | undefined {
    return this.map.get(id);
  }

  set(id: string, entry: Entry): void {
    this.map.delete(id);
    this.map.set(id, entry);
    if (this.map.size > this.limit) {
      for (const old of this.map.keys()) {
        this.map.delete(old);
        if (this.map.size <= this.limit) break;
      }
    }
  }

  retainOnly(ids: ReadonlySet<string>): void {
    for (const id of this.map.keys()) if (!ids.has(id)) this.map.delete(id);
    this.limit = Math.max(MIN_ITEMS, 2 * ids.size);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
    this.limit = MIN_ITEMS;
  }
}

/** Which list of a response repeats, and how its items are named. */
export interface ReusedList {
  /** The top-level member holding the list (`containerInstances`). */
  readonly member: string;
  /** The item member that names an item (`containerInstanceArn`); items without it are not cached. */
  readonly idKey: string;
}

/** What one read reused (for tests and the benchmark). */
export interface ReuseCounts {
  reused: number;
  parsed: number;
}

/**
 * A cache of one response shape's list items, across calls (kept for the life of the Lambda
 * container, like the reader's other caches).
 */
export class ItemReuse {
  private readonly items = new Items();
  readonly counts: ReuseCounts = { reused: 0, parsed: 0 };

  constructor(private readonly list: ReusedList) {}

  /** Items cached now. */
  get size(): number {
    return this.items.size;
  }

  clear(): void {
    this.items.clear();
  }

  /** Forget every item whose id is not in `ids` (the reader's full list of live ones). */
  retainOnly(ids: ReadonlySet<string>): void {
    this.items.retainOnly(ids);
  }

  /**
   * The top-level JSON object in `body`, as `JSON.parse` would give it, with each member value
   * passed through `convert(member)` and each item of the reused list through `convertItem` (both
   * only for freshly parsed values). `requested`: the ids the request asked for, in order (the
   * first guess for each item). Throws on anything it cannot read exactly.
   */
  read(body: Buffer, requested: readonly unknown[] | undefined, convertItem: Convert | undefined, convert: (member: string) => Convert | undefined): Record<string, unknown> {
    let i = skipSpace(body, 0);
    if (body[i] !== OPEN_BRACE) throw new Malformed('not a JSON object');
    i = skipSpace(body, i + 1);
    const out: Record<string, unknown> = {};
    if (body[i] === CLOSE_BRACE) i++;
    else {
      for (;;) {
        if (body[i] !== QUOTE) throw new Malformed('key expected');
        const keyEnd = stringEnd(body, i);
        const key = JSON.parse(body.toString('utf8', i, keyEnd)) as string;
        if (key === '__proto__') throw new Malformed('__proto__ key');
        i = skipSpace(body, keyEnd);
        if (body[i] !== COLON) throw new Malformed('colon expected');
        i = skipSpace(body, i + 1);
        if (key === this.list.member && body[i] === OPEN_BRACKET) {
          const [items, end] = this.readList(body, i, requested, convertItem);
          out[key] = items;
          i = end;
        } else {
          const end = valueEnd(body, i);
          const value: unknown = JSON.parse(body.toString('utf8', i, end));
          const c = convert(key);
          out[key] = c !== undefined && value != null ? c(value) : value;
          i = end;
        }
        i = skipSpace(body, i);
        if (body[i] === COMMA) {
          i = skipSpace(body, i + 1);
          continue;
        }
        if (body[i] === CLOSE_BRACE) {
          i++;
          break;
        }
        throw new Malformed('comma or closing brace expected');
      }
    }
    if (skipSpace(body, i) !== body.length) throw new Malformed('text after the object');
    return out;
  }

  private readList(body: Buffer, start: number, requested: readonly unknown[] | undefined, convertItem: Convert | undefined): [unknown[], number] {
    const out: unknown[] = [];
    let i = skipSpace(body, start + 1);
    if (body[i] === CLOSE_BRACKET) return [out, i + 1];
    let previous: Entry | undefined;
    for (let k = 0; ; k++) {
      const entry = this.match(body, i, requested?.[k], previous) ?? this.parse(body, i, convertItem, previous);
      out.push(entry.value);
      i = skipSpace(body, i + entry.bytes.length);
      previous = entry;
      if (body[i] === COMMA) {
        i = skipSpace(body, i + 1);
        continue;
      }
      if (body[i] === CLOSE_BRACKET) return [out, i + 1];
      throw new Malformed('comma or closing bracket expected');
    }
  }

  /** The cached item whose bytes are at `i`: the requested id's, else the one after `previous`. */
  private match(body: Buffer, i: number, requestedId: unknown, previous: Entry | undefined): Entry | undefined {
    const first = body[i];
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET && first !== QUOTE) return undefined;
    const byRequest = typeof requestedId === 'string' ? this.items.get(requestedId) : undefined;
    if (this.holds(body, i, byRequest)) return this.reused(previous, byRequest as Entry);
    const byOrder = previous?.nextId !== undefined && previous.nextId !== requestedId ? this.items.get(previous.nextId) : undefined;
    if (this.holds(body, i, byOrder)) return this.reused(previous, byOrder as Entry);
    return undefined;
  }

  /** Whether the body holds this entry's exact bytes at `i`. */
  private holds(body: Buffer, i: number, entry: Entry | undefined): boolean {
    return entry !== undefined && i + entry.bytes.length <= body.length && sameBytes(body, i, entry.bytes);
  }

  private reused(previous: Entry | undefined, entry: Entry): Entry {
    this.link(previous, entry);
    this.counts.reused++;
    return entry;
  }

  /**
   * Scan, decode and parse the item at `i`; cache it when it has an id. An item both guesses missed
   * (reordered, or after an item the response left out) whose bytes equal its id's cached item is
   * answered with the cached value all the same, so it stays the same object (callers key their own
   * caches on it) and keeps its link to the item that followed it.
   */
  private parse(body: Buffer, i: number, convertItem: Convert | undefined, previous: Entry | undefined): Entry {
    const end = valueEnd(body, i);
    const parsed: unknown = JSON.parse(body.toString('utf8', i, end));
    this.counts.parsed++;
    const id = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[this.list.idKey] : undefined;
    if (typeof id === 'string') {
      const cached = this.items.get(id);
      if (cached !== undefined && cached.bytes.length === end - i && sameBytes(body, i, cached.bytes)) {
        this.link(previous, cached);
        return cached;
      }
    }
    const value = freeze(convertItem !== undefined && parsed != null ? convertItem(parsed) : parsed);
    // A copy: a view would keep the whole response alive for as long as the item stays cached.
    const entry: Entry = { bytes: body.toString('latin1', i, end), value };
    if (typeof id === 'string') {
      this.items.set(id, entry);
      this.link(previous, entry);
    }
    return entry;
  }

  private link(previous: Entry | undefined, next: Entry): void {
    if (previous === undefined) return;
    const id = (next.value as Record<string, unknown> | null)?.[this.list.idKey];
    if (typeof id === 'string') previous.nextId = id;
  }
}
