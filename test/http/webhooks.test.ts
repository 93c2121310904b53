import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDatabase } from '../helpers/app.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';

describeEachDatabase('webhooks API', (api) => {
  it('creates, reads, lists, updates and deletes a webhook', async () => {
    const created = await api().request('POST', '/v1/webhook/', {
      body: { url: 'https://hooks.example.com/habla', subscribed_events: ['status_changed'] },
    });
    assert.equal(created.status, 200);
    assert.equal(created.body.url, 'https://hooks.example.com/habla');
    assert.deepEqual(created.body.subscribed_events, ['status_changed']);
    assert.match(created.body.created_date, /^\d{4}-\d\d-\d\dT/);

    // The signing secret is shown once, in the create response only (extension).
    const { secret, ...shown } = created.body;
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    const fetched = await api().request('GET', `/v1/webhook/${created.body.id}`);
    assert.deepEqual(fetched.body, shown);
    assert.equal(fetched.raw.includes(secret), false);

    const listed = await api().request('GET', '/v1/webhook/');
    assert.equal(listed.status, 200);
    assert.ok(listed.body.data.some((w: any) => w.id === created.body.id));
    assert.equal(listed.body.has_more, false);

    const patched = await api().request('PATCH', `/v1/webhook/${created.body.id}`, { body: { url: 'http://127.0.0.1:9/x' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.url, 'http://127.0.0.1:9/x');
    assert.deepEqual(patched.body.subscribed_events, ['status_changed']);

    const deleted = await api().request('DELETE', `/v1/webhook/${created.body.id}`);
    assert.equal(deleted.status, 200);
    const gone = await api().request('GET', `/v1/webhook/${created.body.id}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, { status: 'error', error_code: 'WEBHOOK_NOT_FOUND', message: `Webhook ${created.body.id} not found` });
  });

  it('pages through webhooks with cursors in both directions', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await api().request('POST', '/v1/webhook/', { body: { url: `https://h.example.com/${i}`, subscribed_events: [] } });
      ids.push(r.body.id);
    }
    const first = await api().request('GET', '/v1/webhook/?limit=2&order=asc');
    assert.equal(first.body.data.length, 2);
    assert.equal(first.body.has_more, true);
    assert.equal(first.body.current_page, 1);
    const second = await api().request('GET', `/v1/webhook/?limit=2&order=asc&after=${first.body.last_id}`);
    assert.notEqual(second.body.data[0].id, first.body.data[1].id);
    const back = await api().request('GET', `/v1/webhook/?limit=2&order=asc&before=${second.body.first_id}`);
    assert.deepEqual(back.body.data.map((w: any) => w.id), first.body.data.map((w: any) => w.id));
    const page2 = await api().request('GET', '/v1/webhook/?limit=2&order=asc&page=2');
    assert.deepEqual(page2.body.data.map((w: any) => w.id), second.body.data.map((w: any) => w.id));
    assert.equal(page2.body.current_page, 2);
    assert.ok(page2.body.total_pages >= 3);
  });

  it('filters the list by the events in the optional GET body', async () => {
    const r = await api().request('GET', '/v1/webhook/', { body: ['status_changed'] });
    assert.equal(r.status, 200);
    assert.ok(r.body.data.every((w: any) => w.subscribed_events.includes('status_changed')));
  });

  it('rejects both cursors at once with INVALID_PAGINATION_PARAMETERS', async () => {
    const r = await api().request('GET', `/v1/webhook/?after=${MISSING}&before=${MISSING}`);
    assert.equal(r.status, 422);
    assert.equal(r.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
  });

  it('answers FastAPI-shaped 422s for bad bodies and ids', async () => {
    const missing = await api().request('POST', '/v1/webhook/', { body: { url: 'https://x.example.com' } });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.detail, [{ loc: ['body', 'subscribed_events'], msg: 'Field required', type: 'missing' }]);

    const badEvent = await api().request('POST', '/v1/webhook/', { body: { url: 'https://x.example.com', subscribed_events: ['nope'] } });
    assert.equal(badEvent.status, 422);
    assert.deepEqual(badEvent.body.detail[0].loc, ['body', 'subscribed_events', 0]);

    const scheme = await api().request('POST', '/v1/webhook/', { body: { url: 'file:///etc/passwd', subscribed_events: [] } });
    assert.equal(scheme.status, 422);
    assert.deepEqual(scheme.body.detail[0].loc, ['body', 'url']);

    const badId = await api().request('GET', '/v1/webhook/not-a-uuid');
    assert.equal(badId.status, 422);
    assert.deepEqual(badId.body.detail[0].loc, ['path', 'id']);
    assert.equal(badId.body.detail[0].type, 'uuid_parsing');

    // JSON bodies are not coerced: null or a number for a string field is an error, as in pydantic.
    for (const url of [null, 5]) {
      const r = await api().request('POST', '/v1/webhook/', { body: { url, subscribed_events: [] } });
      assert.equal(r.status, 422);
      assert.deepEqual(r.body.detail[0].loc, ['body', 'url']);
      assert.equal(r.body.detail[0].type, 'string_type');
    }

    const badJson = await api().request('POST', '/v1/webhook/', { body: '{"url":', headers: { 'content-type': 'application/json' } });
    assert.equal(badJson.status, 422);
    assert.equal(badJson.body.detail[0].type, 'json_invalid');
  });

  it('answers 404 for unknown ids and for other projects’ webhooks', async () => {
    assert.equal((await api().request('GET', `/v1/webhook/${MISSING}`)).status, 404);
    assert.equal((await api().request('PATCH', `/v1/webhook/${MISSING}`, { body: {} })).status, 404);
    assert.equal((await api().request('DELETE', `/v1/webhook/${MISSING}`)).status, 404);
    const mine = await api().request('POST', '/v1/webhook/', { body: { url: 'https://mine.example.com', subscribed_events: [] } });
    const theirs = await api().request('GET', `/v1/webhook/${mine.body.id}`, { key: api().other.key });
    assert.equal(theirs.status, 404);
    const list = await api().request('GET', '/v1/webhook/', { key: api().other.key });
    assert.ok(list.body.data.every((w: any) => w.id !== mine.body.id));
  });

  it('needs a valid key (401) carrying the webhook permissions (403)', async () => {
    const none = await api().request('GET', '/v1/webhook/', { key: null });
    assert.equal(none.status, 401);
    assert.equal(none.body.status, 'error');
    const wrong = await api().request('GET', '/v1/webhook/', { key: 'hbl_unknown' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error_code, 'INVALID_API_KEY');
    const viewer = await api().restrictedKey(['webhooks.view']);
    assert.equal((await api().request('GET', '/v1/webhook/', { key: viewer })).status, 200);
    const denied = await api().request('POST', '/v1/webhook/', { key: viewer, body: { url: 'https://x.example.com', subscribed_events: [] } });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'MISSING_PERMISSIONS');
  });
});
