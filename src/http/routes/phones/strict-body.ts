import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler } from 'fastify';

// Fastify's Ajv runs with `coerceTypes: 'array'` for every part of a request. On JSON bodies
// that turns the null of an `anyOf [string, null]` field into "" (so `nickname: null` would
// store an empty nickname and `password: null` would wipe a trunk password) and a string into
// a one-element list. Pydantic does neither. Routes with nullable body fields compile their
// body with coercion off; path and query strings keep Fastify's coercion (they are text).
// Bodies are not given defaults either: the contract puts defaults inside `anyOf [T, null]`
// objects, where Ajv cannot apply them and its strict mode refuses to compile; handlers apply
// them. Candidate for the server-wide compiler: see docs/phones.md.

const OPTIONS = { keywords: ['x-habla-extension'] };
const coercing = AjvCompiler()({}, { customOptions: OPTIONS });
const strict = AjvCompiler()({}, { customOptions: { ...OPTIONS, coerceTypes: false, useDefaults: false } });

export const strictBodyCompiler: FastifySchemaCompiler<unknown> = (route) =>
  (route.httpPart === 'body' ? strict : coercing)(route) as ReturnType<FastifySchemaCompiler<unknown>>;
