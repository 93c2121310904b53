import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toValidationDetails } from './validation-errors.ts';

test('a missing body field is FastAPI’s "missing" at [body, field]', () => {
  const details = toValidationDetails(
    [{ keyword: 'required', instancePath: '', params: { missingProperty: 'to_number' } }],
    'body',
    {},
  );
  assert.deepEqual(details, [{ loc: ['body', 'to_number'], msg: 'Field required', type: 'missing' }]);
});

test('a failed anyOf [uuid, null] reports the uuid problem once, at the path location', () => {
  const details = toValidationDetails(
    [
      { keyword: 'format', instancePath: '/id', params: { format: 'uuid' } },
      { keyword: 'type', instancePath: '/id', params: { type: 'null' } },
      { keyword: 'anyOf', instancePath: '/id', params: {} },
    ],
    'params',
    undefined,
  );
  assert.deepEqual(details, [{ loc: ['path', 'id'], msg: 'Input should be a valid UUID', type: 'uuid_parsing' }]);
});

test('array indexes become numbers and query errors are located in "query"', () => {
  const [item] = toValidationDetails(
    [{ keyword: 'enum', instancePath: '/call_ids/2', params: { allowedValues: ['a', 'b'] } }],
    'body',
    {},
  );
  assert.deepEqual(item.loc, ['body', 'call_ids', 2]);
  assert.equal(item.msg, "Input should be 'a' or 'b'");
  const [query] = toValidationDetails(
    [{ keyword: 'maximum', instancePath: '/limit', params: { limit: 1000 } }],
    'querystring',
    undefined,
  );
  assert.deepEqual(query, { loc: ['query', 'limit'], msg: 'Input should be less than or equal to 1000', type: 'less_than_equal' });
});

test('an absent body is reported as a missing body', () => {
  const details = toValidationDetails([{ keyword: 'type', instancePath: '', params: { type: 'object' } }], 'body', undefined);
  assert.deepEqual(details, [{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
});
