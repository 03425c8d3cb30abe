/** The packaging step that drops DependsOn entries a reference already enforces (cfn-lint W3005). */
const { dropRedundantDependsOn } = require('../../deploy/stack-depends-on.cjs') as {
  dropRedundantDependsOn: (template: { Resources: Record<string, { DependsOn?: string | string[]; Properties?: unknown }> }) => number;
};

describe('dropRedundantDependsOn', () => {
  it.each([
    ['a GetAtt in Properties makes the DependsOn entry redundant', { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } }, ['Logs', 'Role'], ['Logs'], 1],
    ['a dotted GetAtt string counts too', { Role: { 'Fn::GetAtt': 'Role.Arn' } }, ['Role'], undefined, 1],
    ['a Ref nested in a Sub list counts', { Name: { 'Fn::Join': ['-', [{ Ref: 'Queue' }]] } }, 'Queue', undefined, 1],
    ['an entry with no reference is an ordering the template needs: kept', { Role: 'arn:aws:iam::1:role/x' }, ['Role'], ['Role'], 0],
  ])('%s', (_rule, properties, dependsOn, expected, removed) => {
    const template = { Resources: { Fn: { DependsOn: dependsOn, Properties: properties } } };
    expect(dropRedundantDependsOn(template)).toBe(removed);
    expect(template.Resources.Fn.DependsOn).toEqual(expected);
  });
});
