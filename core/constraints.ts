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

/**
 * Recursive descent over the grammar in this file's header, one method per rule: `or` binds
 * loosest, then `and`, then `primary` (parentheses, negation, one comparison). Each token is read
 * once, so a parse is O(tokens).
 */
class Parser {
  private i = 0;

  constructor(private readonly tokens: readonly string[]) {}

  /** The whole expression; tokens left over after it are an error, not ignored. */
  parse(): Node {
    const root = this.or();
    if (this.i !== this.tokens.length) throw new UnsupportedExpression(`unexpected '${this.tokens[this.i]}'`);
    return root;
  }

  private peek(): string | undefined {
    return this.tokens[this.i];
  }

  private lower(offset = 0): string | undefined {
    return this.tokens[this.i + offset]?.toLowerCase();
  }

  private next(): string {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new UnsupportedExpression('unexpected end of expression');
    return t;
  }

  private expect(t: string): void {
    const got = this.next();
    if (got !== t) throw new UnsupportedExpression(`expected '${t}' but found '${got}'`);
  }

  private subject(): string {
    const t = this.next();
    if (t.startsWith('attribute:') && t.length > 'attribute:'.length) return t;
    if (t === 'ec2InstanceId') return t;
    throw new UnsupportedExpression(`unsupported subject '${t}' (supported: attribute:NAME, ec2InstanceId)`);
  }

  private list(): string[] {
    this.expect('[');
    const values: string[] = [];
    while (this.peek() !== ']') {
      values.push(this.next());
      if (this.peek() === ',') this.next();
      else if (this.peek() !== ']') throw new UnsupportedExpression(`expected ',' or ']' but found '${this.peek() ?? 'end'}'`);
    }
    this.expect(']');
    return values;
  }

  private primary(): Node {
    const t = this.lower();
    if (t === '(') {
      this.next();
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (t === 'not' || t === '!') {
      this.next();
      return { op: 'not', inner: this.primary() };
    }
    return this.comparison(this.subject());
  }

  /** The operator and operand after a subject: `== v`, `in [..]`, `not in [..]`, `exists`, `!exists`. */
  private comparison(s: string): Node {
    const op = this.lower();
    if (op === '==' || op === '!=' || op === '=~' || op === '!~') {
      this.next();
      const value = this.next();
      if (['(', ')', '[', ']', ','].includes(value)) throw new UnsupportedExpression(`expected a value after '${op}'`);
      return { op, subject: s, value };
    }
    if (op === 'in') {
      this.next();
      return { op: 'in', subject: s, values: this.list() };
    }
    if (op === 'not' && this.lower(1) === 'in') {
      this.i += 2;
      return { op: 'not in', subject: s, values: this.list() };
    }
    if (op === 'exists') {
      this.next();
      return { op, subject: s };
    }
    if (op === '!' && this.lower(1) === 'exists') {
      this.i += 2;
      return { op: '!exists', subject: s };
    }
    throw new UnsupportedExpression(`unsupported operator '${this.peek() ?? 'end'}' after ${s}`);
  }

  private and(): Node {
    let left = this.primary();
    while (this.lower() === 'and' || this.lower() === '&&') {
      this.next();
      left = { op: 'and', left, right: this.primary() };
    }
    return left;
  }

  private or(): Node {
    let left = this.and();
    while (this.lower() === 'or' || this.lower() === '||') {
      this.next();
      left = { op: 'or', left, right: this.and() };
    }
    return left;
  }
}

function parse(text: string): Node {
  return new Parser(tokenize(text)).parse();
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
