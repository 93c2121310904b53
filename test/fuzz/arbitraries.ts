import fc from 'fast-check';

// Request parts for the no-500 fuzz test, derived from our own OpenAPI document: values that
// look valid (so deeper code runs: existing ids, enums, formats), values of the wrong type,
// huge and hostile strings, nested junk, malformed JSON and the wrong content types.

export type Schema = Record<string, any>;

/** Ids of existing resources, by kind ("agent", "call", "version"...) and all together. */
export interface Seeds {
  byKind: Record<string, string[]>;
  all: string[];
}

/** Ids a uuid field or path segment named like `kind` should use: that kind first, any other next. */
function idsFor(seeds: Seeds, kind: string | undefined): fc.Arbitrary<string> | undefined {
  const own = kind ? (seeds.byKind[kind] ?? []) : [];
  const choices = [
    ...(own.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...own) }] : []),
    ...(seeds.all.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...seeds.all) }] : []),
  ];
  return choices.length > 0 ? fc.oneof(...choices) : undefined;
}

/** `agent_id` → agent, `call_ids` → call. */
export function kindOfField(name: string): string | undefined {
  const match = /^(.*)_ids?$/.exec(name);
  return match ? match[1] : undefined;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

const HUGE = 'x'.repeat(200_000);
const DEEP_ARRAY = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
/** Stands for DEEP_OBJECT inside a generated value: too deep for JSON.stringify to write it here. */
const DEEP_MARK = { __fuzz_deep__: true };
const DEEP_MARK_TEXT = JSON.stringify(DEEP_MARK);
const toJsonText = (value: unknown) => JSON.stringify(value).split(DEEP_MARK_TEXT).join(DEEP_OBJECT);

const HOSTILE_STRINGS = [
  '', ' ', '0', '-1', '1e309', 'NaN', 'null', 'true', 'undefined', '[]', '{}', '__proto__', 'constructor',
  "' OR 1=1 --", '"; DROP TABLE calls; --', '%00', '\u0000', '\ud800', '😀', 'ä', '../../etc/passwd', '%2e%2e%2f',
  '1e20', '184467440737095516', '-0', '0x10', '+34600000000', '600000000', '+', '00000000-0000-0000-0000-000000000000', 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
  '2026-13-45T99:99:99Z', '9999-12-31T23:59:59Z', 'http://', 'javascript:alert(1)', 'x'.repeat(5_000),
];

export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.integer().map(String) },
  );

/** Any JSON value, including the ones a type check forgets: nested, empty, huge. */
export const junkValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: hostileString() },
    { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, [], {}, [null], { '': null }) },
    { weight: 1, arbitrary: fc.constant(HUGE) },
    { weight: 1, arbitrary: fc.constant(DEEP_MARK) },
  );

export function idSegment(seeds: Seeds, kind: string): fc.Arbitrary<string> {
  const known = idsFor(seeds, kind);
  return fc.oneof(
    ...(known ? [{ weight: 6, arbitrary: known }] : []),
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileString() },
  );
}

/** A value shaped like `schema` (mostly valid), with uuids taken from the seeds. */
export function valueFor(schema: Schema | undefined, doc: Schema, seeds: Seeds, depth = 0, kind?: string): fc.Arbitrary<unknown> {
  const s = resolve(schema ?? {}, doc);
  if (depth > 4) return fc.constant(null);
  const union = s.anyOf ?? s.oneOf;
  if (Array.isArray(union)) return fc.oneof(...union.map((m: Schema) => valueFor(m, doc, seeds, depth + 1, kind)));
  if (Object.hasOwn(s, 'const')) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string': return stringFor(s, seeds, kind);
    case 'integer': return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 100_000 });
    case 'number': return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': return fc.array(valueFor(s.items, doc, seeds, depth + 1, kind), { maxLength: Math.min(s.maxItems ?? 3, 3) });
    case 'object': return objectFor(s, doc, seeds, depth);
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(s: Schema, seeds: Seeds, kind: string | undefined): fc.Arbitrary<string> {
  const known = idsFor(seeds, kind);
  switch (s.format) {
    case 'uuid': return known ? fc.oneof({ weight: 4, arbitrary: known }, { weight: 1, arbitrary: fc.uuid() }) : fc.uuid();
    case 'date-time': return fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString());
    case 'uri': return fc.oneof(fc.webUrl(), fc.constant('https://example.com/hook'));
    case 'email': return fc.emailAddress();
  }
  return fc.oneof(
    fc.string({ minLength: s.minLength ?? 0, maxLength: Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 30, 30)) }),
    fc.constantFrom('+34910000000', '+34600000000', '910000000', 'es', 'Agent', 'sip:100@127.0.0.1'),
  );
}

