// Puts JSON Schemas from two generators (pydantic/FastAPI and TypeBox/@fastify/swagger) into
// one comparable form: $ref and single-member allOf resolved, annotations dropped, and every
// schema split into a union of single-type branches. So `anyOf [T, {type: null}]`,
// `type: [T, "null"]` and `oneOf [...]` all become the branches {T, null}, and `const: x`
// becomes `enum: [x]`.

export type Schema = Record<string, any>;

export interface OpenApiDoc {
  openapi?: string;
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, Schema>; parameters?: Record<string, any> };
}

export type BranchType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null' | 'any';

export interface Branch {
  type: BranchType;
  /** The keywords that apply to this type (format, enum, properties, items, min/max...). */
  schema: Schema;
  extension: boolean;
}

export interface Canonical {
  branches: Branch[];
  hasDefault: boolean;
  default?: unknown;
  /** `x-habla-extension: true` on the schema itself or on any of its branches. */
  extension: boolean;
  /** The $refs followed to reach this schema, to stop on recursive definitions. */
  refs: string[];
}

export const EXTENSION_KEY = 'x-habla-extension';

const UNION_KEYS = ['anyOf', 'oneOf'] as const;
const TYPES: BranchType[] = ['string', 'integer', 'number', 'boolean', 'array', 'object', 'null'];

export function resolveRef(doc: OpenApiDoc, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported, got ${ref}`);
  let node: any = doc;
  for (const raw of ref.slice(2).split('/')) {
    node = node?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (node === undefined) throw new Error(`Unresolvable $ref ${ref}`);
  return node;
}

/** Follows $ref chains and merges allOf, keeping sibling keywords (FastAPI puts `default` next to a $ref). */
export function dereference(doc: OpenApiDoc, input: Schema | boolean | undefined, refs: string[] = []): { schema: Schema; refs: string[] } {
  let schema: Schema = input === undefined || input === true ? {} : input === false ? { not: {} } : input;
  const followed = [...refs];
  for (let guard = 0; guard < 64; guard++) {
    if (typeof schema.$ref === 'string') {
      const { $ref, ...siblings } = schema;
      followed.push($ref);
      schema = { ...resolveRef(doc, $ref), ...siblings };
      continue;
    }
    if (Array.isArray(schema.allOf)) {
      const { allOf, ...siblings } = schema;
      schema = mergeAll([...allOf.map((part: Schema) => dereference(doc, part).schema), siblings]);
      continue;
    }
    return { schema, refs: followed };
  }
  throw new Error(`$ref chain too deep at ${followed.join(' -> ')}`);
}

function mergeAll(parts: Schema[]): Schema {
  const merged: Schema = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties') merged.properties = { ...(merged.properties ?? {}), ...value };
      else if (key === 'required') merged.required = [...new Set([...(merged.required ?? []), ...value])];
      else merged[key] = value;
    }
  }
  return merged;
}

export function canonical(doc: OpenApiDoc, input: Schema | boolean | undefined, refs: string[] = []): Canonical {
  const { schema, refs: followed } = dereference(doc, input, refs);
  const extension = schema[EXTENSION_KEY] === true;
  const hasDefault = Object.hasOwn(schema, 'default');
  const unionKey = UNION_KEYS.find((key) => Array.isArray(schema[key]));
  if (unionKey) {
    const members = (schema[unionKey] as Schema[]).map((member) => canonical(doc, member, followed));
    const inner = members.length === 1 ? members[0] : undefined;
    return {
      branches: members.flatMap((m) => m.branches),
      hasDefault: hasDefault || Boolean(inner?.hasDefault),
      default: hasDefault ? schema.default : inner?.default,
      extension: extension || members.some((m) => m.extension),
      refs: followed,
    };
  }
  const branches = splitByType(schema);
  return { branches, hasDefault, default: schema.default, extension: extension || branches.some((b) => b.extension), refs: followed };
}

function splitByType(schema: Schema): Branch[] {
  const extension = schema[EXTENSION_KEY] === true;
  const values: unknown[] | undefined = Object.hasOwn(schema, 'const') ? [schema.const] : schema.enum;
  const types = declaredTypes(schema, values);
  return types.map((type) => {
    const branch: Schema = { ...schema };
    delete branch.const;
    delete branch.default;
    if (values) {
      const own = values.filter((v) => valueType(v, types) === type);
      if (own.length > 0 || type !== 'null') branch.enum = own;
      else delete branch.enum;
    }
    return { type, schema: type === 'null' ? {} : branch, extension };
  });
}

function declaredTypes(schema: Schema, values: unknown[] | undefined): BranchType[] {
  let types: BranchType[];
  if (Array.isArray(schema.type)) types = [...schema.type];
  else if (typeof schema.type === 'string') types = [schema.type as BranchType];
  else if (values) types = [...new Set(values.map((v) => valueType(v, TYPES)))];
  else if (schema.properties || schema.additionalProperties !== undefined) types = ['object'];
  else if (schema.items || schema.prefixItems) types = ['array'];
  else types = ['any'];
  if (values?.includes(null) && !types.includes('null')) types.push('null');
  return types;
}

function valueType(value: unknown, among: BranchType[]): BranchType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') {
    return Number.isInteger(value) && among.includes('integer') && !among.includes('number') ? 'integer' : 'number';
  }
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object') return typeof value as BranchType;
  return 'any';
}

/** A JSON-pointer segment: `/` and `~` escaped as RFC 6901 does. */
export function pointer(segment: string | number): string {
  return `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}
