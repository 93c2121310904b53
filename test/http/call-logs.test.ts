import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CallLogRepository, type CallLogInput } from '../../src/store/repositories/call-logs.ts';
import { describeEachDatabase } from '../helpers/app.ts';
import { storeCall } from './call-fixtures.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describeEachDatabase('call logs API', (api) => {
  const logs = () => new CallLogRepository(api().store.db);
  const events = (body: any) => body.data.map((entry: any) => entry.event);
  const get = (callId: string, query = '', key?: string | null) => api().request('GET', `/v1/log/call/${callId}${query ? `?${query}` : ''}`, { key });

  /** A call of the default project with the given entries, appended as one batch. */
  async function callWithLogs(entries: CallLogInput[], status: 'completed' | 'in_progress' = 'completed') {
    const call = await storeCall(api(), { status });
    assert.equal(await logs().appendMany(api().projectId, call.id, entries), true);
    return call;
  }

  const lifecycle = (event: string, extra: Partial<CallLogInput> = {}): CallLogInput => ({ level: 'INFO', category: 'CALL_LIFECYCLE', event, ...extra });

  it('returns the entries appended through the repository, newest first unless order=asc', async () => {
    // Equal timestamps: the append order alone must decide.
    const at = '2026-03-01T10:00:00.000Z';
    const call = await callWithLogs([
      lifecycle('call_created', { timestamp: at }),
      lifecycle('invite_sent', { timestamp: at }),
      lifecycle('ringing', { timestamp: at }),
      lifecycle('answered', { timestamp: at }),
    ], 'in_progress');
    // A later append with an earlier (caller-given) timestamp still comes after.
    await logs().append(api().projectId, call.id, {
      level: 'INFO', category: 'USER', event: 'dtmf_received', data: { digit: '5' }, timestamp: '2026-03-01T10:30:00+01:00', traceId: 'abc123',
    });

    const desc = await get(call.id);
    assert.equal(desc.status, 200);
    assert.deepEqual(events(desc.body), ['dtmf_received', 'answered', 'ringing', 'invite_sent', 'call_created']);
    const asc = await get(call.id, 'order=asc');
    assert.deepEqual(events(asc.body), ['call_created', 'invite_sent', 'ringing', 'answered', 'dtmf_received']);
    assert.deepEqual(asc.body.data.map((e: any) => e.id), desc.body.data.map((e: any) => e.id).reverse());

    const [first] = asc.body.data;
    assert.match(first.id, UUID);
    assert.deepEqual(first, {
      id: first.id, timestamp: at, level: 'INFO', category: 'CALL_LIFECYCLE', event: 'call_created', call_id: call.id, trace_id: null, data: null,
    });
    const dtmf = asc.body.data[4];
    assert.equal(dtmf.timestamp, '2026-03-01T09:30:00.000Z', 'stored in UTC');
    assert.deepEqual(dtmf.data, { digit: '5' });
    assert.equal(dtmf.trace_id, 'abc123');
    assert.equal(asc.body.first_id, first.id);
    assert.equal(asc.body.last_id, dtmf.id);
    assert.equal(asc.body.has_more, false);
    assert.equal(asc.body.current_page, 1);
    assert.equal(asc.body.total_pages, 1);
  });

  it('stamps entries with the current time when none is given', async () => {
    const before = Date.now();
    const call = await callWithLogs([lifecycle('call_created')]);
    const [entry] = (await get(call.id)).body.data;
    const at = Date.parse(entry.timestamp);
    assert.match(entry.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(at >= before && at <= Date.now(), entry.timestamp);
  });

  it('answers an empty page for a known call without entries', async () => {
    const call = await storeCall(api());
    const r = await get(call.id);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { data: [], first_id: null, last_id: null, has_more: false, current_page: 1, total_pages: 0 });
  });

  it('pages with limit, page numbers and after/before cursors in both orders', async () => {
    const names = ['e1', 'e2', 'e3', 'e4', 'e5'];
    const call = await callWithLogs(names.map((n) => lifecycle(n)));

    const first = await get(call.id, 'order=asc&limit=2');
    assert.deepEqual(events(first.body), ['e1', 'e2']);
    assert.equal(first.body.has_more, true);
    assert.equal(first.body.current_page, 1);
    assert.equal(first.body.total_pages, 3);
    const page2 = await get(call.id, 'order=asc&limit=2&page=2');
    assert.deepEqual(events(page2.body), ['e3', 'e4']);
    assert.equal(page2.body.current_page, 2);
    const page3 = await get(call.id, 'order=asc&limit=2&page=3');
    assert.deepEqual(events(page3.body), ['e5']);
    assert.equal(page3.body.has_more, false);
    assert.deepEqual(events((await get(call.id, 'order=asc&limit=2&page=4')).body), []);

    const after = await get(call.id, `order=asc&limit=2&after=${first.body.last_id}`);
    assert.deepEqual(events(after.body), ['e3', 'e4']);
    assert.equal(after.body.current_page, null, 'no page number with a cursor');
    assert.equal(after.body.has_more, true);
    const back = await get(call.id, `order=asc&limit=2&before=${after.body.first_id}`);
    assert.deepEqual(events(back.body), ['e1', 'e2']);

    const newest = await get(call.id, 'limit=2');
    assert.deepEqual(events(newest.body), ['e5', 'e4']);
    const older = await get(call.id, `limit=2&after=${newest.body.last_id}`);
    assert.deepEqual(events(older.body), ['e3', 'e2']);
    const newer = await get(call.id, `limit=2&before=${older.body.last_id}`);
    assert.deepEqual(events(newer.body), ['e4', 'e3']);
    const tail = await get(call.id, `limit=2&after=${older.body.last_id}`);
    assert.deepEqual(events(tail.body), ['e1']);
    assert.equal(tail.body.has_more, false);
  });

  it('filters by category and level, alone and together', async () => {
    const call = await callWithLogs([
      lifecycle('call_created'),
      { level: 'INFO', category: 'SECURITY', event: 'auth_challenge' },
      { level: 'INFO', category: 'USER', event: 'dtmf_received', data: { digit: '1' } },
      { level: 'ERROR', category: 'CALL_LIFECYCLE', event: 'sip_error', data: { status_code: 503 } },
      { level: 'WARNING', category: 'CALL_LIFECYCLE', event: 'media_timeout' },
      { level: 'INFO', category: 'AGENT', event: 'dtmf_sent' },
      { level: 'ERROR', category: 'CALL_LIFECYCLE', event: 'recording_failed' },
    ]);
    const asc = async (query: string) => events((await get(call.id, `order=asc&${query}`)).body);
    assert.deepEqual(await asc('category=CALL_LIFECYCLE'), ['call_created', 'sip_error', 'media_timeout', 'recording_failed']);
    assert.deepEqual(await asc('category=SECURITY'), ['auth_challenge']);
    assert.deepEqual(await asc('level=ERROR'), ['sip_error', 'recording_failed']);
    assert.deepEqual(await asc('level=INFO&category=CALL_LIFECYCLE'), ['call_created']);
    assert.deepEqual(await asc('level=CRITICAL'), []);
    assert.deepEqual(await asc('category=TRANSFER'), []);

    const filtered = await get(call.id, 'order=asc&category=CALL_LIFECYCLE&limit=3');
    assert.equal(filtered.body.total_pages, 2, 'counts only matching entries');
    const rest = await get(call.id, `order=asc&category=CALL_LIFECYCLE&limit=3&after=${filtered.body.last_id}`);
    assert.deepEqual(events(rest.body), ['recording_failed']);
  });

  it('keeps the order of a batch larger than one INSERT', async () => {
    const count = 1_201;
    const call = await callWithLogs(Array.from({ length: count }, (_, i) => ({ level: 'DEBUG' as const, category: 'METRICS' as const, event: `tick_${i}` })));
    const page = await get(call.id, 'order=asc&limit=1000');
    assert.deepEqual(events(page.body), Array.from({ length: 1000 }, (_, i) => `tick_${i}`));
    assert.equal(page.body.total_pages, 2);
    const rest = await get(call.id, `order=asc&limit=1000&after=${page.body.last_id}`);
    assert.deepEqual(events(rest.body), Array.from({ length: count - 1000 }, (_, i) => `tick_${1000 + i}`));
  });

  it('rejects bad query values with FastAPI 422s and bad pagination with the 422 envelope', async () => {
    const call = await callWithLogs([lifecycle('call_created')]);
    for (const [query, loc] of [
      ['category=LIFECYCLE', 'category'], ['category=call_lifecycle', 'category'], ['level=info', 'level'], ['level=FATAL', 'level'],
      ['limit=0', 'limit'], ['limit=1001', 'limit'], ['page=-1', 'page'], ['page=0', 'page'], ['order=newest', 'order'], ['after=nope', 'after'],
    ]) {
      const r = await get(call.id, query);
      assert.equal(r.status, 422, query);
      assert.deepEqual(r.body.detail[0].loc, ['query', loc], query);
      assert.equal(typeof r.body.detail[0].msg, 'string');
      assert.equal(typeof r.body.detail[0].type, 'string');
    }
    const badId = await get('123');
    assert.equal(badId.status, 422);
    assert.deepEqual(badId.body.detail[0].loc, ['path', 'call_id']);

    const both = await get(call.id, `after=${MISSING}&before=${MISSING}`);
    assert.equal(both.status, 422);
    assert.deepEqual(both.body, { status: 'error', error_code: 'INVALID_PAGINATION_PARAMETERS', message: "Cannot specify both 'before' and 'after' parameters" });
    const unknownCursor = await get(call.id, `after=${MISSING}`);
    assert.equal(unknownCursor.status, 422);
    assert.equal(unknownCursor.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
    const pageAndCursor = await get(call.id, `page=2&after=${MISSING}`);
    assert.equal(pageAndCursor.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
  });

  it('answers 404 CALL_NOT_FOUND for unknown calls and other projects’ calls alike', async () => {
    const theirs = await storeCall(api(), { projectId: api().other.projectId, status: 'completed' });
    assert.equal(await logs().append(api().other.projectId, theirs.id, lifecycle('call_created')), true);
    for (const id of [MISSING, theirs.id]) {
      const r = await get(id);
      assert.equal(r.status, 404, id);
      assert.deepEqual(r.body, { status: 'error', error_code: 'CALL_NOT_FOUND', message: `Call ${id} not found` });
    }
    const own = await get(theirs.id, '', api().other.key);
    assert.equal(own.status, 200);
    assert.deepEqual(events(own.body), ['call_created']);
  });

  it('needs an API key (401) carrying logs.view (403)', async () => {
    const call = await callWithLogs([lifecycle('call_created')]);
    const anonymous = await get(call.id, '', null);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error_code, 'UNAUTHORIZED');
    const wrongKey = await get(call.id, '', 'hbl_not_a_key');
    assert.equal(wrongKey.status, 401);
    assert.equal(wrongKey.body.error_code, 'INVALID_API_KEY');
    const callsOnly = await api().restrictedKey(['calls.view', 'messages.view']);
    const denied = await get(call.id, '', callsOnly);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'MISSING_PERMISSIONS');
    const reader = await api().restrictedKey(['logs.view']);
    assert.equal((await get(call.id, '', reader)).status, 200);
  });

  it('appends nothing to an unknown call or through another project, and refuses unknown levels', async () => {
    const mine = await storeCall(api());
    assert.equal(await logs().append(api().projectId, MISSING, lifecycle('call_created')), false);
    assert.equal(await logs().appendMany(api().other.projectId, mine.id, [lifecycle('call_created'), lifecycle('ringing')]), false);
    const stored = await api().store.db.selectFrom('call_logs').select('id').where('call_id', 'in', [MISSING, mine.id]).execute();
    assert.equal(stored.length, 0);
    await assert.rejects(logs().append(api().projectId, mine.id, { level: 'info' as any, category: 'USER', event: 'x' }), TypeError);
    await assert.rejects(logs().append(api().projectId, mine.id, { level: 'INFO', category: 'NOPE' as any, event: 'x' }), TypeError);
    await assert.rejects(logs().append(api().projectId, mine.id, lifecycle('x', { timestamp: 'yesterday' })), TypeError);
    // A batch with one bad entry stores none of it.
    await assert.rejects(logs().appendMany(api().projectId, mine.id, [lifecycle('ok'), { level: 'LOUD' as any, category: 'USER', event: 'bad' }]), TypeError);
    assert.deepEqual((await get(mine.id)).body.data, []);
  });

  it('deletes a call’s logs with the call (bulk delete)', async () => {
    const call = await callWithLogs([lifecycle('call_created'), lifecycle('call_ended', { data: { status: 'completed', end_reason: 'user_hangup' } })]);
    const kept = await callWithLogs([lifecycle('call_created')]);
    const r = await api().request('POST', '/v1/call/bulk-delete', { body: { call_ids: [call.id] } });
    assert.deepEqual(r.body, { deleted: 1 });
    const orphans = await api().store.db.selectFrom('call_logs').select('id').where('call_id', '=', call.id).execute();
    assert.equal(orphans.length, 0, 'logs cascade with their call');
    assert.equal((await get(call.id)).status, 404);
    assert.deepEqual(events((await get(kept.id)).body), ['call_created']);
    assert.equal(await logs().append(api().projectId, call.id, lifecycle('recording_saved')), false, 'a late event for a deleted call is dropped');
  });
});
