import { CompiledQuery, type Compilable, type Kysely } from 'kysely';

// Building and compiling a Kysely query costs ~30 µs, several times what SQLite needs for a
// point lookup. For the few queries on every request's path (key lookup, call by id), the
// query is built and compiled once with named placeholder values, and each execution only
// swaps the real values into the compiled parameter list.

const PLACEHOLDER_PREFIX = '\u0000habla-param:';

/** The value to write in the query where parameter `name` goes. */
export function param(name: string): string {
  return PLACEHOLDER_PREFIX + name;
}

export function prepareQuery<Row, Name extends string>(
  db: Kysely<any>,
  query: Compilable<Row>,
): (values: Record<Name, unknown>) => Promise<Row[]> {
  const compiled = query.compile();
  const slots = compiled.parameters.map((value) =>
    typeof value === 'string' && value.startsWith(PLACEHOLDER_PREFIX) ? (value.slice(PLACEHOLDER_PREFIX.length) as Name) : undefined,
  );
  return async (values) => {
    const parameters = compiled.parameters.map((fixed, i) => (slots[i] === undefined ? fixed : values[slots[i]!]));
    const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
    return result.rows;
  };
}
