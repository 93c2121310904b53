import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AgentRepository } from '../../src/store/repositories/agents.ts';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { MessageRepository } from '../../src/store/repositories/messages.ts';
import { recordingKeyFor } from '../../src/storage/recording-storage.ts';
import { describeEachDatabase } from '../helpers/app.ts';
import { importPhone, nextSpanishNumber, publishOutboundAgent, storeCall, toneWav } from './call-fixtures.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';

describeEachDatabase('calls API', (api) => {
  /** A number with a trunk and a published outbound agent whose version has variable defaults. */
  async function outboundSetup(variables: Record<string, unknown> = { name: 'cliente', company: 'Habla' }) {
    const phone = await importPhone(api());
    const agent = await publishOutboundAgent(api(), phone, variables);
    return { phone, agent };
  }

  async function placeCall(body: Record<string, unknown>, key?: string) {
    return api().request('POST', '/v1/call/', { body, key });
  }

  it('places an outbound call with the published agent of the caller number', async () => {
    const { phone, agent } = await outboundSetup();
    const ordersBefore = api().engine.orders.length;
    const r = await placeCall({ from_number: phone.number, to_number: '612 345 678', dynamic_variables: { name: 'Lucía', vip: true } });
    assert.equal(r.status, 201);
    assert.equal(r.body.status, 'dialing');
    assert.equal(r.body.type, 'outbound');
    assert.equal(r.body.agent_id, agent.agentId);
    assert.equal(r.body.agent_version_id, agent.publishedVersionId);
    assert.equal(r.body.phone_register_id, phone.id);
    assert.deepEqual(r.body.dynamic_variables, { name: 'Lucía', company: 'Habla', vip: true }, 'call values override version defaults');
    assert.equal(r.body.contact.identifier, '+34612345678');
    assert.equal(r.body.contact.contact_type, 'call');
    assert.equal(r.body.recording_url, null);
    assert.equal(r.body.start_time, null);
    assert.equal(r.body.duration, null);

    assert.equal(api().engine.orders.length, ordersBefore + 1);
    assert.deepEqual(api().engine.orders.at(-1), {
      callId: r.body.id,
      projectId: api().projectId,
      phoneId: phone.id,
      fromNumber: phone.number,
      toNumber: '+34612345678',
      agentVersionId: agent.publishedVersionId,
      dynamicVariables: { name: 'Lucía', company: 'Habla', vip: true },
    });

    const fetched = await api().request('GET', `/v1/call/${r.body.id}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body, r.body);
  });

  it('accepts the caller number by phone id and reuses the contact of a number already called', async () => {
    const { phone } = await outboundSetup();
    const callee = nextSpanishNumber();
    const first = await placeCall({ from_number: phone.id, to_number: callee });
    assert.equal(first.status, 201);
    assert.equal(first.body.phone_register_id, phone.id);
    assert.deepEqual(first.body.dynamic_variables, { name: 'cliente', company: 'Habla' }, 'version defaults alone');
    const second = await placeCall({ from_number: phone.number.replace('+34', '0034'), to_number: callee, dynamic_variables: null });
    assert.equal(second.status, 201);
    assert.equal(second.body.contact.id, first.body.contact.id);
    assert.equal(second.body.contact.created_date, first.body.contact.created_date);
  });

  it('uses agent_version_id when given, but never a draft', async () => {
    const { phone, agent } = await outboundSetup();
    const agents = new AgentRepository(api().store.db);
    const v2 = (await agents.launchVersion(api().projectId, agent.agentId, 'v2'))!;
    const r = await placeCall({ from_number: phone.number, to_number: nextSpanishNumber(), agent_version_id: v2.version.id });
    assert.equal(r.status, 201);
    assert.equal(r.body.agent_version_id, v2.version.id);
    assert.equal(api().engine.orders.at(-1)!.agentVersionId, v2.version.id);

    const draft = await placeCall({ from_number: phone.number, to_number: nextSpanishNumber(), agent_version_id: agent.draftVersionId });
    assert.equal(draft.status, 400);
    assert.equal(draft.body.error_code, 'BAD_PARAMETER');

    const unknown = await placeCall({ from_number: phone.number, to_number: nextSpanishNumber(), agent_version_id: MISSING });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error_code, 'AGENT_NOT_FOUND');

    const theirs = await publishOutboundAgent(api(), null, {}, api().other.projectId);
    const foreign = await placeCall({ from_number: phone.number, to_number: nextSpanishNumber(), agent_version_id: theirs.publishedVersionId });
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error_code, 'AGENT_NOT_FOUND');
  });

  it('refuses callees that are not valid Spanish numbers with 400 NON_SPANISH_PHONE_NUMBER', async () => {
    const { phone } = await outboundSetup();
    for (const to of ['+14155550123', '+447911123456', 'not a number', '+34 123', '']) {
      const r = await placeCall({ from_number: phone.number, to_number: to });
      assert.equal(r.status, 400, to);
      assert.equal(r.body.error_code, 'NON_SPANISH_PHONE_NUMBER', to);
    }
  });

  it('answers 404 PHONE_NUMBER_NOT_FOUND for unknown caller numbers and other projects’ numbers', async () => {
    const theirPhone = await importPhone(api(), { projectId: api().other.projectId });
    for (const from of [MISSING, '+34910000001', 'nonsense', theirPhone.id, theirPhone.number]) {
      const r = await placeCall({ from_number: from, to_number: '+34612345678' });
      assert.equal(r.status, 404, from);
      assert.equal(r.body.error_code, 'PHONE_NUMBER_NOT_FOUND', from);
    }
  });

  it('answers 412 SIP_CONFIG_NOT_SET for an inbound-only number', async () => {
    const phone = await importPhone(api(), { outbound: false });
    await publishOutboundAgent(api(), phone, {});
    const r = await placeCall({ from_number: phone.number, to_number: '+34612345678' });
    assert.equal(r.status, 412);
    assert.equal(r.body.error_code, 'SIP_CONFIG_NOT_SET');
  });

  it('answers 404 AGENT_NOT_FOUND when the number has no published outbound agent', async () => {
    const phone = await importPhone(api());
    const r = await placeCall({ from_number: phone.number, to_number: '+34612345678' });
    assert.equal(r.status, 404);
    assert.equal(r.body.error_code, 'AGENT_NOT_FOUND');

    const { phone: unpublished, agent } = await outboundSetup();
    await new AgentRepository(api().store.db).publish(api().projectId, agent.agentId, null, {});
    const after = await placeCall({ from_number: unpublished.number, to_number: '+34612345678' });
    assert.equal(after.status, 404);
    assert.equal(after.body.error_code, 'AGENT_NOT_FOUND');
  });

  it('stores no call and orders nothing when the request is refused', async () => {
    const { phone } = await outboundSetup();
    const before = (await api().request('GET', '/v1/call/?limit=1000')).body.data.length;
    const orders = api().engine.orders.length;
    await placeCall({ from_number: phone.number, to_number: '+14155550123' });
    await placeCall({ from_number: MISSING, to_number: '+34612345678' });
    assert.equal((await api().request('GET', '/v1/call/?limit=1000')).body.data.length, before);
    assert.equal(api().engine.orders.length, orders);
  });

  it('validates the body with FastAPI-shaped 422s', async () => {
    const missing = await placeCall({ from_number: '+34910000000' });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.detail, [{ loc: ['body', 'to_number'], msg: 'Field required', type: 'missing' }]);
    const badVersion = await placeCall({ from_number: '+34910000000', to_number: '+34612345678', agent_version_id: 'v1' });
    assert.equal(badVersion.status, 422);
    assert.deepEqual(badVersion.body.detail[0].loc, ['body', 'agent_version_id']);
    const badVariables = await placeCall({ from_number: '+34910000000', to_number: '+34612345678', dynamic_variables: ['x'] });
    assert.equal(badVariables.status, 422);
    assert.deepEqual(badVariables.body.detail[0].loc, ['body', 'dynamic_variables']);
  });

  it('needs a key (401) with calls.create to place and calls.view to read (403)', async () => {
    assert.equal((await api().request('GET', '/v1/call/', { key: null })).status, 401);
    assert.equal((await api().request('POST', '/v1/call/', { key: null, body: {} })).status, 401);
    const viewer = await api().restrictedKey(['calls.view']);
    assert.equal((await api().request('GET', '/v1/call/', { key: viewer })).status, 200);
    const denied = await placeCall({ from_number: '+34910000000', to_number: '+34612345678' }, viewer);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'MISSING_PERMISSIONS');
    const creator = await api().restrictedKey(['calls.create']);
    const call = await storeCall(api());
    assert.equal((await api().request('GET', `/v1/call/${call.id}`, { key: creator })).status, 403);
    assert.equal((await api().request('GET', '/v1/call/', { key: creator })).status, 403);
  });

  it('answers 404 CALL_NOT_FOUND for unknown and other projects’ calls, 422 for malformed ids', async () => {
    const missing = await api().request('GET', `/v1/call/${MISSING}`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { status: 'error', error_code: 'CALL_NOT_FOUND', message: `Call ${MISSING} not found` });
    const theirs = await storeCall(api(), { projectId: api().other.projectId });
    assert.equal((await api().request('GET', `/v1/call/${theirs.id}`)).status, 404);
    assert.equal((await api().request('GET', `/v1/call/${theirs.id}`, { key: api().other.key })).status, 200);
    const bad = await api().request('GET', '/v1/call/123');
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.detail[0].loc, ['path', 'id']);
  });

  it('shows the life of a call: answered, ended with a duration, and never reopened', async () => {
    const { phone } = await outboundSetup();
    const placed = await placeCall({ from_number: phone.number, to_number: nextSpanishNumber() });
    const calls = new CallRepository(api().store.db);
    assert.equal(await calls.markAnswered(placed.body.id, '2026-03-01T10:00:00.000Z'), true);
    const live = await api().request('GET', `/v1/call/${placed.body.id}`);
    assert.equal(live.body.status, 'in_progress');
    assert.equal(live.body.start_time, '2026-03-01T10:00:00.000Z');
    assert.equal(live.body.duration, null);

    assert.equal(await calls.finish(placed.body.id, 'completed', 'user_hangup', '2026-03-01T10:01:30.400Z'), true);
    // Late events: a failure report and a second answer arrive after the hang-up.
    await calls.endCall(placed.body.id, 'failed', 'sip_timeout');
    assert.equal(await calls.finish(placed.body.id, 'transferred', 'late'), false);
    assert.equal(await calls.markAnswered(placed.body.id), false);

    const ended = await api().request('GET', `/v1/call/${placed.body.id}`);
    assert.equal(ended.body.status, 'completed');
    assert.equal(ended.body.end_reason, 'user_hangup');
    assert.equal(ended.body.start_time, '2026-03-01T10:00:00.000Z');
    assert.equal(ended.body.end_time, '2026-03-01T10:01:30.400Z');
    assert.equal(ended.body.duration, 90);
  });

  it('ends an unanswered call without a duration, as the engine does when the trunk is unreachable', async () => {
    const call = await storeCall(api());
    const calls = new CallRepository(api().store.db);
    await calls.endCall(call.id, 'failed', 'trunk_unreachable');
    const r = await api().request('GET', `/v1/call/${call.id}`);
    assert.equal(r.body.status, 'failed');
    assert.equal(r.body.end_reason, 'trunk_unreachable');
    assert.match(r.body.end_time, /^\d{4}-\d\d-\d\dT/);
    assert.equal(r.body.duration, null);
    assert.equal(r.body.start_time, null);
    // An answered-only ending does not apply to a call that was never answered.
    const dialing = await storeCall(api());
    assert.equal(await calls.finish(dialing.id, 'completed', 'x'), false);
    assert.equal((await api().request('GET', `/v1/call/${dialing.id}`)).body.status, 'dialing');
  });

  it('lists calls newest first and filters them by every documented criterion', async () => {
    const phone = await importPhone(api());
    const agent = await publishOutboundAgent(api(), phone, {});
    const contactNumber = nextSpanishNumber();
    const a = await storeCall(api(), { status: 'completed', agentId: agent.agentId, phoneId: phone.id, contactNumber });
    const b = await storeCall(api(), { status: 'in_progress', type: 'inbound', phoneId: phone.id });
    const c = await storeCall(api(), { status: 'no_answer', agentId: agent.agentId, contactNumber });
    const theirs = await storeCall(api(), { projectId: api().other.projectId, status: 'completed' });
    await api().store.db.updateTable('calls').set({ created_date: '2025-01-10T12:00:00.000Z' }).where('id', '=', a.id).execute();
    await api().store.db.updateTable('calls').set({ created_date: '2025-02-10T12:00:00.000Z' }).where('id', '=', c.id).execute();

    const ids = async (query: string) => (await api().request('GET', `/v1/call/?limit=1000&${query}`)).body.data.map((x: any) => x.id);
    const all = await api().request('GET', '/v1/call/?limit=1000');
    assert.equal(all.status, 200);
    assert.ok(!all.body.data.some((x: any) => x.id === theirs.id), 'other project’s calls never listed');
    const dates = all.body.data.map((x: any) => x.created_date);
    assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first by default');

    assert.deepEqual(await ids(`agent_id=${agent.agentId}`), [c.id, a.id]);
    assert.deepEqual(await ids(`phone_id=${phone.id}&order=asc`), [a.id, b.id]);
    assert.deepEqual(await ids(`contact_id=${a.contact.id}&order=asc`), [a.id, c.id]);
    assert.ok((await ids('status=no_answer')).includes(c.id));
    assert.ok(!(await ids('status=no_answer')).includes(a.id));
    assert.deepEqual(await ids(`type=inbound&phone_id=${phone.id}`), [b.id]);
    assert.deepEqual(await ids('start_created_date=2025-01-01T00:00:00Z&end_created_date=2025-01-31T23:59:59Z'), [a.id]);
    // Offsets are honoured: 2025-02-10T13:00+01:00 is 12:00 UTC, the bound itself (inclusive).
    assert.deepEqual(await ids('start_created_date=2025-02-10T13:00:00%2B01:00&end_created_date=2025-03-01T00:00:00Z'), [c.id]);
    assert.deepEqual(await ids(`agent_id=${agent.agentId}&status=completed`), [a.id]);
  });

  it('pages through calls with page numbers and cursors', async () => {
    const phone = await importPhone(api());
    for (let i = 0; i < 5; i++) await storeCall(api(), { phoneId: phone.id });
    const q = `/v1/call/?phone_id=${phone.id}&order=asc&limit=2`;
    const first = await api().request('GET', q);
    assert.equal(first.body.data.length, 2);
    assert.equal(first.body.has_more, true);
    assert.equal(first.body.current_page, 1);
    assert.equal(first.body.total_pages, 3);
    const next = await api().request('GET', `${q}&after=${first.body.last_id}`);
    const page2 = await api().request('GET', `${q}&page=2`);
    assert.deepEqual(next.body.data.map((x: any) => x.id), page2.body.data.map((x: any) => x.id));
    const back = await api().request('GET', `${q}&before=${next.body.first_id}`);
    assert.deepEqual(back.body.data.map((x: any) => x.id), first.body.data.map((x: any) => x.id));
    const last = await api().request('GET', `${q}&page=3`);
    assert.equal(last.body.data.length, 1);
    assert.equal(last.body.has_more, false);
  });

  it('rejects bad list parameters: pagination 422 envelope, query 422 detail', async () => {
    const both = await api().request('GET', `/v1/call/?after=${MISSING}&before=${MISSING}`);
    assert.equal(both.status, 422);
    assert.equal(both.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
    const cursor = await api().request('GET', `/v1/call/?after=${MISSING}`);
    assert.equal(cursor.status, 422);
    assert.equal(cursor.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
    for (const [query, loc] of [['limit=1001', 'limit'], ['limit=0', 'limit'], ['status=ringing', 'status'], ['type=sideways', 'type'],
      ['agent_id=x', 'agent_id'], ['start_created_date=yesterday', 'start_created_date']]) {
      const r = await api().request('GET', `/v1/call/?${query}`);
      assert.equal(r.status, 422, query);
      assert.deepEqual(r.body.detail[0].loc, ['query', loc], query);
    }
  });

  it('returns the transcript of a call in pages, newest first unless asked', async () => {
    const call = await storeCall(api(), { status: 'completed' });
    const messages = new MessageRepository(api().store.db);
    await messages.append(call.id, 'assistant', 'Hola, soy Habla. ¿En qué puedo ayudarle?');
    await messages.append(call.id, 'user', 'Quiero cambiar mi cita.');
    await messages.append(call.id, 'tool', null, { type: 'call_tool', tool_name: 'transfer', payload: { to: 'reception' }, status: 'success' });
    await messages.append(call.id, 'tool', null, { type: 'function', function_name: 'book', payload: { day: 'lunes' }, status: 'error' });

    const desc = await api().request('GET', `/v1/call/${call.id}/message`);
    assert.equal(desc.status, 200);
    assert.deepEqual(desc.body.data.map((m: any) => m.role), ['tool', 'tool', 'user', 'assistant']);
    const asc = await api().request('GET', `/v1/call/${call.id}/message?order=asc`);
    assert.deepEqual(asc.body.data.map((m: any) => m.content), ['Hola, soy Habla. ¿En qué puedo ayudarle?', 'Quiero cambiar mi cita.', null, null]);
    assert.deepEqual(asc.body.data[2].tool_call, { type: 'call_tool', tool_name: 'transfer', payload: { to: 'reception' }, status: 'success' });
    assert.deepEqual(asc.body.data[3].tool_call, { type: 'function', function_name: 'book', payload: { day: 'lunes' }, status: 'error' });
    assert.equal(asc.body.data[0].tool_call, null);
    assert.match(asc.body.data[0].created_date, /^\d{4}-\d\d-\d\dT/);

    const page = await api().request('GET', `/v1/call/${call.id}/message?order=asc&limit=2`);
    assert.equal(page.body.has_more, true);
    assert.equal(page.body.total_pages, 2);
    const rest = await api().request('GET', `/v1/call/${call.id}/message?order=asc&limit=2&after=${page.body.last_id}`);
    assert.deepEqual(rest.body.data.map((m: any) => m.id), asc.body.data.slice(2).map((m: any) => m.id));
    assert.equal(rest.body.has_more, false);
  });

  it('answers 404 NO_MESSAGES_FOR_CALL for calls without transcript, unknown and foreign calls', async () => {
    const silent = await storeCall(api());
    const theirs = await storeCall(api(), { projectId: api().other.projectId });
    await new MessageRepository(api().store.db).append(theirs.id, 'user', 'Hola');
    for (const id of [silent.id, MISSING, theirs.id]) {
      const r = await api().request('GET', `/v1/call/${id}/message`);
      assert.equal(r.status, 404, id);
      assert.deepEqual(r.body, { status: 'error', error_code: 'NO_MESSAGES_FOR_CALL', message: `No messages found for call ${id}` });
    }
    assert.equal((await api().request('GET', `/v1/call/${theirs.id}/message`, { key: api().other.key })).status, 200);
  });

  it('guards the transcript: messages.view (403), valid ids and pagination (422)', async () => {
    const call = await storeCall(api());
    await new MessageRepository(api().store.db).append(call.id, 'user', 'Hola');
    const callsOnly = await api().restrictedKey(['calls.view']);
    const denied = await api().request('GET', `/v1/call/${call.id}/message`, { key: callsOnly });
    assert.equal(denied.status, 403);
    const reader = await api().restrictedKey(['messages.view']);
    assert.equal((await api().request('GET', `/v1/call/${call.id}/message`, { key: reader })).status, 200);
    assert.equal((await api().request('GET', `/v1/call/${call.id}/message`, { key: null })).status, 401);
    assert.equal((await api().request('GET', '/v1/call/nope/message')).status, 422);
    const both = await api().request('GET', `/v1/call/${call.id}/message?after=${MISSING}&before=${MISSING}`);
    assert.equal(both.status, 422);
    assert.equal(both.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
    assert.equal((await api().request('GET', `/v1/call/${call.id}/message?limit=1001`)).status, 422);
  });

  it('bulk-deletes only the project’s terminal calls, with their transcripts and recordings', async () => {
    const done = await storeCall(api(), { status: 'completed' });
    const missed = await storeCall(api(), { status: 'no_answer' });
    const live = await storeCall(api(), { status: 'in_progress' });
    const dialing = await storeCall(api());
    const theirs = await storeCall(api(), { projectId: api().other.projectId, status: 'completed' });
    await new MessageRepository(api().store.db).append(done.id, 'user', 'Adiós');
    const key = recordingKeyFor(api().projectId, done.id);
    await api().deps.recordings.put(key, toneWav());
    await new CallRepository(api().store.db).setRecordingKey(done.id, key);

    const r = await api().request('POST', '/v1/call/bulk-delete', {
      body: { call_ids: [done.id, missed.id, live.id, dialing.id, theirs.id, MISSING, done.id] },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { deleted: 2 });
    assert.equal((await api().request('GET', `/v1/call/${done.id}`)).status, 404);
    assert.equal((await api().request('GET', `/v1/call/${missed.id}`)).status, 404);
    assert.equal((await api().request('GET', `/v1/call/${live.id}`)).status, 200, 'active calls are skipped');
    assert.equal((await api().request('GET', `/v1/call/${dialing.id}`)).status, 200);
    assert.equal((await api().request('GET', `/v1/call/${theirs.id}`, { key: api().other.key })).status, 200);
    const orphans = await api().store.db.selectFrom('messages').select('id').where('call_id', '=', done.id).execute();
    assert.equal(orphans.length, 0, 'messages cascade');
    assert.equal(await api().deps.recordings.exists(key), false, 'the audio goes with the call');

    const again = await api().request('POST', '/v1/call/bulk-delete', { body: { call_ids: [done.id] } });
    assert.deepEqual(again.body, { deleted: 0 });
  });

  it('validates bulk delete (1..500 uuids, 422) and needs calls.delete (403)', async () => {
    const empty = await api().request('POST', '/v1/call/bulk-delete', { body: { call_ids: [] } });
    assert.equal(empty.status, 422);
    assert.deepEqual(empty.body.detail[0].loc, ['body', 'call_ids']);
    const tooMany = await api().request('POST', '/v1/call/bulk-delete', { body: { call_ids: Array.from({ length: 501 }, () => MISSING) } });
    assert.equal(tooMany.status, 422);
    const notUuid = await api().request('POST', '/v1/call/bulk-delete', { body: { call_ids: ['x'] } });
    assert.deepEqual(notUuid.body.detail[0].loc, ['body', 'call_ids', 0]);
    assert.equal((await api().request('POST', '/v1/call/bulk-delete', { body: {} })).status, 422);
    const viewer = await api().restrictedKey(['calls.view']);
    const denied = await api().request('POST', '/v1/call/bulk-delete', { key: viewer, body: { call_ids: [MISSING] } });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'MISSING_PERMISSIONS');
    const full = await api().request('POST', '/v1/call/bulk-delete', { body: { call_ids: Array.from({ length: 500 }, () => MISSING) } });
    assert.deepEqual(full.body, { deleted: 0 });
  });

  it('hangup (extension) ends a live call through the engine and returns it terminal', async () => {
    const call = await storeCall(api(), { status: 'in_progress' });
    const calls = new CallRepository(api().store.db);
    api().engine.hangupOutcome = 'hung_up';
    // The real engine returns once the call is stored as ended; the double ends it here.
    await calls.finish(call.id, 'completed', 'api_hangup');
    try {
      const r = await api().request('POST', `/v1/call/${call.id}/hangup`);
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'completed');
      assert.equal(r.body.end_reason, 'api_hangup');
      assert.equal(api().engine.hangups.at(-1), call.id);
    } finally {
      api().engine.hangupOutcome = 'not_live';
    }
  });

  it('hangup (extension) of an ended call is 409 CALL_NOT_ACTIVE, of an unknown or foreign call 404', async () => {
    const ended = await storeCall(api(), { status: 'completed' });
    const r = await api().request('POST', `/v1/call/${ended.id}/hangup`);
    assert.equal(r.status, 409);
    assert.equal(r.body.error_code, 'CALL_NOT_ACTIVE');
    const missing = await api().request('POST', `/v1/call/${MISSING}/hangup`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error_code, 'CALL_NOT_FOUND');
    assert.equal((await api().request('POST', '/v1/call/not-a-uuid/hangup')).status, 422);
    assert.equal((await api().request('POST', `/v1/call/${ended.id}/hangup`, { key: null })).status, 401);
  });
});
