import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import { describeEachDatabase } from '../helpers/app.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';
const REDACTED_FIELDS = ['created_date', 'creator_id', 'expiry_date', 'id', 'last_four_digits', 'name', 'permissions', 'restricted'];

describeEachDatabase('API keys API', (api) => {
  const create = (body: unknown, key?: string) => api().request('POST', '/v1/api_key/', { body, ...(key ? { key } : {}) });

  it('creates a key whose value is shown once and authenticates', async () => {
    const created = await create({ name: 'ci', restricted: false });
    assert.equal(created.status, 200);
    const { value, ...rest } = created.body;
    assert.match(value, /^hbl_[A-Za-z0-9_-]{40,}$/);
    assert.deepEqual(Object.keys(rest).sort(), REDACTED_FIELDS);
    assert.equal(rest.name, 'ci');
    assert.equal(rest.restricted, false);
    assert.equal(rest.permissions, null);
    assert.equal(rest.expiry_date, null);
    assert.equal(rest.last_four_digits, value.slice(-4));
    assert.equal(rest.creator_id, api().profileId);
    assert.match(rest.created_date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // The new key works, and it acts with every permission.
    const listed = await api().request('GET', '/v1/api_key/', { key: value });
    assert.equal(listed.status, 200);
    assert.equal((await api().request('POST', '/v1/webhook/', { key: value, body: { url: 'https://h.example.com', subscribed_events: [] } })).status, 200);

    // Never again: not in get, list, nor patch responses.
    const fetched = await api().request('GET', `/v1/api_key/${rest.id}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body, rest);
    assert.ok(!fetched.raw.includes(value));
    const all = await api().request('GET', '/v1/api_key/?limit=1000');
    const entry = all.body.data.find((k: any) => k.id === rest.id);
    assert.deepEqual(entry, rest);
    assert.ok(!all.raw.includes(value));
    const patched = await api().request('PATCH', `/v1/api_key/${rest.id}`, { body: { name: 'ci-2' } });
    assert.equal(patched.status, 200);
    assert.ok(!('value' in patched.body));
    assert.ok(!patched.raw.includes(value));
  });

  it('creates a restricted key that can do only what it lists', async () => {
    const created = await create({ name: 'viewer', restricted: true, permissions: ['webhooks.view', 'calls.view', 'webhooks.view'] });
    assert.equal(created.status, 200);
    assert.equal(created.body.restricted, true);
    // Deduplicated, in the contract's enum order.
    assert.deepEqual(created.body.permissions, ['calls.view', 'webhooks.view']);
    const key = created.body.value;
    assert.equal((await api().request('GET', '/v1/webhook/', { key })).status, 200);
    const denied = await api().request('POST', '/v1/webhook/', { key, body: { url: 'https://h.example.com', subscribed_events: [] } });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'MISSING_PERMISSIONS');
    assert.equal((await api().request('GET', '/v1/api_key/', { key })).status, 403);
  });

  it('ignores permissions sent for an unrestricted key and keeps a restricted key without any', async () => {
    const unrestricted = await create({ name: 'u', restricted: false, permissions: ['calls.view'] });
    assert.equal(unrestricted.body.permissions, null);
    const empty = await create({ name: 'e', restricted: true });
    assert.deepEqual(empty.body.permissions, []);
    assert.equal((await api().request('GET', '/v1/webhook/', { key: empty.body.value })).status, 403);
  });

  it('stores the expiry in UTC and returns it', async () => {
    const created = await create({ name: 'expiring', restricted: false, expiry_date: '2099-06-01T12:00:00+02:00' });
    assert.equal(created.status, 200);
    assert.equal(created.body.expiry_date, '2099-06-01T10:00:00.000Z');
    assert.equal((await api().request('GET', '/v1/api_key/', { key: created.body.value })).status, 200);
    const fetched = await api().request('GET', `/v1/api_key/${created.body.id}`);
    assert.equal(fetched.body.expiry_date, '2099-06-01T10:00:00.000Z');
  });

  it('edits name, restriction and permissions while the secret stays the same', async () => {
    const created = await create({ name: 'before', restricted: false });
    const { id, value, last_four_digits: lastFour } = created.body;

    const renamed = await api().request('PATCH', `/v1/api_key/${id}`, { body: { name: 'after' } });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, 'after');
    assert.equal(renamed.body.restricted, false);

    const restricted = await api().request('PATCH', `/v1/api_key/${id}`, { body: { restricted: true, permissions: ['webhooks.view'] } });
    assert.equal(restricted.status, 200);
    assert.equal(restricted.body.restricted, true);
    assert.deepEqual(restricted.body.permissions, ['webhooks.view']);
    assert.equal(restricted.body.last_four_digits, lastFour);
    assert.equal((await api().request('GET', '/v1/webhook/', { key: value })).status, 200);
    assert.equal((await api().request('GET', '/v1/api_key/', { key: value })).status, 403);

    // Replacing the list on a restricted key; `restricted` stays as it was.
    const replaced = await api().request('PATCH', `/v1/api_key/${id}`, { body: { permissions: ['api_keys.view'] } });
    assert.deepEqual(replaced.body.permissions, ['api_keys.view']);
    assert.equal((await api().request('GET', '/v1/api_key/', { key: value })).status, 200);
    assert.equal((await api().request('GET', '/v1/webhook/', { key: value })).status, 403);

    const lifted = await api().request('PATCH', `/v1/api_key/${id}`, { body: { restricted: false } });
    assert.equal(lifted.body.restricted, false);
    assert.equal(lifted.body.permissions, null);
    assert.equal((await api().request('GET', '/v1/webhook/', { key: value })).status, 200);

    const emptyPatch = await api().request('PATCH', `/v1/api_key/${id}`, { body: {} });
    assert.equal(emptyPatch.status, 200);
    assert.deepEqual(emptyPatch.body, lifted.body);
  });

  it('deletes a key at once: it gets 401 on its next request', async () => {
    const created = await create({ name: 'doomed', restricted: false });
    const { id, value } = created.body;
    assert.equal((await api().request('GET', '/v1/api_key/', { key: value })).status, 200);
    const deleted = await api().request('DELETE', `/v1/api_key/${id}`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.id, id);
    assert.ok(!deleted.raw.includes(value));
    const after = await api().request('GET', '/v1/api_key/', { key: value });
    assert.equal(after.status, 401);
    assert.equal(after.body.error_code, 'INVALID_API_KEY');
    const gone = await api().request('GET', `/v1/api_key/${id}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, { status: 'error', error_code: 'API_KEY_NOT_FOUND', message: `API key ${id} not found` });
    assert.equal((await api().request('DELETE', `/v1/api_key/${id}`)).status, 404);
  });

  it('lets a key delete itself', async () => {
    const created = await create({ name: 'self', restricted: true, permissions: ['api_keys.delete'] });
    const { id, value } = created.body;
    assert.equal((await api().request('DELETE', `/v1/api_key/${id}`, { key: value })).status, 200);
    assert.equal((await api().request('DELETE', `/v1/api_key/${id}`, { key: value })).status, 401);
  });

  it('refuses to create keys with permissions the caller does not hold', async () => {
    const creator = await api().restrictedKey(['api_keys.create', 'api_keys.view', 'webhooks.view']);
    const unrestricted = await create({ name: 'escalate', restricted: false }, creator);
    assert.equal(unrestricted.status, 403);
    assert.equal(unrestricted.body.error_code, 'MISSING_PERMISSIONS');
    assert.equal(unrestricted.body.status, 'error');
    const wider = await create({ name: 'escalate', restricted: true, permissions: ['webhooks.view', 'calls.create'] }, creator);
    assert.equal(wider.status, 403);
    assert.match(wider.body.message, /calls\.create/);
    assert.doesNotMatch(wider.body.message, /webhooks\.view/);
    const narrower = await create({ name: 'ok', restricted: true, permissions: ['webhooks.view'] }, creator);
    assert.equal(narrower.status, 200);
    assert.deepEqual(narrower.body.permissions, ['webhooks.view']);
    const same = await create({ name: 'ok', restricted: true, permissions: ['api_keys.create', 'api_keys.view', 'webhooks.view'] }, creator);
    assert.equal(same.status, 200);
    // A restricted key holding every permission is as strong as an unrestricted one.
    const full = await api().restrictedKey([...PERMISSIONS]);
    assert.equal((await create({ name: 'full', restricted: false }, full)).status, 200);
  });

  it('refuses patches that widen a key beyond the caller, or touch a stronger key', async () => {
    const editorPerms = ['api_keys.update', 'api_keys.view', 'webhooks.view'];
    const editor = await api().restrictedKey(editorPerms);
    const editorId = (await api().request('GET', '/v1/api_key/?limit=1000')).body.data
      .find((k: any) => k.name === 'restricted' && k.last_four_digits === editor.slice(-4)).id;

    const widenSelf = await api().request('PATCH', `/v1/api_key/${editorId}`, { key: editor, body: { permissions: [...editorPerms, 'calls.view'] } });
    assert.equal(widenSelf.status, 403);
    assert.equal(widenSelf.body.error_code, 'MISSING_PERMISSIONS');
    const liftSelf = await api().request('PATCH', `/v1/api_key/${editorId}`, { key: editor, body: { restricted: false } });
    assert.equal(liftSelf.status, 403);
    // Nothing changed.
    assert.deepEqual((await api().request('GET', `/v1/api_key/${editorId}`)).body.permissions, ['webhooks.view', 'api_keys.view', 'api_keys.update']);

    const strong = await create({ name: 'strong', restricted: false });
    const renameStrong = await api().request('PATCH', `/v1/api_key/${strong.body.id}`, { key: editor, body: { name: 'pwned' } });
    assert.equal(renameStrong.status, 403);
    // Even narrowing a stronger key is refused: it would let a narrow key disable an admin's.
    const narrowStrong = await api().request('PATCH', `/v1/api_key/${strong.body.id}`, { key: editor, body: { restricted: true, permissions: [] } });
    assert.equal(narrowStrong.status, 403);
    assert.equal((await api().request('GET', `/v1/api_key/${strong.body.id}`)).body.name, 'strong');

    const weak = await create({ name: 'weak', restricted: true, permissions: ['webhooks.view'] });
    const ok = await api().request('PATCH', `/v1/api_key/${weak.body.id}`, { key: editor, body: { name: 'weak-2', permissions: ['webhooks.view', 'api_keys.view'] } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.permissions, ['webhooks.view', 'api_keys.view']);
    const narrowSelf = await api().request('PATCH', `/v1/api_key/${editorId}`, { key: editor, body: { permissions: ['api_keys.update', 'api_keys.view'] } });
    assert.equal(narrowSelf.status, 200);
  });

  it('refuses to delete a key stronger than the caller', async () => {
    const deleter = await api().restrictedKey(['api_keys.delete']);
    const strong = await create({ name: 'strong', restricted: true, permissions: ['api_keys.delete', 'calls.view'] });
    const denied = await api().request('DELETE', `/v1/api_key/${strong.body.id}`, { key: deleter });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'MISSING_PERMISSIONS');
    assert.equal((await api().request('GET', '/v1/api_key/', { key: strong.body.value })).status, 403, 'the key still authenticates');
    const weak = await create({ name: 'weak', restricted: true, permissions: ['api_keys.delete'] });
    assert.equal((await api().request('DELETE', `/v1/api_key/${weak.body.id}`, { key: deleter })).status, 200);
  });

  it('keeps keys inside their project: another project’s key is a 404', async () => {
    const mine = await create({ name: 'mine', restricted: false });
    const other = api().other.key;
    for (const [method, body] of [['GET', undefined], ['PATCH', { name: 'x' }], ['DELETE', undefined]] as const) {
      const r = await api().request(method, `/v1/api_key/${mine.body.id}`, { key: other, ...(body ? { body } : {}) });
      assert.equal(r.status, 404, method);
      assert.equal(r.body.error_code, 'API_KEY_NOT_FOUND');
    }
    const theirList = await api().request('GET', '/v1/api_key/?limit=1000', { key: other });
    assert.equal(theirList.status, 200);
    assert.ok(theirList.body.data.length >= 1);
    assert.ok(theirList.body.data.every((k: any) => k.id !== mine.body.id));
    const myList = await api().request('GET', '/v1/api_key/?limit=1000');
    assert.ok(theirList.body.data.every((k: any) => !myList.body.data.some((m: any) => m.id === k.id)));
    assert.equal((await api().request('GET', `/v1/api_key/${mine.body.id}`)).body.name, 'mine');
  });

  it('answers 404 for unknown ids', async () => {
    for (const [method, body] of [['GET', undefined], ['PATCH', { name: 'x' }], ['DELETE', undefined]] as const) {
      const r = await api().request(method, `/v1/api_key/${MISSING}`, body ? { body } : {});
      assert.equal(r.status, 404, method);
      assert.equal(r.body.error_code, 'API_KEY_NOT_FOUND');
    }
  });

  it('pages through keys with cursors and page numbers', async () => {
    for (let i = 0; i < 4; i++) await create({ name: `page-${i}`, restricted: false });
    const first = await api().request('GET', '/v1/api_key/?limit=2&order=asc');
    assert.equal(first.status, 200);
    assert.equal(first.body.data.length, 2);
    assert.equal(first.body.has_more, true);
    assert.equal(first.body.current_page, 1);
    const second = await api().request('GET', `/v1/api_key/?limit=2&order=asc&after=${first.body.last_id}`);
    const page2 = await api().request('GET', '/v1/api_key/?limit=2&order=asc&page=2');
    assert.deepEqual(page2.body.data.map((k: any) => k.id), second.body.data.map((k: any) => k.id));
    const newest = await api().request('GET', '/v1/api_key/?limit=1');
    const all = await api().request('GET', '/v1/api_key/?limit=1000&order=asc');
    assert.equal(newest.body.data[0].id, all.body.data.at(-1).id);
    const both = await api().request('GET', `/v1/api_key/?after=${MISSING}&before=${MISSING}`);
    assert.equal(both.status, 422);
    assert.equal(both.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
    assert.equal((await api().request('GET', '/v1/api_key/?limit=1001')).status, 422);
  });

  it('answers FastAPI-shaped 422s for bad bodies and ids', async () => {
    const noName = await create({ restricted: false });
    assert.equal(noName.status, 422);
    assert.deepEqual(noName.body.detail, [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }]);
    const noRestricted = await create({ name: 'x' });
    assert.deepEqual(noRestricted.body.detail[0].loc, ['body', 'restricted']);
    const badPermission = await create({ name: 'x', restricted: true, permissions: ['calls.view', 'root'] });
    assert.equal(badPermission.status, 422);
    assert.deepEqual(badPermission.body.detail[0].loc, ['body', 'permissions', 1]);
    assert.equal(badPermission.body.detail[0].type, 'enum');
    const badExpiry = await create({ name: 'x', restricted: false, expiry_date: 'tomorrow' });
    assert.equal(badExpiry.status, 422);
    assert.deepEqual(badExpiry.body.detail[0].loc, ['body', 'expiry_date']);
    const badType = await create({ name: 'x', restricted: 'yes' });
    assert.equal(badType.status, 422);
    const nullName = await create({ name: null, restricted: false });
    assert.equal(nullName.status, 422);
    assert.deepEqual(nullName.body.detail, [{ loc: ['body', 'name'], msg: 'Input should be a valid string', type: 'string_type' }]);
    const renameToNumber = await api().request('PATCH', `/v1/api_key/${MISSING}`, { body: { name: 5 } });
    assert.equal(renameToNumber.status, 422);
    const nulls = await create({ name: 'nulls', restricted: true, permissions: null, expiry_date: null });
    assert.equal(nulls.status, 200);
    assert.deepEqual(nulls.body.permissions, []);
    assert.equal(nulls.body.expiry_date, null);
    const noBody = await api().request('POST', '/v1/api_key/');
    assert.equal(noBody.status, 422);
    const badPatch = await api().request('PATCH', `/v1/api_key/${MISSING}`, { body: { permissions: ['nope'] } });
    assert.equal(badPatch.status, 422);
    assert.deepEqual(badPatch.body.detail[0].loc, ['body', 'permissions', 0]);
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const badId = await api().request(method, '/v1/api_key/not-a-uuid', method === 'PATCH' ? { body: {} } : {});
      assert.equal(badId.status, 422, method);
      assert.deepEqual(badId.body.detail[0].loc, ['path', 'id']);
    }
  });

  it('needs a valid key (401) carrying the api_keys permission of each operation (403)', async () => {
    assert.equal((await api().request('GET', '/v1/api_key/', { key: null })).status, 401);
    assert.equal((await api().request('POST', '/v1/api_key/', { key: 'hbl_nope', body: { name: 'x', restricted: false } })).status, 401);
    const nothing = await api().restrictedKey(['calls.view']);
    const target = await create({ name: 'target', restricted: true, permissions: [] });
    const attempts = [
      ['GET', '/v1/api_key/', undefined],
      ['POST', '/v1/api_key/', { name: 'x', restricted: true, permissions: [] }],
      ['GET', `/v1/api_key/${target.body.id}`, undefined],
      ['PATCH', `/v1/api_key/${target.body.id}`, { name: 'x' }],
      ['DELETE', `/v1/api_key/${target.body.id}`, undefined],
    ] as const;
    for (const [method, url, body] of attempts) {
      const r = await api().request(method, url, { key: nothing, ...(body ? { body } : {}) });
      assert.equal(r.status, 403, `${method} ${url}`);
      assert.equal(r.body.error_code, 'MISSING_PERMISSIONS');
    }
    const viewer = await api().restrictedKey(['api_keys.view']);
    assert.equal((await api().request('GET', `/v1/api_key/${target.body.id}`, { key: viewer })).status, 200);
  });
});
