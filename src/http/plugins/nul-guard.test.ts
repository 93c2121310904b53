import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { registerErrorHandling } from './errors.ts';
import { registerNulGuard } from './nul-guard.ts';

async function app() {
  const instance = Fastify();
  registerErrorHandling(instance);
  registerNulGuard(instance);
  instance.post('/echo', async (request) => request.body);
  instance.get('/q', async (request) => request.query);
  await instance.ready();
  return instance;
}

test('a NUL anywhere in a JSON body is a 422 pointing at that field', async () => {
  const a = await app();
  const r = await a.inject({ method: 'POST', url: '/echo', payload: { list: [{ ok: 'x' }, { name: 'a\u0000' }] } });
  assert.equal(r.statusCode, 422);
  assert.deepEqual(r.json().detail[0].loc, ['body', 'list', 1, 'name']);
  const key = await a.inject({ method: 'POST', url: '/echo', payload: { 'k\u0000': 1 } });
  assert.deepEqual(key.json().detail[0].loc, ['body', 'k\u0000']);
});

test('NUL in a query string is refused; clean input passes untouched', async () => {
  const a = await app();
  assert.equal((await a.inject({ method: 'GET', url: '/q?search=a%00b' })).statusCode, 422);
  const ok = await a.inject({ method: 'POST', url: '/echo', payload: { name: 'añ €' } });
  assert.deepEqual(ok.json(), { name: 'añ €' });
});
