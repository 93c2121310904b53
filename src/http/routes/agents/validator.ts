import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler } from 'fastify';

// The contract's call-tool variants declare defaults (`type`, `transfer_type`) inside a union.
// Ajv's strict mode refuses a `default` it cannot apply, and it never applies one inside
// anyOf/oneOf. So the routes whose body holds call tools compile a copy of their schemas with
// those defaults removed (settings.ts fills them in), while the OpenAPI document keeps them.
// The compiler is built exactly like Fastify's own (see `ajv` in http/server.ts).

const build = (AjvCompiler() as unknown as (
  external: Record<string, unknown>,
  options: { customOptions: Record<string, unknown>; plugins: unknown[] },
) => (route: { schema: unknown }) => ReturnType<FastifySchemaCompiler<unknown>>)(
  {},
  { customOptions: { keywords: ['x-habla-extension'] }, plugins: [] },
);

export const compileWithoutUnionDefaults: FastifySchemaCompiler<unknown> = (route) =>
  build({ ...route, schema: withoutUnionDefaults(plainCopy(route.schema), false) });

/** A deep copy without TypeBox's symbol keys, safe to edit. */
function plainCopy(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema));
}

function withoutUnionDefaults(schema: unknown, inUnion: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((s) => withoutUnionDefaults(s, inUnion));
  if (!schema || typeof schema !== 'object') return schema;
  const node = schema as Record<string, unknown>;
  for (const [key, value] of Object.entries(node)) {
    const entersUnion = key === 'anyOf' || key === 'oneOf';
    node[key] = withoutUnionDefaults(value, inUnion || entersUnion);
  }
  if (inUnion && node.properties && typeof node.properties === 'object') {
    for (const property of Object.values(node.properties as Record<string, Record<string, unknown>>)) {
      delete property.default;
    }
  }
  return node;
}
