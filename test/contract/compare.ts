import { isDeepStrictEqual } from 'node:util';
import {
  type Branch, type Canonical, canonical, dereference, EXTENSION_KEY, type OpenApiDoc, pointer, type Schema,
} from './normalize.ts';

// Compares one operation of the Diga contract with ours. "Expected" is always the contract,
// "actual" is our generated document. Differences are allowed only when additive and marked
// `x-habla-extension: true`; everything else is reported with a JSON-pointer-like path
// (e.g. `POST /v1/call/ #/requestBody/application~1json/properties/agent_id/type`).

export type { OpenApiDoc } from './normalize.ts';
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface Difference {
  path: string;
  message: string;
}

/** Requests may not gain required fields; responses may carry extension fields that are always present. */
type Direction = 'request' | 'response';

interface Side {
  doc: OpenApiDoc;
}

class Comparison {
  readonly differences: Difference[] = [];
  private readonly active = new Set<string>();

  constructor(readonly expected: Side, readonly actual: Side, readonly prefix: string) {}

  report(path: string, message: string): void {
    this.differences.push({ path: `${this.prefix}#${path}`, message });
  }

  schemas(e: Schema | undefined, a: Schema | undefined, path: string, direction: Direction): void {
    this.canonicals(canonical(this.expected.doc, e), canonical(this.actual.doc, a), path, direction);
  }

  private canonicals(e: Canonical, a: Canonical, path: string, direction: Direction): void {
    // Recursive definitions ($ref cycles) are compared once per pair of reference chains.
    const key = `${e.refs.join('>')}|${a.refs.join('>')}`;
    if (e.refs.length > 0 && this.active.has(key)) return;
    this.active.add(key);
    try {
      if (e.hasDefault !== a.hasDefault || (e.hasDefault && !isDeepStrictEqual(e.default, a.default))) {
        this.report(`${path}/default`, `default: expected ${show(e.hasDefault, e.default)}, got ${show(a.hasDefault, a.default)}`);
      }
      this.unions(e, a, path, direction);
    } finally {
      this.active.delete(key);
    }
  }

  private unions(e: Canonical, a: Canonical, path: string, direction: Direction): void {
    // A response the contract leaves untyped (`{}`) may be anything, including what we document.
    if (direction === 'response' && e.branches.length === 1 && e.branches[0].type === 'any') return;
    const unused = [...a.branches];
    const missing: string[] = [];
    for (const branch of e.branches) {
      const candidates = unused.filter((c) => c.type === branch.type);
      if (candidates.length === 0) {
        missing.push(branch.type);
        continue;
      }
      const best = candidates.length === 1 ? candidates[0] : this.closest(branch, candidates, path, direction);
      unused.splice(unused.indexOf(best), 1);
      this.branches(branch, best, e.branches.length > 1 ? `${path}/(${branch.type})` : path, direction, a.extension);
    }
    const extra = unused.filter((b) => !(b.extension || a.extension)).map((b) => b.type);
    const types = (c: Canonical) => c.branches.map((b) => b.type).join(' | ') || 'nothing';
    if (missing.length > 0) {
      this.report(`${path}/type`, `type: expected ${types(e)}, got ${types(a)}`);
    } else if (extra.length > 0) {
      this.report(`${path}/type`, `type: ours also allows ${extra.join(' | ')}, contract allows only ${types(e)} (mark ${EXTENSION_KEY} if intended)`);
    }
  }

  /** Among same-typed branches (a discriminated union of objects), the one with fewest differences. */
  private closest(e: Branch, candidates: Branch[], path: string, direction: Direction): Branch {
    let best = candidates[0];
    let fewest = Infinity;
    for (const candidate of candidates) {
      const trial = new Comparison(this.expected, this.actual, '');
      trial.branches(e, candidate, path, direction, false);
      if (trial.differences.length < fewest) [best, fewest] = [candidate, trial.differences.length];
    }
    return best;
  }

  branches(e: Branch, a: Branch, path: string, direction: Direction, extended: boolean): void {
    const es = e.schema;
    const as = a.schema;
    for (const keyword of CONSTRAINTS) {
      if (!isDeepStrictEqual(es[keyword], as[keyword])) {
        this.report(`${path}/${keyword}`, `${keyword}: expected ${fmt(es[keyword])}, got ${fmt(as[keyword])}`);
      }
    }
    this.enums(es.enum, as.enum, path, extended || a.extension);
    if (e.type === 'object') this.objects(es, as, path, direction);
    if (e.type === 'array') this.arrays(es, as, path, direction);
  }

