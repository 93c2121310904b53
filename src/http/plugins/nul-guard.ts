import type { FastifyInstance } from 'fastify';
import { RequestValidationError } from './errors.ts';

// PostgreSQL text cannot hold the NUL character, while SQLite can: without this guard the
// same request would be a 500 on one store and accepted on the other. NUL has no place in
// any field of this API, so every body and query string is refused with a 422 that points
// at the offending field.

type Loc = (string | number)[];

export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const where = findNul(request.body, ['body']) ?? findNul(request.query, ['query']) ?? findNul(request.params, ['path']);
    if (where) {
      throw new RequestValidationError([{ loc: where, msg: 'String should not contain NUL characters', type: 'string_nul' }]);
    }
  });
}

function findNul(value: unknown, loc: Loc): Loc | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? loc : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...loc, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = key.includes('\u0000') ? [...loc, key] : findNul(item, [...loc, key]);
      if (found) return found;
    }
  }
  return undefined;
}
