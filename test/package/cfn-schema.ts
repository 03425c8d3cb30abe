/**
 * Validates a CloudFormation template against the CloudFormation resource schemas shipped by
 * `@aws-cdk/aws-service-spec` (a database built from the CloudFormation registry schemas):
 * every resource type exists, every property exists, required properties are present, literal
 * values have the declared type (recursively into nested property types), and `Fn::GetAtt` names
 * an attribute the target type has. Intrinsic functions are accepted wherever a value may go.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

interface PropType {
  type: string;
  element?: PropType;
  types?: PropType[];
  reference?: { $ref: string };
}
interface PropSpec {
  type: PropType;
  previousTypes?: PropType[];
  required?: boolean;
}
interface ResourceSpec {
  cloudFormationType: string;
  properties: Record<string, PropSpec>;
  attributes: Record<string, unknown>;
}
interface TypeDefinition {
  $id: string;
  name: string;
  properties: Record<string, PropSpec>;
}

export interface Spec {
  resources: Map<string, ResourceSpec>;
  types: Map<string, TypeDefinition>;
}

export function loadSpec(): Spec {
  const path = require.resolve('@aws-cdk/aws-service-spec/db.json.gz');
  const db = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as {
    schema: { resource: { entities: Record<string, ResourceSpec> }; typeDefinition: { entities: Record<string, TypeDefinition> } };
  };
  const resources = new Map(Object.values(db.schema.resource.entities).map((r) => [r.cloudFormationType, r]));
  const types = new Map(Object.values(db.schema.typeDefinition.entities).map((t) => [t.$id, t]));
  return { resources, types };
}

const isIntrinsic = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && /^(Ref|Fn::|Condition)/.test(Object.keys(v)[0] ?? '');

function checkValue(spec: Spec, t: PropType, value: unknown, path: string, problems: string[]): boolean {
  if (isIntrinsic(value)) return true;
  switch (t.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value));
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value));
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false';
    case 'json':
      return true;
    case 'tag':
      return typeof value === 'object' && value !== null && 'Key' in value && 'Value' in value;
    case 'array':
      if (!Array.isArray(value)) return false;
      return value.every((v, k) => t.element === undefined || checkValue(spec, t.element, v, `${path}[${k}]`, problems));
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      return Object.entries(value).every(([k, v]) => t.element === undefined || checkValue(spec, t.element, v, `${path}.${k}`, problems));
    case 'union':
      return (t.types ?? []).some((u) => checkValue(spec, u, value, path, []));
    case 'ref': {
      const def = spec.types.get(t.reference?.$ref ?? '');
      if (def === undefined) return true;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      checkObject(spec, def.properties, value as Record<string, unknown>, path, problems);
      return true;
    }
    default:
      return true;
  }
}

function checkObject(spec: Spec, props: Record<string, PropSpec>, value: Record<string, unknown>, path: string, problems: string[]): void {
  for (const [name, p] of Object.entries(props)) if (p.required === true && !(name in value)) problems.push(`${path}: required property ${name} missing`);
  for (const [name, v] of Object.entries(value)) {
    const p = props[name];
    if (p === undefined) {
      problems.push(`${path}: unknown property ${name}`);
      continue;
    }
    const ok = [p.type, ...(p.previousTypes ?? [])].some((t) => checkValue(spec, t, v, `${path}.${name}`, problems));
    if (!ok) problems.push(`${path}.${name}: ${JSON.stringify(v).slice(0, 80)} is not a ${p.type.type}`);
  }
}

function getAtts(node: unknown, out: Array<[string, string]>): void {
  if (Array.isArray(node)) for (const n of node) getAtts(n, out);
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'Fn::GetAtt') {
        const [res, att] = Array.isArray(v) ? v : String(v).split('.');
        out.push([String(res), String(att)]);
      } else getAtts(v, out);
    }
  }
}

/** Every problem found in the template's resources (an empty list when valid). */
export function validateTemplate(spec: Spec, template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }): string[] {
  const problems: string[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const rs = spec.resources.get(r.Type);
    if (rs === undefined) {
      problems.push(`${id}: unknown resource type ${r.Type}`);
      continue;
    }
    checkObject(spec, rs.properties, r.Properties ?? {}, id, problems);
  }
  const atts: Array<[string, string]> = [];
  getAtts(template.Resources, atts);
  for (const [res, att] of atts) {
    const target = template.Resources[res];
    const rs = target !== undefined ? spec.resources.get(target.Type) : undefined;
    if (target === undefined) problems.push(`Fn::GetAtt of unknown resource ${res}`);
    else if (rs !== undefined && !(att in rs.attributes)) problems.push(`Fn::GetAtt ${res}.${att}: ${target.Type} has no attribute ${att}`);
  }
  return problems;
}
