import type { FastifyRequest } from 'fastify';
import { RequestValidationError } from '../../plugins/errors.ts';

// Fastify runs Ajv with `coerceTypes`: before a handler sees the body, a JSON null or a
// number sent for a string field has become "" or "5", and the null of an optional
// `anyOf [string, null]` field has become "" too. Diga (pydantic) rejects the former and
// keeps the null. These checks read the parsed JSON before validation so our answers match.

const nullsSent = new WeakMap<FastifyRequest, Set<string>>();

/** A preValidation hook for the top-level string fields of a JSON body. */
export function strictStrings(fields: { strings?: string[]; nullable?: string[] }) {
  return async (request: FastifyRequest): Promise<void> => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    const values = body as Record<string, unknown>;
    const nullable = fields.nullable ?? [];
    const invalid = [...(fields.strings ?? []), ...nullable].filter((field) => {
      const value = values[field];
      if (value === null) return !nullable.includes(field);
      return typeof value === 'number' || typeof value === 'boolean';
    });
    if (invalid.length > 0) {
      throw new RequestValidationError(
        invalid.map((field) => ({ loc: ['body', field], msg: 'Input should be a valid string', type: 'string_type' })),
      );
    }
    nullsSent.set(request, new Set(nullable.filter((field) => values[field] === null)));
  };
}

/** Whether the client sent JSON null for this field (its value now reads as ""). */
export function sentNull(request: FastifyRequest, field: string): boolean {
  return nullsSent.get(request)?.has(field) ?? false;
}
