import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../helpers/app.ts';

// Found by the no-500 fuzzer: paths the router rejects before any route matches got Fastify's
// own `{error, code, message, statusCode}` body, which is neither contract error shape.

describeEachDatabase('router-level failures', (api) => {
  test('an over-long path id is a 422 with FastAPI detail', async () => {
    const response = await api().request('GET', `/v1/webhook/${'x'.repeat(5000)}`);
    assert.equal(response.status, 422);
    assert.deepEqual(response.body, { detail: [{ loc: ['path'], msg: 'Path parameter is too long', type: 'value_error' }] });
  });

  test('a path id with broken percent-encoding is a 422 with FastAPI detail', async () => {
    const response = await api().request('GET', '/v1/webhook/%E0%A4%A');
    assert.equal(response.status, 422);
    assert.deepEqual(response.body, { detail: [{ loc: ['path'], msg: 'Path is not a valid URL', type: 'value_error' }] });
  });

  test('a normal unknown id still reaches the route', async () => {
    const response = await api().request('GET', '/v1/webhook/00000000-0000-4000-8000-000000000000');
    assert.equal(response.status, 404);
    assert.equal(response.body.error_code, 'WEBHOOK_NOT_FOUND');
  });
});
