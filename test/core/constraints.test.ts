import { evaluate, unsupportedReason, type ConstraintTarget, type Evaluation } from '../../core/constraints';

const target: ConstraintTarget = {
  id: 'i-0abc',
  availabilityZone: 'us-east-1a',
  instanceType: 't2.micro',
  attributes: { color: 'blue', stack: 'prod', 'ecs.os-type': 'linux' },
};

const kind = (expression: string, on: ConstraintTarget = target): Evaluation['kind'] => evaluate(expression, on).kind;

describe('memberOf evaluation', () => {
  it.each<[string, string, Evaluation['kind']]>([
    // ==
    ['== matches an equal custom attribute', 'attribute:color == blue', 'match'],
    ['== rejects a different value', 'attribute:color == red', 'no-match'],
    ['== reads the availability zone', 'attribute:ecs.availability-zone == us-east-1a', 'match'],
    ['== reads the instance type', 'attribute:ecs.instance-type == t2.micro', 'match'],
    ['== reads ec2InstanceId', 'ec2InstanceId == i-0abc', 'match'],
    ['== works without spaces', 'attribute:color==blue', 'match'],
    // !=
    ['!= matches a different value', 'attribute:color != red', 'match'],
    ['!= rejects an equal value', 'attribute:color != blue', 'no-match'],
    // in / not in
    ['in matches a listed value', 'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', 'match'],
    ['in rejects an unlisted value', 'attribute:ecs.availability-zone in [us-east-1b, us-east-1c]', 'no-match'],
    ['not in matches an unlisted value', 'attribute:ecs.instance-type not in [m5.large, c5.large]', 'match'],
    ['not in rejects a listed value', 'attribute:ecs.instance-type not in [t2.micro]', 'no-match'],
    ['in with a single value', 'attribute:stack in [prod]', 'match'],
    // =~ / !~ wildcards
    ['=~ matches a wildcard', 'attribute:ecs.instance-type =~ t2.*', 'match'],
    ['=~ rejects a non-matching wildcard', 'attribute:ecs.instance-type =~ m5.*', 'no-match'],
    ['=~ treats . literally (b.ue does not match blue)', 'attribute:color =~ b.ue', 'no-match'],
    ['=~ wildcard in the middle', 'attribute:ecs.availability-zone =~ us-*-1a', 'match'],
    ['!~ matches when the wildcard does not', 'attribute:ecs.instance-type !~ m5.*', 'match'],
    ['!~ rejects when the wildcard matches', 'attribute:ecs.instance-type !~ t2.*', 'no-match'],
    // exists
    ['exists matches a present attribute', 'attribute:color exists', 'match'],
    ['exists rejects a missing attribute', 'attribute:gpu exists', 'no-match'],
    ['!exists matches a missing attribute', 'attribute:gpu !exists', 'match'],
    ['!exists rejects a present attribute', 'attribute:color !exists', 'no-match'],
    // and / or
    ['and: both hold', 'attribute:color == blue and attribute:stack == prod', 'match'],
    ['and: one fails', 'attribute:color == blue and attribute:stack == dev', 'no-match'],
    ['&& is and', 'attribute:color == blue && attribute:stack == dev', 'no-match'],
    ['or: one holds', 'attribute:color == red or attribute:stack == prod', 'match'],
    ['or: none holds', 'attribute:color == red or attribute:stack == dev', 'no-match'],
    ['|| is or', 'attribute:color == red || attribute:stack == prod', 'match'],
    ['keywords are case-insensitive', 'attribute:color == red OR attribute:stack == prod AND attribute:ecs.os-type == linux', 'match'],
    // precedence and parentheses
    ['and binds tighter than or (a or (b and c))', 'attribute:color == blue or attribute:stack == dev and attribute:color == red', 'match'],
    ['parentheses override precedence ((a or b) and c)', '(attribute:color == blue or attribute:stack == dev) and attribute:color == red', 'no-match'],
    ['nested parentheses', '((attribute:color == blue))', 'match'],
    ['not negates', 'not attribute:color == red', 'match'],
    ['! negates a parenthesised expression', '!(attribute:color == blue)', 'no-match'],
    // missing attribute semantics (ECS: a missing attribute matches no ==, =~, in; every !=, !~, not in)
    ['missing attribute: == does not match', 'attribute:gpu == none', 'no-match'],
    ['missing attribute: =~ does not match even *', 'attribute:gpu =~ *', 'no-match'],
    ['missing attribute: in does not match', 'attribute:gpu in [a, b]', 'no-match'],
    ['missing attribute: != matches', 'attribute:gpu != nvidia', 'match'],
    ['missing attribute: !~ matches', 'attribute:gpu !~ nv*', 'match'],
    ['missing attribute: not in matches', 'attribute:gpu not in [a]', 'match'],
    // unsupported subjects, operators and syntax: explicit, never a fit
    ['unsupported subject task:group', 'task:group == service:web', 'unsupported'],
    ['unsupported subject runningTasksCount', 'runningTasksCount == 0', 'unsupported'],
    ['unsupported subject agentConnected', 'agentConnected == true', 'unsupported'],
    ['an empty attribute name', 'attribute: == x', 'unsupported'],
    ['numeric comparison >', 'attribute:cores > 2', 'unsupported'],
    ['numeric comparison >=', 'attribute:cores >= 2', 'unsupported'],
    ['word operator equals', 'attribute:color equals blue', 'unsupported'],
    ['missing value', 'attribute:color ==', 'unsupported'],
    ['unclosed parenthesis', '(attribute:color == blue', 'unsupported'],
    ['unbalanced closing parenthesis', 'attribute:color == blue)', 'unsupported'],
    ['unclosed list', 'attribute:color in [blue, red', 'unsupported'],
    ['list without commas', 'attribute:color in [blue red]', 'unsupported'],
    ['dangling and', 'attribute:color == blue and', 'unsupported'],
    ['two comparisons without a connective', 'attribute:color == blue attribute:stack == prod', 'unsupported'],
    ['a lone = sign', 'attribute:color = blue', 'unsupported'],
    ['an empty expression', '', 'unsupported'],
    ['a value that is punctuation', 'attribute:color == )', 'unsupported'],
    ['unsupported inside an or whose other side matches is still unsupported', 'attribute:color == blue or task:group == x', 'unsupported'],
  ])('%s: %s', (_rule, expression, expected) => {
    expect(kind(expression)).toBe(expected);
  });

  it('an unsupported result names the problem and the expression', () => {
    const e = evaluate('task:group == web', target);
    expect(e.kind).toBe('unsupported');
    if (e.kind === 'unsupported') expect(e.detail).toContain('task:group == web');
  });

  it.each<[string, string, ConstraintTarget, Evaluation['kind']]>([
    ['ec2InstanceId of a not-yet-launched instance is missing: == does not match', 'ec2InstanceId == i-0abc', { attributes: {} }, 'no-match'],
    ['ec2InstanceId of a not-yet-launched instance is missing: != matches', 'ec2InstanceId != i-0abc', { attributes: {} }, 'match'],
    ['zone falls back to the ecs.availability-zone attribute', 'attribute:ecs.availability-zone == us-east-1a', { attributes: { 'ecs.availability-zone': 'us-east-1a' } }, 'match'],
    ['instance type falls back to the ecs.instance-type attribute', 'attribute:ecs.instance-type == c5.large', { attributes: { 'ecs.instance-type': 'c5.large' } }, 'match'],
  ])('%s', (_rule, expression, on, expected) => {
    expect(kind(expression, on)).toBe(expected);
  });

  it('the same text gives the same answer on repeated evaluation (memoised parse)', () => {
    const text = 'attribute:color in [blue, green]';
    expect(kind(text)).toBe('match');
    expect(kind(text, { attributes: { color: 'red' } })).toBe('no-match');
    expect(kind(text)).toBe('match');
  });

  it.each<[string, boolean]>([
    ['attribute:color == blue', false],
    ['task:group == x', true],
    ['attribute:a in [x,', true],
  ])('unsupportedReason(%p) reports a reason: %p', (expression, unsupported) => {
    expect(unsupportedReason(expression) !== undefined).toBe(unsupported);
  });
});
