import type { FastifySchemaCompiler } from 'fastify';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';

// Two Ajv instances, because the parts of a request deserve different leniency:
// - query strings and path parameters are text, so "5" must become 5 (coercion on);
// - JSON bodies already carry types. Coercing them would turn a JSON null into "" and 5
//   into "5", which pydantic (Diga) rejects or keeps as null. So bodies are not coerced.

const COMMON: Options = {
  removeAdditional: true,
  useDefaults: true,
  allErrors: false,
  strict: false,
  keywords: ['x-habla-extension'],
};

function createAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...COMMON, coerceTypes });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

export function createValidatorCompiler(): FastifySchemaCompiler<any> {
  const forBodies = createAjv(false);
  const forText = createAjv('array');
  return ({ schema, httpPart }) => (httpPart === 'body' ? forBodies.compile(schema as object) : forText.compile(withoutNullableNumbers(schema)));
}

type JsonSchema = Record<string, unknown>;

/**
 * Text parts (query, path) cannot carry a JSON null, so `anyOf: [integer, null]` there only means
 * "optional". Left as it is, Ajv's coercion lets a failed number through the null branch: `page=0`
 * fails `minimum: 1` as 0, then is coerced to null and accepted. Diga (FastAPI) answers 422, so
 * for validation the null branch of a numeric property is dropped. The schema itself (and so the
 * OpenAPI document) keeps it: this works on a copy.
 */
export function withoutNullableNumbers(schema: unknown): object {
  const root = schema as JsonSchema;
  const properties = root?.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return root;
  const stripped = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, numericBranch(property) ?? property]));
  return { ...root, properties: stripped };
}

function numericBranch(property: JsonSchema): JsonSchema | undefined {
  const branches = property.anyOf as JsonSchema[] | undefined;
  if (!branches || branches.length !== 2 || !branches.some((b) => b.type === 'null')) return undefined;
  const other = branches.find((b) => b.type !== 'null')!;
  if (other.type !== 'integer' && other.type !== 'number') return undefined;
  const { anyOf: _dropped, ...annotations } = property; // keeps default, title, description
  return { ...annotations, ...other };
}
