import { Type, type TSchema, type TProperties } from 'typebox';

// Building blocks that reproduce the shapes FastAPI/pydantic emit in the contract:
// optional-nullable values are `anyOf: [T, {type: null}]`, ids are uuid strings.

export const Nullable = <T extends TSchema>(schema: T, options: Record<string, unknown> = {}) =>
  Type.Union([schema, Type.Null()], options);

export const Uuid = (options: Record<string, unknown> = {}) => Type.String({ format: 'uuid', ...options });
export const DateTime = (options: Record<string, unknown> = {}) => Type.String({ format: 'date-time', ...options });

/** A string enum written as pydantic writes it: `{type: "string", enum: [...]}`. */
export const StringEnum = <const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** Marks a field or operation that Habla adds on top of the Diga contract. */
export const EXTENSION = { 'x-habla-extension': true } as const;

export const ErrorResponse = Type.Object(
  {
    status: Type.String({ default: 'error' }),
    error_code: Type.String(),
    message: Type.String(),
  },
  { required: ['error_code', 'message'] },
);

export const HttpValidationError = Type.Object({
  detail: Type.Array(
    Type.Object({
      loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
      msg: Type.String(),
      type: Type.String(),
    }),
  ),
});

export const IdParams = (name = 'id') => Type.Object({ [name]: Uuid() } as TProperties);

/** `after`, `before`, `page`, `limit`, `order`, as every Diga list operation declares them. */
export const pageQueryProperties = (defaultLimit: number, maxLimit: number) => ({
  after: Type.Optional(Nullable(Uuid())),
  before: Type.Optional(Nullable(Uuid())),
  page: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLimit, default: defaultLimit })),
  order: Type.Optional(StringEnum(['asc', 'desc'] as const, { default: 'desc' })),
});

export const Paginated = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item),
    first_id: Type.Optional(Nullable(Uuid())),
    last_id: Type.Optional(Nullable(Uuid())),
    has_more: Type.Boolean(),
    current_page: Type.Optional(Nullable(Type.Integer())),
    total_pages: Type.Optional(Nullable(Type.Integer())),
  });

/** Standard error responses, keyed by status, for a route's `response` schema. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, s === 422 ? HttpValidationError : ErrorResponse]));

/** For list operations: 422 is the Diga envelope (INVALID_PAGINATION_PARAMETERS), not FastAPI's. */
export const listErrors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
