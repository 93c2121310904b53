import type { FastifyInstance } from 'fastify';
import { RequestValidationError } from './errors.ts';

// PostgreSQL text cannot hold the NUL character, while SQLite can: without this guard the
// same request would be a 500 on one store and accepted on the other. NUL has no place in
// any field of this API, so every body and query string is refused with a 422 that points
// at the offending field.
// The same walk refuses values nested deeper than MAX_DEPTH: JSON.stringify of such a value
// (every JSON column) overflows the stack, which would be a 500.

type Loc = (string | number)[];

const MAX_DEPTH = 100;

export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const problem = findNul(request.body, ['body']) ?? findNul(request.query, ['query']) ?? findNul(request.params, ['path']);
    if (problem?.tooDeep) {
      throw new RequestValidationError([{ loc: problem.loc, msg: `Input should be nested at most ${MAX_DEPTH} levels deep`, type: 'value_error' }]);
    }
    if (problem) {
      throw new RequestValidationError([{ loc: problem.loc, msg: 'String should not contain NUL characters', type: 'string_nul' }]);
    }
  });
}

interface Frame {
  value: unknown;
  key?: string | number;
  parent?: Frame;
  depth: number;
}

// Iterative, not recursive: a body nested thousands of levels deep must be a 422 from the
// validator, not a stack overflow here (that was a 500, found by test/fuzz/no-500.test.ts).
function findNul(root: unknown, rootLoc: Loc): { loc: Loc; tooDeep?: true } | undefined {
  const stack: Frame[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value, key } = frame;
    if (typeof key === 'string' && key.includes('\u0000')) return { loc: locOf(frame, rootLoc) };
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { loc: locOf(frame, rootLoc) };
    } else if (value !== null && typeof value === 'object') {
      if (frame.depth >= MAX_DEPTH) return { loc: locOf(frame, rootLoc), tooDeep: true };
      const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], key: entries[i][0], parent: frame, depth: frame.depth + 1 });
    }
  }
  return undefined;
}

function locOf(frame: Frame, rootLoc: Loc): Loc {
  const keys: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) keys.push(f.key!);
  return [...rootLoc, ...keys.reverse()];
}
