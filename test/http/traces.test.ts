import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import pino from 'pino';
import { Tracing } from '../../src/observability/tracing.ts';
import { CallSpanRepository, type CallSpanRecord } from '../../src/store/repositories/call-spans.ts';
import { describeEachDatabase } from '../helpers/app.ts';
import { storeCall } from './call-fixtures.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';
/** Each call's spans get a trace id of their own: span ids repeat from call to call. */
const traceIds = new Map<string, string>();
const traceOf = (callId: string) => traceIds.get(callId) ?? traceIds.set(callId, randomBytes(16).toString('hex')).get(callId)!;

/** A span of `callId` starting `offsetMs` after 10:00:00 on 2026-03-01. */
function span(callId: string, projectId: string, id: string, parent: string | null, name: string, offsetMs: number, durationMs: number, extra: Partial<CallSpanRecord> = {}): CallSpanRecord {
  const start = Date.parse('2026-03-01T10:00:00.000Z') + offsetMs;
  return {
    trace_id: traceOf(callId), span_id: id.padStart(16, '0'), parent_span_id: parent === null ? null : parent.padStart(16, '0'),
    call_id: callId, project_id: projectId, name, service_name: 'habla',
    start_time: new Date(start).toISOString(), end_time: new Date(start + durationMs).toISOString(), duration_ms: durationMs,
    status: 'OK', status_message: null, attributes: {}, ...extra,
  };
}

