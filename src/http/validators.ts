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
  return ({ schema, httpPart }) => (httpPart === 'body' ? forBodies : forText).compile(schema as object);
}