function objectFor(s: Schema, doc: Schema, seeds: Seeds, depth: number): fc.Arbitrary<unknown> {
  const properties: Record<string, Schema> = s.properties ?? {};
  const arbitraryOf = (k: string) => valueFor(properties[k], doc, seeds, depth + 1, kindOfField(k));
  const required: string[] = (s.required ?? []).filter((k: string) => k in properties);
  const optional = Object.keys(properties).filter((k) => !required.includes(k));
  // The required fields and a few optional ones: each optional field is another way to fail
  // validation, and a request that fails early never reaches the code behind it.
  const record = fc.subarray(optional, { maxLength: Math.min(3, optional.length) }).chain((chosen) =>
    fc.record(Object.fromEntries([...required, ...chosen].map((k) => [k, arbitraryOf(k)]))));
  if (Object.keys(properties).length > 0) return record;
  // A free-form object (dynamic variables, settings) is where unbounded nesting gets stored.
  return fc.oneof(
    { weight: 2, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }) },
    { weight: 1, arbitrary: fc.constant(DEEP_MARK) },
  );
}

/** A valid-looking object with one field replaced by junk, or a field added that nobody expects. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), junkValue(), fc.boolean()).map(([value, pick, junk, add]) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return junk;
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    if (add || keys.length === 0) copy[`extra_${pick % 5}`] = junk;
    else copy[keys[pick % keys.length]] = junk;
    return copy;
  });
}

export interface BodyPart {
  contentType?: string;
  payload?: string;
}

/** What goes in the body: JSON shaped like the schema, broken JSON, or the wrong media type. */
export function bodyFor(schema: Schema | undefined, doc: Schema, seeds: Seeds): fc.Arbitrary<BodyPart> {
  const json = (value: fc.Arbitrary<unknown>) => value.map((v): BodyPart => ({ contentType: 'application/json', payload: toJsonText(v) }));
  const shaped = valueFor(schema, doc, seeds);
  const freeForm = freeFormFields(schema, doc);
  const deepInside = fc.tuple(shaped, fc.constantFrom(...(freeForm.length > 0 ? freeForm : ['_']))).map(([value, key]) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...value, [key]: DEEP_MARK } : value);
  return fc.oneof(
    { weight: 4, arbitrary: json(shaped) },
    ...(freeForm.length > 0 ? [{ weight: 1, arbitrary: json(deepInside) }] : []),
    { weight: 4, arbitrary: json(mutated(shaped)) },
    { weight: 2, arbitrary: json(junkValue()) },
    {
      weight: 2,
      arbitrary: fc.record({
        contentType: fc.constant('application/json'),
        payload: fc.constantFrom('{', '{"a":', 'nul', '[1,]', "{'a':1}", '\u0000', '""', '  ', DEEP_ARRAY, DEEP_OBJECT, '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        contentType: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', 'application/jsonx', ''),
        payload: fc.oneof(fc.constant('a=1&b=2'), fc.constant('{"a":1}'), hostileString()),
      }),
    },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

/** A query string: the operation's parameters with shaped or hostile values, plus strangers and duplicates. */
export function queryFor(parameters: Schema[], doc: Schema, seeds: Seeds): fc.Arbitrary<string> {
  const names = parameters.filter((p) => p.in === 'query').map((p) => p.name as string);
  const byName = new Map(parameters.filter((p) => p.in === 'query').map((p) => [p.name as string, p.schema]));
  const shaped = (name: string) =>
    valueFor(byName.get(name), doc, seeds, 0, kindOfField(name)).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  const known = names.length > 0 ? fc.constantFrom(...names) : fc.constant('limit');
  const validPair = known.chain((name) => shaped(name).map((v) => [name, v] as const));
  const hostilePair = fc.oneof(
    known.chain((name) => hostileString().map((v) => [name, v] as const)),
    fc.tuple(hostileString(), hostileString()),
  );
  const encode = (pairs: (readonly [string, string])[]) => pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: fc.array(validPair, { maxLength: 4 }).map(encode) },
    { weight: 2, arbitrary: fc.array(fc.oneof(validPair, hostilePair), { minLength: 1, maxLength: 6 }).map(encode) },
  );
}

/** Like encodeURIComponent, but lone surrogates become U+FFFD instead of throwing. */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.!~*'()]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Top-level body fields that take any JSON object (dynamic variables, settings): stored as they come. */
function freeFormFields(schema: Schema | undefined, doc: Schema): string[] {
  const properties: Record<string, Schema> = resolve(schema ?? {}, doc).properties ?? {};
  return Object.entries(properties)
    .filter(([, property]) => {
      const s = resolve(property, doc);
      return [s, ...(s.anyOf ?? s.oneOf ?? [])].map((b: Schema) => resolve(b, doc))
        .some((b: Schema) => (b.type === 'object' || b.type === undefined) && !b.properties && !b.anyOf && !b.oneOf && !b.enum && b.const === undefined);
    })
    .map(([name]) => name);
}

function resolve(schema: Schema, doc: Schema): Schema {
  let current = schema;
  for (let i = 0; i < 32 && typeof current.$ref === 'string'; i++) {
    current = current.$ref.slice(2).split('/').reduce((node: any, key: string) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc) ?? {};
  }
  return current;
}