describeEachDatabase('call traces API', (api) => {
  const repo = () => new CallSpanRepository(api().store.db);
  const get = (callId: string, key?: string | null) => api().request('GET', `/v1/trace/call/${callId}`, { key });

  /** A stored call with the spans of a typical answered outbound call. */
  async function tracedCall(projectId = api().projectId) {
    const call = await storeCall(api(), { projectId, status: 'completed' });
    const spans = [
      span(call.id, projectId, '1', null, 'call', 0, 5200.5, { attributes: { 'call.id': call.id, 'call.status': 'completed', 'call.end_reason': 'user_hangup' } }),
      span(call.id, projectId, '2', '1', 'sip.setup', 3, 180.25, { attributes: { 'sip.direction': 'outbound', 'sip.status_code': 200 } }),
      span(call.id, projectId, '3', '2', 'sip.auth', 40, 140),
      span(call.id, projectId, '4', '1', 'media', 185, 5000, { attributes: { 'media.codec': 'PCMU' } }),
      span(call.id, projectId, '5', '1', 'recording.save', 5190, 9.75, { status: 'ERROR', status_message: 'disk full' }),
    ];
    // Written out of order, as batches of a real call are: the tree must not depend on it.
    assert.equal(await repo().insertMany([spans[4]!, spans[2]!, spans[0]!, spans[3]!, spans[1]!]), 5);
    return call;
  }

  it('serves the stored spans as the contract’s tree, with trace start, end and duration', async () => {
    const call = await tracedCall();
    const r = await get(call.id);
    assert.equal(r.status, 200, r.raw);
    const trace = r.body;
    assert.equal(trace.id, traceOf(call.id));
    assert.equal(trace.call_id, call.id);
    assert.equal(trace.root_service, 'habla');
    assert.equal(trace.start_time, '2026-03-01T10:00:00.000Z');
    assert.equal(trace.end_time, '2026-03-01T10:00:05.200Z');
    assert.equal(trace.duration_ms, 5200.5);
    assert.equal(trace.span_count, 5);
    assert.equal(trace.spans.length, 1);
    const [root] = trace.spans;
    assert.deepEqual(
      { ...root, children: undefined },
      {
        id: '0000000000000001', parent_span_id: null, operation_name: 'call', service_name: 'habla', start_time: '2026-03-01T10:00:00.000Z',
        duration_ms: 5200.5, status: 'OK', tags: { 'call.id': call.id, 'call.status': 'completed', 'call.end_reason': 'user_hangup' }, children: undefined,
      },
    );
    assert.deepEqual(root.children.map((c: any) => c.operation_name), ['sip.setup', 'media', 'recording.save'], 'siblings by start time');
    const [setup, media, recording] = root.children;
    assert.deepEqual(setup.tags, { 'sip.direction': 'outbound', 'sip.status_code': 200 });
    assert.equal(setup.duration_ms, 180.25);
    assert.deepEqual(setup.children.map((c: any) => [c.operation_name, c.parent_span_id, c.children]), [['sip.auth', setup.id, []]]);
    assert.deepEqual(media.children, []);
    assert.equal(recording.status, 'ERROR');
  });

  it('answers 404 TRACE_NOT_FOUND for an unknown call, a call without spans and another project’s call', async () => {
    const bare = await storeCall(api());
    const theirs = await tracedCall(api().other.projectId);
    for (const id of [MISSING, bare.id, theirs.id]) {
      const r = await get(id);
      assert.equal(r.status, 404, id);
      assert.deepEqual(r.body, { status: 'error', error_code: 'TRACE_NOT_FOUND', message: 'Trace not found' });
    }
    assert.equal((await get(theirs.id, api().other.key)).status, 200, 'its own project sees it');
  });

  it('validates the call id (422) and requires a key with logs.view', async () => {
    const bad = await get('not-a-uuid');
    assert.equal(bad.status, 422);
    assert.equal(bad.body.detail[0].loc.join('.'), 'path.call_id');
    const call = await tracedCall();
    assert.equal((await get(call.id, null)).status, 401);
    const denied = await get(call.id, await api().restrictedKey(['calls.view']));
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'MISSING_PERMISSIONS');
    assert.equal((await get(call.id, await api().restrictedKey(['logs.view']))).status, 200);
  });

  it('shows spans whose parent is not stored yet (a live call) at the top level', async () => {
    const call = await storeCall(api(), { status: 'in_progress' });
    await repo().insertMany([span(call.id, api().projectId, '2', '1', 'sip.setup', 0, 120)]);
    const r = await get(call.id);
    assert.equal(r.status, 200);
    assert.equal(r.body.span_count, 1);
    assert.deepEqual(r.body.spans.map((s: any) => [s.operation_name, s.parent_span_id]), [['sip.setup', '0000000000000001']]);
  });

  it('drops spans of unknown calls or of another project, keeps a span written twice once, and deletes spans with their call', async () => {
    const call = await tracedCall();
    const mine = span(call.id, api().projectId, '9', '1', 'late', 10, 1);
    const stored = await repo().insertMany([
      mine, mine, span(MISSING, api().projectId, '8', null, 'call', 0, 1), span(call.id, api().other.projectId, '7', null, 'call', 0, 1),
    ]);
    assert.equal(stored, 1, 'one copy kept; the unknown call’s and the wrong project’s dropped');
    assert.equal((await get(call.id)).body.span_count, 6);
    assert.equal(await repo().countForCall(api().projectId, call.id), 6);

    const deleted = await api().request('POST', '/v1/call/bulk-delete', { body: { call_ids: [call.id] } });
    assert.equal(deleted.status, 200, deleted.raw);
    assert.equal((await get(call.id)).status, 404);
    assert.equal(await repo().countForCall(api().projectId, call.id), 0);
  });

  it('stores the spans of a trace started through the OpenTelemetry provider, once flushed', async () => {
    const call = await storeCall(api(), { status: 'completed' });
    const tracing = Tracing.create({ serviceName: 'habla-test', spanSink: repo(), logger: pino({ level: 'silent' }) });
    try {
      const trace = tracing.startCall({ callId: call.id, projectId: api().projectId, direction: 'outbound' });
      const turn = trace.startSpan('turn.agent', { 'turn.index': 1 });
      await trace.inSpan('llm', { 'llm.model': 'test' }, async () => 'ok', { parent: turn });
      await assert.rejects(trace.inSpan('tool', { 'tool.name': 'lookup' }, async () => { throw new Error('boom'); }, { parent: turn }));
      const open = trace.startSpan('tts', {}, { parent: turn });
      trace.end();
      assert.equal(open.ended, true, 'ending the trace ends the spans still open');
      await tracing.forceFlush();

      const r = await get(call.id);
      assert.equal(r.status, 200, r.raw);
      assert.equal(r.body.id, trace.traceId);
      assert.match(r.body.id, /^[0-9a-f]{32}$/);
      assert.equal(r.body.span_count, 5);
      assert.equal(r.body.root_service, 'habla-test');
      const [root] = r.body.spans;
      assert.equal(root.operation_name, 'call');
      assert.deepEqual(root.tags, { 'call.id': call.id, 'call.direction': 'outbound' }, 'the project id is a column, not a tag');
      const [agentTurn] = root.children;
      assert.equal(agentTurn.operation_name, 'turn.agent');
      const byName = Object.fromEntries(agentTurn.children.map((c: any) => [c.operation_name, c]));
      assert.deepEqual(Object.keys(byName).sort(), ['llm', 'tool', 'tts']);
      assert.equal(byName.llm.status, 'OK');
      assert.equal(byName.tool.status, 'ERROR');
      assert.equal(byName.tts.tags['habla.ended_with_call'], true);
      assert.equal(trace.startSpan('after').spanId, '', 'no spans after the end');
    } finally {
      await tracing.shutdown();
    }
  });
});
