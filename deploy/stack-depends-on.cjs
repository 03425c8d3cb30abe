/**
 * A packaging step (local Serverless plugin) that drops `DependsOn` entries a resource's own
 * `Fn::GetAtt`/`Ref` already enforces.
 *
 * Why: given `role: TickRole`, the framework writes both `Role: { Fn::GetAtt: [TickRole, Arn] }`
 * and `DependsOn: [TickRole]` on the function. CloudFormation already orders a resource after
 * everything it references ("DependsOn attribute", CloudFormation User Guide: "Dependent stacks
 * also have implicit dependencies in the form of target properties !Ref and !GetAtt"), so the
 * explicit entry is redundant, and cfn-lint reports it (W3005). Only entries that a reference in
 * the same resource's `Properties` already covers are removed; the template's order is unchanged.
 */
'use strict';

/** Logical ids referenced by `Ref` or `Fn::GetAtt` anywhere inside `node`. */
function referencedIds(node, into = new Set()) {
  if (Array.isArray(node)) {
    for (const item of node) referencedIds(item, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string') into.add(value);
      else if (key === 'Fn::GetAtt' && Array.isArray(value) && typeof value[0] === 'string') into.add(value[0]);
      else if (key === 'Fn::GetAtt' && typeof value === 'string') into.add(value.split('.')[0]);
      else referencedIds(value, into);
    }
  }
  return into;
}

/** Remove redundant `DependsOn` entries in place; returns how many were removed. */
function dropRedundantDependsOn(template) {
  let removed = 0;
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.DependsOn === undefined) continue;
    const refs = referencedIds(resource.Properties ?? {});
    const list = Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    const kept = list.filter((id) => !refs.has(id));
    removed += list.length - kept.length;
    if (kept.length === 0) delete resource.DependsOn;
    else if (kept.length !== list.length) resource.DependsOn = kept;
  }
  return removed;
}

class StackDependsOn {
  constructor(serverless) {
    this.hooks = {
      'before:package:finalize': () => {
        dropRedundantDependsOn(serverless.service.provider.compiledCloudFormationTemplate);
      },
    };
  }
}

module.exports = StackDependsOn;
module.exports.dropRedundantDependsOn = dropRedundantDependsOn;