  private enums(e: unknown[] | undefined, a: unknown[] | undefined, path: string, extended: boolean): void {
    if (e === undefined && a === undefined) return;
    if (e === undefined) return this.report(`${path}/enum`, `enum: contract has none, ours restricts to ${fmt(a)}`);
    if (a === undefined) return this.report(`${path}/enum`, `enum: contract restricts to ${fmt(e)}, ours has none`);
    const missing = e.filter((v) => !a.some((x) => isDeepStrictEqual(x, v)));
    const extra = a.filter((v) => !e.some((x) => isDeepStrictEqual(x, v)));
    if (missing.length > 0) this.report(`${path}/enum`, `enum: ours lacks ${fmt(missing)}`);
    if (extra.length > 0 && !extended) {
      this.report(`${path}/enum`, `enum: ours adds ${fmt(extra)} (mark ${EXTENSION_KEY} on the schema if intended)`);
    }
  }

  private objects(e: Schema, a: Schema, path: string, direction: Direction): void {
    const eProps: Schema = e.properties ?? {};
    const aProps: Schema = a.properties ?? {};
    const eRequired = new Set<string>(e.required ?? []);
    const aRequired = new Set<string>(a.required ?? []);
    for (const [name, schema] of Object.entries(eProps)) {
      const at = `${path}/properties${pointer(name)}`;
      if (!Object.hasOwn(aProps, name)) {
        this.report(at, `property "${name}" is missing`);
        continue;
      }
      this.schemas(schema, aProps[name], at, direction);
    }
    for (const name of Object.keys(aProps)) {
      if (Object.hasOwn(eProps, name)) continue;
      if (!canonical(this.actual.doc, aProps[name]).extension) {
        this.report(`${path}/properties${pointer(name)}`, `property "${name}" is not in the contract (mark ${EXTENSION_KEY} if intended)`);
      }
    }
    for (const name of eRequired) {
      if (!aRequired.has(name)) this.report(`${path}/required`, `"${name}" must be required`);
    }
    for (const name of aRequired) {
      if (eRequired.has(name)) continue;
      const addedField = !Object.hasOwn(eProps, name) && Object.hasOwn(aProps, name);
      const allowed = direction === 'response' && addedField && canonical(this.actual.doc, aProps[name]).extension;
      if (!allowed) this.report(`${path}/required`, `"${name}" must not be required`);
    }
    this.additional(e.additionalProperties, a.additionalProperties, path, direction);
  }

  /** Absent and `true` mean the same: any extra key is allowed. */
  private additional(e: unknown, a: unknown, path: string, direction: Direction): void {
    const kind = (v: unknown) => (v === undefined || v === true || isEmptySchema(v) ? 'any' : v === false ? 'none' : 'schema');
    const at = `${path}/additionalProperties`;
    if (kind(e) !== kind(a)) return this.report(at, `additionalProperties: expected ${fmt(e)}, got ${fmt(a)}`);
    if (kind(e) === 'schema') this.schemas(e as Schema, a as Schema, at, direction);
  }

  private arrays(e: Schema, a: Schema, path: string, direction: Direction): void {
    this.schemas(e.items, a.items, `${path}/items`, direction);
    if (e.prefixItems || a.prefixItems) {
      const length = Math.max(e.prefixItems?.length ?? 0, a.prefixItems?.length ?? 0);
      for (let i = 0; i < length; i++) this.schemas(e.prefixItems?.[i], a.prefixItems?.[i], `${path}/prefixItems/${i}`, direction);
    }
  }

  // ---- operation level ----

  operation(e: Schema, a: Schema): void {
    if (e.operationId !== a.operationId) this.report('/operationId', `operationId: expected ${fmt(e.operationId)}, got ${fmt(a.operationId)}`);
    if (!isDeepStrictEqual(sorted(e.tags), sorted(a.tags))) this.report('/tags', `tags: expected ${fmt(e.tags)}, got ${fmt(a.tags)}`);
    if (!isDeepStrictEqual(e.security ?? null, a.security ?? null)) {
      this.report('/security', `security: expected ${fmt(e.security)}, got ${fmt(a.security)}`);
    }
    this.parameters(e.parameters ?? [], a.parameters ?? []);
    this.requestBody(e.requestBody, a.requestBody);
    this.responses(e.responses ?? {}, a.responses ?? {});
  }

  private parameters(eList: Schema[], aList: Schema[]): void {
    const index = (doc: OpenApiDoc, list: Schema[]) =>
      new Map(list.map((p) => dereference(doc, p).schema).map((p) => [`${p.in}:${p.name}`, p]));
    const eParams = index(this.expected.doc, eList);
    const aParams = index(this.actual.doc, aList);
    for (const [key, ep] of eParams) {
      const at = `/parameters/${key}`;
      const ap = aParams.get(key);
      if (!ap) {
        this.report(at, `parameter ${ep.name} (in ${ep.in}) is missing`);
        continue;
      }
      if (Boolean(ep.required) !== Boolean(ap.required)) {
        this.report(`${at}/required`, `required: expected ${Boolean(ep.required)}, got ${Boolean(ap.required)}`);
      }
      this.schemas(ep.schema, ap.schema, `${at}/schema`, 'request');
    }
    for (const [key, ap] of aParams) {
      if (eParams.has(key)) continue;
      const marked = ap[EXTENSION_KEY] === true || canonical(this.actual.doc, ap.schema).extension;
      if (!marked) this.report(`/parameters/${key}`, `parameter ${ap.name} (in ${ap.in}) is not in the contract (mark ${EXTENSION_KEY} if intended)`);
      else if (ap.required) this.report(`/parameters/${key}/required`, `added parameter ${ap.name} must be optional`);
    }
  }

