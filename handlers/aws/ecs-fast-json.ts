/**
 * A faster response deserializer for the ECS reads of every tick, inside the real SDK client.
 *
 * The SDK's schema deserializer walks every member of every structure of a response after
 * `JSON.parse`, building a fresh object for each: on a page of 100 container instances that costs
 * several times the parse itself. On the AWS JSON 1.1 protocol the wire document already *is* the
 * output structure (members keep their names; smithy.io, "AWS JSON 1.1 protocol", Shape
 * serialization) except for three kinds of member the SDK converts:
 * - timestamps, sent as epoch seconds (a JSON number) unless a `@timestampFormat` trait says
 *   otherwise, become `Date`s;
 * - floats and doubles may be sent as the strings "NaN", "Infinity", "-Infinity";
 * - blobs (base64), big numbers and media-typed strings, which none of these operations' outputs
 *   hold (an output schema that holds one keeps the SDK's deserializer).
 * An output holding a document (DescribeServices' lifecycle `hookDetails`) is read as parsed, as the
 * SDK reads a document, but the SDK parses such a body with a reviver that can change numbers
 * (`sdk-revived-numbers.ts`): a body where it would goes to the SDK's deserializer. A union is read
 * like a structure, and a union value with a key that is not one of its members (which the SDK
 * reports as `$unknown` or drops) sends the whole response to the SDK's deserializer.
 * The plan of what to convert is compiled once per operation from the SDK's own output schema, so
 * the fast output equals the SDK's: same members, same `Date`s, same `$metadata`. Two known
 * differences, neither possible from ECS: a member sent as `null` stays `null` (the SDK drops it;
 * the protocol omits absent members), and a member newer than the SDK's model is kept.
 *
 * The describe a tick repeats on every instance (`REUSED`) goes further: an instance whose bytes
 * equal the previous response's is not parsed again (`json-item-reuse.ts`), which is most of them
 * on a warm tick.
 *
 * Only 2xx JSON responses of the operations in `HOT_READS` take this path. Everything else — every
 * error response, every other operation, a body that fails to parse — goes to the SDK's own
 * deserializer untouched, so typed errors (`__type`), `$metadata`, `$retryable` and the retry
 * strategy behave exactly as before. The middleware replaces the SDK's `deserializerMiddleware`
 * in the client's stack (same name, step and tags) and calls the SDK's for those cases, so signing,
 * retries, the HTTP handler and the logger are the client's own.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { NormalizedSchema, deserializerMiddlewareOption, getSchemaSerdePlugin } from '@smithy/core/schema';
import { parseEpochTimestamp } from '@smithy/core/serde';
import { getSmithyContext } from '@smithy/core/transport';
import { ItemReuse, type ReusedList } from './json-item-reuse';
import { sdkKeepsNumbers } from './sdk-revived-numbers';

/** The ECS reads a tick makes, by operation name. */
export const HOT_READS: ReadonlySet<string> = new Set(['ListContainerInstances', 'DescribeContainerInstances', 'ListServices', 'DescribeServices', 'ListTasks', 'DescribeTasks', 'DescribeClusters']);

/**
 * The describes whose items mostly repeat from one tick to the next, with the request member that
 * lists the ids asked for (ECS answers in that order: the first guess of which cached item comes
 * next).
 */
const REUSED: Readonly<Record<string, ReusedList & { readonly requested: string }>> = {
  DescribeContainerInstances: { member: 'containerInstances', idKey: 'containerInstanceArn', requested: 'containerInstances' },
};

/** Items of the `REUSED` describes, by operation, for the life of the container. */
const reuse = new Map<string, ItemReuse>(Object.entries(REUSED).map(([op, list]) => [op, new ItemReuse(list)]));

/** For tests and the benchmark: forget every cached item (the next read parses everything). */
export function clearReusedItems(): void {
  for (const r of reuse.values()) r.clear();
}

/**
 * After a full read of a `REUSED` describe (every container instance of the cluster): keep only
 * these ids' items.
 */
export function retainReusedItems(operation: 'DescribeContainerInstances', ids: Iterable<string>): void {
  reuse.get(operation)?.retainOnly(new Set(ids));
}

/** Items cached now, by operation (tests and the benchmark). */
export function reusedItemCounts(): Record<string, number> {
  return Object.fromEntries([...reuse].map(([op, r]) => [op, r.size]));
}

/**
 * Reads of a `REUSED` describe that threw and were read as a whole body instead (malformed input,
 * or a bug: tests assert none happen on good bodies).
 */
let abandonedReads = 0;

/**
 * Items reused and parsed, and item reads abandoned for the whole-body path, since the process
 * started (tests and the benchmark read the difference).
 */
export function reuseCounts(): { reused: number; parsed: number; abandoned: number } {
  let reused = 0;
  let parsed = 0;
  for (const r of reuse.values()) {
    reused += r.counts.reused;
    parsed += r.counts.parsed;
  }
  return { reused, parsed, abandoned: abandonedReads };
}

