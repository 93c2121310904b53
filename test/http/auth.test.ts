import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { ApiKeyRepository } from '../../src/store/repositories/api-keys.ts';
import { ProjectRepository } from '../../src/store/repositories/projects.ts';
import { describeEachDatabase } from '../helpers/app.ts';

// Generic authentication behaviour, seen through a route that needs no permission.
const URL = '/v1/project/';

function assertUnauthorized(response: { status: number; body: any }, code: 'UNAUTHORIZED' | 'INVALID_API_KEY') {
  assert.equal(response.status, 401);
  assert.deepEqual(Object.keys(response.body).sort(), ['error_code', 'message', 'status']);
  assert.equal(response.body.status, 'error');
  assert.equal(response.body.error_code, code);
  assert.equal(typeof response.body.message, 'string');
}

describeEachDatabase('authentication', (api) => {
  it('accepts a valid key, with the scheme in any case', async () => {
    assert.equal((await api().request('GET', URL)).status, 200);
    const lower = await api().request('GET', URL, { key: null, headers: { authorization: `bearer ${api().adminKey}` } });
    assert.equal(lower.status, 200);
  });

  it('rejects a request without an Authorization header', async () => {
    assertUnauthorized(await api().request('GET', URL, { key: null }), 'UNAUTHORIZED');
  });

  it('rejects malformed Authorization headers', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', `Bearer ${api().adminKey} extra`, api().adminKey, `Token ${api().adminKey}`]) {
      const r = await api().request('GET', URL, { key: null, headers: { authorization: header } });
      assertUnauthorized(r, 'UNAUTHORIZED');
    }
  });

  it('rejects unknown keys, including a near miss of a real one', async () => {
    assertUnauthorized(await api().request('GET', URL, { key: 'hbl_unknown' }), 'INVALID_API_KEY');
    const nearMiss = api().adminKey.slice(0, -1) + (api().adminKey.endsWith('a') ? 'b' : 'a');
    assertUnauthorized(await api().request('GET', URL, { key: nearMiss }), 'INVALID_API_KEY');
  });

  it('authenticates before validating: a bad request without a key learns nothing', async () => {
    const r = await api().request('POST', '/v1/api_key/', { key: null, body: { bogus: true } });
    assertUnauthorized(r, 'UNAUTHORIZED');
    const badId = await api().request('GET', '/v1/project/not-a-uuid', { key: 'hbl_unknown' });
    assertUnauthorized(badId, 'INVALID_API_KEY');
  });

  it('rejects a key created with an expiry date in the past', async () => {
    const created = await api().request('POST', '/v1/api_key/', {
      body: { name: 'stale', restricted: false, expiry_date: '2020-01-01T00:00:00Z' },
    });
    assert.equal(created.status, 200);
    assertUnauthorized(await api().request('GET', URL, { key: created.body.value }), 'INVALID_API_KEY');
  });

  it('stops accepting a key once its expiry passes', async () => {
    const expiry = new Date(Date.now() + 2000).toISOString();
    const created = await api().request('POST', '/v1/api_key/', { body: { name: 'short-lived', restricted: false, expiry_date: expiry } });
    assert.equal(created.body.expiry_date, expiry);
    assert.equal((await api().request('GET', URL, { key: created.body.value })).status, 200);
    await sleep(Date.parse(expiry) - Date.now() + 50);
    assertUnauthorized(await api().request('GET', URL, { key: created.body.value }), 'INVALID_API_KEY');
  });

  it('rejects a revoked (deleted) key on its next request', async () => {
    const created = await api().request('POST', '/v1/api_key/', { body: { name: 'revoked', restricted: false } });
    assert.equal((await api().request('GET', URL, { key: created.body.value })).status, 200);
    assert.equal((await api().request('DELETE', `/v1/api_key/${created.body.id}`)).status, 200);
    assertUnauthorized(await api().request('GET', URL, { key: created.body.value }), 'INVALID_API_KEY');
  });

  it('rejects the keys of a deleted project', async () => {
    const projects = new ProjectRepository(api().store.db);
    const spare = await api().request('POST', '/v1/project/', { body: { name: 'Short-lived project' } });
    const key = await new ApiKeyRepository(api().store.db).create({
      projectId: spare.body.id, creatorId: api().profileId, name: 'k', restricted: false, permissions: null, expiryDate: null,
    });
    assert.equal((await api().request('GET', URL, { key: key.value })).status, 200);
    await projects.softDelete(spare.body.id);
    assertUnauthorized(await api().request('GET', URL, { key: key.value }), 'INVALID_API_KEY');
    assert.equal((await api().request('GET', URL)).status, 200, 'keys of other projects are unaffected');
  });

  it('leaves routes outside /v1/ open', async () => {
    const health = await api().request('GET', '/healthz', { key: null });
    assert.equal(health.status, 200);
  });
});