  private requestBody(eBody: Schema | undefined, aBody: Schema | undefined): void {
    const e = eBody && dereference(this.expected.doc, eBody).schema;
    const a = aBody && dereference(this.actual.doc, aBody).schema;
    if (!e && !a) return;
    if (!e) {
      const schemas = Object.values(a!.content ?? {}).map((m: any) => m.schema);
      if (!schemas.every((s) => canonical(this.actual.doc, s).extension)) {
        this.report('/requestBody', `the contract takes no request body, ours does (mark ${EXTENSION_KEY} if intended)`);
      }
      return;
    }
    if (!a) return this.report('/requestBody', 'request body is missing');
    if (Boolean(e.required) !== Boolean(a.required)) {
      this.report('/requestBody/required', `required: expected ${Boolean(e.required)}, got ${Boolean(a.required)}`);
    }
    this.content(e.content ?? {}, a.content ?? {}, '/requestBody', 'request');
  }

  private content(e: Record<string, Schema>, a: Record<string, Schema>, path: string, direction: Direction): void {
    for (const [type, media] of Object.entries(e)) {
      if (!a[type]) {
        this.report(`${path}${pointer(type)}`, `content type ${type} is missing (ours: ${fmt(Object.keys(a))})`);
        continue;
      }
      this.schemas(media.schema, a[type].schema, `${path}${pointer(type)}`, direction);
    }
    for (const type of Object.keys(a)) {
      if (!e[type]) this.report(`${path}${pointer(type)}`, `content type ${type} is not in the contract`);
    }
  }

  private responses(e: Record<string, Schema>, a: Record<string, Schema>): void {
    for (const status of Object.keys(e)) {
      if (!a[status]) this.report(`/responses/${status}`, `status ${status} is missing (ours: ${Object.keys(a).join(', ')})`);
    }
    for (const status of Object.keys(e).filter((s) => s.startsWith('2'))) {
      if (!a[status]) continue;
      const er = dereference(this.expected.doc, e[status]).schema;
      const ar = dereference(this.actual.doc, a[status]).schema;
      this.content(er.content ?? {}, ar.content ?? {}, `/responses/${status}`, 'response');
    }
  }
}

/** Keywords that constrain values; compared for equality on every branch. */
const CONSTRAINTS = [
  'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
] as const;

export function compareSchemas(
  expectedDoc: OpenApiDoc, expected: Schema | undefined, actualDoc: OpenApiDoc, actual: Schema | undefined,
  direction: Direction = 'response',
): Difference[] {
  const comparison = new Comparison({ doc: expectedDoc }, { doc: actualDoc }, '');
  comparison.schemas(expected, actual, '', direction);
  return comparison.differences;
}

/** Every difference between the contract's `method path` and ours; an absent operation is one difference. */
export function compareOperation(contract: OpenApiDoc, ours: OpenApiDoc, method: string, path: string): Difference[] {
  const label = `${method.toUpperCase()} ${path} `;
  const e = contract.paths[path]?.[method];
  if (!e) throw new Error(`${label}is not in the contract`);
  const a = ours.paths[path]?.[method];
  if (!a) return [{ path: label.trim(), message: 'operation is missing from our OpenAPI document' }];
  const comparison = new Comparison({ doc: contract }, { doc: ours }, label);
  comparison.operation(e, a);
  return comparison.differences;
}

/** Our operations that the contract does not have and that are not marked as extensions. */
export function unmarkedAdditions(contract: OpenApiDoc, ours: OpenApiDoc): string[] {
  const found: string[] = [];
  for (const [path, item] of Object.entries(ours.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (op && !contract.paths[path]?.[method] && op[EXTENSION_KEY] !== true) found.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return found;
}

export function formatDifferences(differences: Difference[]): string {
  return differences.map((d) => `  ${d.path}: ${d.message}`).join('\n');
}

function isEmptySchema(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.keys(v).filter((k) => !ANNOTATIONS.has(k)).length === 0;
}

const ANNOTATIONS = new Set(['title', 'description', 'examples', 'example', '$comment']);

function sorted(list: unknown): unknown {
  return Array.isArray(list) ? [...list].sort() : list;
}

function fmt(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}

function show(has: boolean, value: unknown): string {
  return has ? JSON.stringify(value) : '(no default)';
}