/** Converts one wire value to the SDK's output value (objects and arrays in place). */
type Convert = (value: unknown) => unknown;

/** An output schema this path cannot reproduce: the operation keeps the SDK's deserializer. */
class Unsupported extends Error {}

/** A union value with a member the SDK's model does not know: this response goes to the SDK. */
class UnknownUnionMember extends Error {}

const SPECIAL_NUMBERS: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };
const number: Convert = (v) => (typeof v === 'string' && v in SPECIAL_NUMBERS ? SPECIAL_NUMBERS[v] : v);
// Epoch seconds (number or numeric string) → Date, exactly as the SDK does it.
const epochSeconds: Convert = (v) => parseEpochTimestamp(v);
/** awsJson1_1's default timestamp format: epoch seconds (the SDK's format code 7). */
const EPOCH_SECONDS = 7;

/** A schema walk's state: the schemas on the current path, and whether a document was met. */
interface Walk {
  readonly path: Set<unknown>;
  document: boolean;
}

const walk = (): Walk => ({ path: new Set(), document: false });

/**
 * The conversion a schema needs, or undefined when its wire value is already the output value.
 * Depth-first over the schema, once per operation; a recursive schema is refused.
 */
function plan(ns: NormalizedSchema, w: Walk): Convert | undefined {
  if (ns.isBlobSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema()) throw new Unsupported(ns.getName() ?? 'member');
  // A document's value is kept as parsed, as the SDK's `JsonShapeDeserializer` keeps it (a copy),
  // but the SDK then parses the whole body with a reviver: noted (`sdk-revived-numbers.ts`).
  if (ns.isDocumentSchema()) {
    w.document = true;
    return undefined;
  }
  if (ns.isTimestampSchema()) {
    const format = ns.getSchema();
    if (format !== 4 && format !== EPOCH_SECONDS) throw new Unsupported('timestamp format');
    return epochSeconds;
  }
  if (ns.isNumericSchema()) return number;
  if (ns.isStringSchema()) {
    if (ns.getMergedTraits().mediaType !== undefined) throw new Unsupported('media type');
    return undefined;
  }
  const raw = ns.getSchema();
  if (w.path.has(raw)) throw new Unsupported('recursive schema');
  w.path.add(raw);
  try {
    if (ns.isListSchema()) {
      const item = plan(ns.getValueSchema(), w);
      if (item === undefined) return undefined;
      return (v) => {
        if (Array.isArray(v)) for (let k = 0; k < v.length; k++) if (v[k] != null) v[k] = item(v[k]);
        return v;
      };
    }
    if (ns.isMapSchema()) {
      const value = plan(ns.getValueSchema(), w);
      if (value === undefined) return undefined;
      return (v) => {
        if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (x != null) (v as Record<string, unknown>)[k] = value(x);
        return v;
      };
    }
    if (ns.isStructSchema() || ns.isUnionSchema()) {
      const members: Array<[string, Convert]> = [];
      const known = new Set<string>();
      for (const [name, member] of ns.structIterator()) {
        known.add(name);
        const c = plan(member, w);
        if (c !== undefined) members.push([name, c]);
      }
      if (ns.isUnionSchema()) {
        const convert = members.length > 0 ? struct(members) : undefined;
        return (v) => {
          if (v !== null && typeof v === 'object') for (const key of Object.keys(v)) if (!known.has(key)) throw new UnknownUnionMember(key);
          return convert !== undefined ? convert(v) : v;
        };
      }
      if (members.length === 0) return undefined;
      return struct(members);
    }
    return undefined;
  } finally {
    w.path.delete(raw);
  }
}

/** A structure's conversion: each member that needs one, in place. */
function struct(members: ReadonlyArray<readonly [string, Convert]>): Convert {
  return (v) => {
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    for (const [name, c] of members) {
      const x = o[name];
      if (x != null) o[name] = c(x);
    }
    return o;
  };
}

/**
 * What `build` compiles for an operation, once (null when its output schema is `Unsupported`: the
 * operation keeps the SDK's deserializer).
 */
function compiledOnce<T>(cache: Map<string, T | null>, name: string, build: () => T | null): T | null {
  let p = cache.get(name);
  if (p === undefined) {
    try {
      p = build();
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      p = null;
    }
    cache.set(name, p);
  }
  return p;
}

const schemaOf = (output: unknown): NormalizedSchema => NormalizedSchema.of(output as Parameters<typeof NormalizedSchema.of>[0]);

/** How an operation's output is read: its conversion, and whether numbers must be checked. */
interface OutputPlan {
  readonly convert: Convert;
  /** The output holds a document: the SDK parses it with a reviver (`sdk-revived-numbers.ts`). */
  readonly document: boolean;
}

/** Output plans by operation name. */
const plans = new Map<string, OutputPlan | null>();

function planFor(name: string, output: unknown): OutputPlan | null {
  return compiledOnce(plans, name, () => {
    const w = walk();
    const convert = plan(schemaOf(output), w) ?? ((v) => v);
    return { convert, document: w.document };
  });
}

