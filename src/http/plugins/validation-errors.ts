// Turns Ajv validation errors into FastAPI's `{detail: [{loc, msg, type}]}` entries,
// so clients written against Diga (a FastAPI service) see the shapes they expect.

export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, any>;
  message?: string;
}

const LOCATION: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

export function toValidationDetails(errors: AjvError[], context: string, input: unknown): ValidationDetail[] {
  const root = LOCATION[context] ?? context;
  const byPath = new Map<string, AjvError>();
  for (const error of errors) {
    const key = error.instancePath + (error.keyword === 'required' ? `/${error.params.missingProperty}` : '');
    // A failed `anyOf [T, null]` reports every branch; the first branch says what was wrong.
    if (isBranchNoise(error) && byPath.has(key)) continue;
    if (!byPath.has(key) || isBranchNoise(byPath.get(key)!)) byPath.set(key, error);
  }
  return [...byPath.values()].map((error) => detailFor(error, root, input));
}

function isBranchNoise(error: AjvError): boolean {
  return error.keyword === 'anyOf' || (error.keyword === 'type' && error.params.type === 'null');
}

function detailFor(error: AjvError, root: string, input: unknown): ValidationDetail {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (error.keyword === 'required') {
    return { loc: [root, ...segments, error.params.missingProperty], msg: 'Field required', type: 'missing' };
  }
  if (root === 'body' && segments.length === 0 && (input === undefined || input === null)) {
    return { loc: [root], msg: 'Field required', type: 'missing' };
  }
  return { loc: [root, ...segments], ...describe(error) };
}

function describe(error: AjvError): { msg: string; type: string } {
  const p = error.params;
  switch (error.keyword) {
    case 'type':
      return describeType(String(p.type));
    case 'format':
      return describeFormat(String(p.format));
    case 'enum':
      return { msg: `Input should be ${quoteList(p.allowedValues ?? [])}`, type: 'enum' };
    case 'const':
      return { msg: `Input should be ${JSON.stringify(p.allowedValue)}`, type: 'literal_error' };
    case 'minimum':
      return { msg: `Input should be greater than or equal to ${p.limit}`, type: 'greater_than_equal' };
    case 'exclusiveMinimum':
      return { msg: `Input should be greater than ${p.limit}`, type: 'greater_than' };
    case 'maximum':
      return { msg: `Input should be less than or equal to ${p.limit}`, type: 'less_than_equal' };
    case 'exclusiveMaximum':
      return { msg: `Input should be less than ${p.limit}`, type: 'less_than' };
    case 'minLength':
      return { msg: `String should have at least ${p.limit} characters`, type: 'string_too_short' };
    case 'maxLength':
      return { msg: `String should have at most ${p.limit} characters`, type: 'string_too_long' };
    case 'minItems':
      return { msg: `List should have at least ${p.limit} items`, type: 'too_short' };
    case 'maxItems':
      return { msg: `List should have at most ${p.limit} items`, type: 'too_long' };
    case 'pattern':
      return { msg: `String should match pattern '${p.pattern}'`, type: 'string_pattern_mismatch' };
    case 'additionalProperties':
      return { msg: 'Extra inputs are not permitted', type: 'extra_forbidden' };
    default:
      return { msg: error.message ?? 'Invalid value', type: 'value_error' };
  }
}

function describeType(type: string): { msg: string; type: string } {
  const first = type.split(',')[0];
  switch (first) {
    case 'string': return { msg: 'Input should be a valid string', type: 'string_type' };
    case 'integer': return { msg: 'Input should be a valid integer', type: 'int_parsing' };
    case 'number': return { msg: 'Input should be a valid number', type: 'float_parsing' };
    case 'boolean': return { msg: 'Input should be a valid boolean', type: 'bool_parsing' };
    case 'array': return { msg: 'Input should be a valid list', type: 'list_type' };
    case 'object': return { msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type' };
    default: return { msg: `Input should be of type ${type}`, type: 'type_error' };
  }
}

function describeFormat(format: string): { msg: string; type: string } {
  switch (format) {
    case 'uuid': return { msg: 'Input should be a valid UUID', type: 'uuid_parsing' };
    case 'date-time': return { msg: 'Input should be a valid datetime', type: 'datetime_from_date_parsing' };
    case 'uri': return { msg: 'Input should be a valid URL', type: 'url_parsing' };
    case 'email': return { msg: 'value is not a valid email address', type: 'value_error' };
    default: return { msg: `Input should be a valid ${format}`, type: 'value_error' };
  }
}

function quoteList(values: unknown[]): string {
  const quoted = values.map((v) => `'${String(v)}'`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}
