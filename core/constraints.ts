/**
 * ECS cluster query language, the subset `memberOf` placement constraints use in practice:
 *
 *   subject  := attribute:NAME | ec2InstanceId
 *   compare  := subject (== | != | =~ | !~) value
 *             | subject (in | not in) [value, …]
 *             | subject exists | subject !exists
 *   expr     := compare | expr (and | &&) expr | expr (or | ||) expr | not expr | ! expr | ( expr )
 *
 * `=~`/`!~` take ECS wildcards (`t2.*`). A missing attribute matches no `==`, `=~` or `in`, and
 * every `!=`, `!~` and `not in` (ECS semantics). Anything else (`task:group`, `runningTasksCount`,
 * numeric comparisons, syntax errors) is reported as unsupported, never read as a silent "fits".
 * Parsing is a recursive-descent pass, O(length); parsed expressions are memoised by text.
 */

export interface ConstraintTarget {
  readonly id?: string;
  readonly availabilityZone?: string;
  readonly instanceType?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export type Evaluation = { readonly kind: 'match' } | { readonly kind: 'no-match' } | { readonly kind: 'unsupported'; readonly detail: string };

type Node =
  | { op: 'and' | 'or'; left: Node; right: Node }
  | { op: 'not'; inner: Node }
  | { op: '==' | '!=' | '=~' | '!~'; subject: string; value: string }
  | { op: 'in' | 'not in'; subject: string; values: string[] }
  | { op: 'exists' | '!exists'; subject: string };

export class UnsupportedExpression extends Error {}

const TOKEN = /\s*(\(|\)|\[|\]|,|==|!=|=~|!~|&&|\|\||!(?!=|~)|[^\s()[\],=!~&|]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let index = 0;
  while (index < text.length) {
    if (text.slice(index).trim() === '') break;
    TOKEN.lastIndex = index;
    const m = TOKEN.exec(text);
    if (m === null || m[1] === undefined) throw new UnsupportedExpression(`cannot read ${JSON.stringify(text.slice(index).trim())}`);
    tokens.push(m[1]);
    index = TOKEN.lastIndex;
  }
  return tokens;
}

function parse(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const lower = (): string | undefined => tokens[i]?.toLowerCase();
  const next = (): string => {
    const t = tokens[i++];
    if (t === undefined) throw new UnsupportedExpression('unexpected end of expression');
    return t;
  };
  const expect = (t: string): void => {
    const got = next();
    if (got !== t) throw new UnsupportedExpression(`expected '${t}' but found '${got}'`);
  };

  const subject = (): string => {
    const t = next();
    if (t.startsWith('attribute:') && t.length > 'attribute:'.length) return t;
    if (t === 'ec2InstanceId') return t;
    throw new UnsupportedExpression(`unsupported subject '${t}' (supported: attribute:NAME, ec2InstanceId)`);
  };

  const list = (): string[] => {
    expect('[');
    const values: string[] = [];
    while (peek() !== ']') {
      values.push(next());
      if (peek() === ',') next();
      else if (peek() !== ']') throw new UnsupportedExpression(`expected ',' or ']' but found '${peek() ?? 'end'}'`);
    }
    expect(']');
    return values;
  };

  const primary = (): Node => {
    const t = lower();
    if (t === '(') {
      next();
      const inner = or();
      expect(')');
      return inner;
    }
    if (t === 'not' || t === '!') {
      next();
      return { op: 'not', inner: primary() };
    }
    const s = subject();
    const op = lower();
    if (op === '==' || op === '!=' || op === '=~' || op === '!~') {
      next();
      const value = next();
      if (['(', ')', '[', ']', ','].includes(value)) throw new UnsupportedExpression(`expected a value after '${op}'`);
      return { op, subject: s, value };
    }
    if (op === 'in') {
      next();
      return { op: 'in', subject: s, values: list() };
    }
    if (op === 'not' && tokens[i + 1]?.toLowerCase() === 'in') {
      i += 2;
      return { op: 'not in', subject: s, values: list() };
    }
    if (op === 'exists') {
      next();
      return { op, subject: s };
    }
    if (op === '!' && tokens[i + 1]?.toLowerCase() === 'exists') {
      i += 2;
      return { op: '!exists', subject: s };
    }
    throw new UnsupportedExpression(`unsupported operator '${peek() ?? 'end'}' after ${s}`);
  };

  const and = (): Node => {
    let left = primary();
    while (lower() === 'and' || lower() === '&&') {
      next();
      left = { op: 'and', left, right: primary() };
    }
    return left;
  };

  const or = (): Node => {
    let left = and();
    while (lower() === 'or' || lower() === '||') {
      next();
      left = { op: 'or', left, right: and() };
    }
    return left;
  };

  const root = or();
  if (i !== tokens.length) throw new UnsupportedExpression(`unexpected '${tokens[i]}'`);
  return root;
}

const cache = new Map<string, Node | UnsupportedExpression>();

function compiled(expression: string): Node | UnsupportedExpression {
  let hit = cache.get(expression);
  if (hit === undefined) {
    try {
      hit = parse(expression);
    } catch (e) {
      hit = e instanceof UnsupportedExpression ? e : new UnsupportedExpression(String(e));
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(expression, hit);
  }
  return hit;
}

function lookup(subject: string, target: ConstraintTarget): string | undefined {
  if (subject === 'ec2InstanceId') return target.id;
  const name = subject.slice('attribute:'.length);
  if (name === 'ecs.availability-zone') return target.availabilityZone ?? target.attributes?.[name];
  if (name === 'ecs.instance-type') return target.instanceType ?? target.attributes?.[name];
  return target.attributes?.[name];
}

function wildcard(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

function holds(node: Node, target: ConstraintTarget): boolean {
  switch (node.op) {
    case 'and':
      return holds(node.left, target) && holds(node.right, target);
    case 'or':
      return holds(node.left, target) || holds(node.right, target);
    case 'not':
      return !holds(node.inner, target);
    case 'exists':
      return lookup(node.subject, target) !== undefined;
    case '!exists':
      return lookup(node.subject, target) === undefined;
    default: {
      const value = lookup(node.subject, target);
      switch (node.op) {
        case '==':
          return value === node.value;
        case '!=':
          return value !== node.value;
        case '=~':
          return value !== undefined && wildcard(node.value, value);
        case '!~':
          return value === undefined || !wildcard(node.value, value);
        case 'in':
          return value !== undefined && node.values.includes(value);
        case 'not in':
          return value === undefined || !node.values.includes(value);
      }
    }
  }
}

/** Evaluate one `memberOf` expression against an instance (or a group's template of a new one). */
export function evaluate(expression: string, target: ConstraintTarget): Evaluation {
  const node = compiled(expression);
  if (node instanceof UnsupportedExpression) return { kind: 'unsupported', detail: `${node.message} in memberOf(${expression})` };
  return holds(node, target) ? { kind: 'match' } : { kind: 'no-match' };
}

/** Syntax check without a target, for reporting constraints the evaluator cannot read. */
export function unsupportedReason(expression: string): string | undefined {
  const node = compiled(expression);
  return node instanceof UnsupportedExpression ? `${node.message} in memberOf(${expression})` : undefined;
}