/** Per output member, its conversion; `item`: that of the reused list's items. */
interface MemberPlans {
  readonly members: ReadonlyMap<string, Convert | undefined>;
  readonly item: Convert | undefined;
}

const memberPlans = new Map<string, MemberPlans | null>();

/** The conversions of a `REUSED` operation's output members (null: keep the whole-body path). */
function memberPlansFor(name: string, output: unknown, list: ReusedList): MemberPlans | null {
  return compiledOnce(memberPlans, name, () => {
    const members = new Map<string, Convert | undefined>();
    let item: Convert | undefined;
    let listed = false;
    // Items are compared as bytes and parsed without the SDK's reviver: no document here.
    const w = walk();
    for (const [member, schema] of schemaOf(output).structIterator()) {
      members.set(member, plan(schema, w));
      if (member === list.member && schema.isListSchema()) {
        item = plan(schema.getValueSchema(), w);
        listed = true;
      }
    }
    if (w.document) throw new Unsupported('document');
    return listed ? { members, item } : null;
  });
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

/** The SDK's `$metadata` of a response (same headers the SDK reads). */
function metadata(response: RawResponse): Record<string, unknown> {
  const h = response.headers;
  return { httpStatusCode: response.statusCode, requestId: h['x-amzn-requestid'] ?? h['x-amzn-request-id'] ?? h['x-amz-request-id'], extendedRequestId: h['x-amz-id-2'], cfId: h['x-amz-cf-id'] };
}

type Handler = (args: unknown) => Promise<{ response: unknown; output?: unknown }>;
type Middleware = (next: Handler, context: Record<string, unknown>) => Handler;

const installed = new WeakSet<object>();

/**
 * Install the fast path on this client (once per client). The SDK's own deserializer is kept
 * (taken from the same plugin the client installed) for every response the fast path leaves.
 */
export function useFastEcsReads(client: ECSClient): void {
  if (installed.has(client)) return;
  installed.add(client);
  const config = client.config as unknown as { streamCollector: (body: unknown) => Promise<Uint8Array> };
  let sdk: Middleware | undefined;
  getSchemaSerdePlugin(client.config as unknown as Parameters<typeof getSchemaSerdePlugin>[0]).applyToStack({
    add: (mw: unknown, options: { name?: string }) => {
      if (options.name === deserializerMiddlewareOption.name) sdk = mw as Middleware;
    },
  } as unknown as Parameters<ReturnType<typeof getSchemaSerdePlugin>['applyToStack']>[0]);
  const sdkDeserializer = sdk;
  if (sdkDeserializer === undefined) return; // an SDK without the schema plugin: leave it alone
  const fast: Middleware = (next, context) => async (args) => {
    const operation = getSmithyContext(context as never).operationSchema as unknown as readonly unknown[] | undefined;
    const name = operation?.[2];
    const fallback = (result: { response: unknown }): Promise<{ response: unknown; output?: unknown }> => sdkDeserializer(async () => result, context)(args);
    if (typeof name !== 'string' || !HOT_READS.has(name)) return sdkDeserializer(next, context)(args);
    const result = await next(args);
    const response = result.response as RawResponse;
    const outputPlan = planFor(name, operation?.[5]);
    const type = response.headers['content-type'] ?? '';
    if (outputPlan === null || response.statusCode < 200 || response.statusCode >= 300 || !type.includes('json')) return fallback(result);
    const bytes = await config.streamCollector(response.body);
    let output: Record<string, unknown> | undefined;
    const list = REUSED[name];
    const plans = list !== undefined ? memberPlansFor(name, operation?.[5], list) : null;
    const cache = reuse.get(name);
    if (list !== undefined && plans !== null && cache !== undefined && bytes.byteLength > 0) {
      const input = (args as { input?: Record<string, unknown> }).input;
      const requested = input?.[list.requested];
      try {
        output = cache.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), Array.isArray(requested) ? requested : undefined, plans.item, (member) => plans.members.get(member));
      } catch {
        abandonedReads++;
        output = undefined; // read the whole body below (and let the SDK report what is wrong)
      }
    }
    if (output !== undefined) {
      output.$metadata = metadata(response);
      return { response, output };
    }
    try {
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      if (outputPlan.document && !sdkKeepsNumbers(text)) throw new RangeError('a number the SDK revives');
      output = bytes.byteLength === 0 ? {} : (JSON.parse(text) as Record<string, unknown>);
      if (output === null || typeof output !== 'object' || Array.isArray(output)) throw new TypeError('not a JSON object');
      output = outputPlan.convert(output) as Record<string, unknown>;
    } catch {
      // Let the SDK report it (it reads the same bytes, and decorates its error with the response).
      response.body = bytes;
      return fallback(result);
    }
    output.$metadata = metadata(response);
    return { response, output };
  };
  client.middlewareStack.add(fast as never, { ...deserializerMiddlewareOption, override: true } as never);
}
