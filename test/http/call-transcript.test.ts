// The voice agent's turns, reported through the engine's TranscriptRecorder (its AgentObserver),
// become the call's messages as they happen and come back from GET /v1/call/{id}/message in the
// contract's shape, and from GET /v1/call/{id} (and the list) as the transcript, timed segments
// and latency extension fields.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TranscriptRecorder } from '../../src/engine/transcript-recorder.ts';
import { CallAnalysisRepository } from '../../src/store/repositories/call-analysis.ts';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { MessageRepository } from '../../src/store/repositories/messages.ts';
import { describeEachDatabase, type TestApi } from '../helpers/app.ts';
import { storeCall } from './call-fixtures.ts';

/** The call session's write queue, as CallSession.enqueue runs it: in order, failures kept aside. */
function sessionQueue() {
  let writes: Promise<unknown> = Promise.resolve();
  const failures: { what: string; error: unknown }[] = [];
  return {
    failures,
    enqueue(what: string, write: () => Promise<unknown>) {
      writes = writes.then(write).catch((error: unknown) => failures.push({ what, error }));
    },
    drain: () => writes,
  };
}

function recorderFor(api: TestApi, call: { id: string; project_id: string }, answeredAt: number) {
  const queue = sessionQueue();
  const recorder = new TranscriptRecorder({ id: call.id, projectId: call.project_id }, answeredAt, {
    messages: new MessageRepository(api.store.db),
    analysis: new CallAnalysisRepository(api.store.db),
    enqueue: queue.enqueue,
  });
  return { recorder, queue };
}

const at = (answeredAt: number, ms: number) => new Date(answeredAt + ms).toISOString();

describeEachDatabase('call transcript', (api) => {
  it('stores each turn as it is reported and serves them in order, in the contract shape, with timing', async () => {
    const call = await storeCall(api(), { status: 'in_progress' });
    const answeredAt = Date.now() - 60_000;
    const { recorder, queue } = recorderFor(api(), call, answeredAt);

    recorder.onTurn({ role: 'assistant', text: 'Hola, soy Lucía de la Clínica Sol. ¿En qué puedo ayudarle?', startMs: 520, endMs: 3900, wallClock: at(answeredAt, 520), interrupted: false });
    await queue.drain();
    const soFar = await api().request('GET', `/v1/call/${call.id}/message`);
    assert.equal(soFar.status, 200);
    assert.equal(soFar.body.data.length, 1, 'the first turn is stored before the next one is spoken');

    recorder.onTurn({ role: 'user', text: ' Quería cambiar mi cita del martes. ', startMs: 4400, endMs: 6100.6, wallClock: new Date(answeredAt + 4400) as unknown as string, interrupted: false });
    recorder.onLatency({ turn: 1, endpointingMs: 300, sttMs: 120.4, llmFirstTokenMs: 250, llmFirstSentenceMs: 410, ttsFirstByteMs: 90, voiceToVoiceMs: 780, overheadMs: 20 });
    recorder.onTurn({ role: 'assistant', text: 'Claro, ¿para qué día', startMs: 6900, endMs: 8200, wallClock: at(answeredAt, 6900), interrupted: true });
    recorder.onTurn({ role: 'assistant', text: '   ', startMs: 8300, endMs: 8300, wallClock: at(answeredAt, 8300), interrupted: true });
    recorder.onTurn({ role: 'user', text: 'El jueves. Adiós.', startMs: 8400, endMs: 9800, wallClock: at(answeredAt, 8400), interrupted: false });
    recorder.onLatency({ turn: 2, endpointingMs: 310, sttMs: null, llmFirstTokenMs: 400, ttsFirstByteMs: 100, voiceToVoiceMs: 1020, overheadMs: null });
    recorder.onToolCall({
      kind: 'hang_up', name: 'colgar', arguments: {}, status: 'success', result: 'La llamada terminará.', payload: {},
      atMs: 11_000, wallClock: at(answeredAt, 11_000),
    });
    recorder.onToolCall({ kind: 'send_dtmf', name: 'pulsar_teclas', arguments: { digits: '1#' }, status: 'error', result: 'no media', payload: { digits: '1#' }, atMs: 11_500, wallClock: at(answeredAt, 11_500) });
    await queue.drain();
    assert.deepEqual(queue.failures, []);

    const r = await api().request('GET', `/v1/call/${call.id}/message?order=asc`);
    assert.equal(r.status, 200);
    const data = r.body.data;
    assert.deepEqual(data.map((m: any) => m.role), ['assistant', 'user', 'assistant', 'user', 'tool', 'tool'], 'an agent turn with nothing played is not stored');
    assert.deepEqual(data.map((m: any) => m.content), [
      'Hola, soy Lucía de la Clínica Sol. ¿En qué puedo ayudarle?', 'Quería cambiar mi cita del martes.', 'Claro, ¿para qué día', 'El jueves. Adiós.', null, null,
    ]);
    assert.deepEqual(data.map((m: any) => [m.start_ms, m.end_ms]), [[520, 3900], [4400, 6101], [6900, 8200], [8400, 9800], [11_000, 11_000], [11_500, 11_500]]);
    assert.deepEqual(data.map((m: any) => m.interrupted), [false, false, true, false, false, false]);
    assert.deepEqual(data.map((m: any) => m.created_date), [520, 4400, 6900, 8400, 11_000, 11_500].map((ms) => at(answeredAt, ms)));
    assert.deepEqual(data[4].tool_call, {
      type: 'call_tool', tool_name: 'hangup', status: 'success',
      payload: { function_name: 'colgar', arguments: {}, result: 'La llamada terminará.' },
    });
    assert.deepEqual(data[5].tool_call, {
      type: 'function', function_name: 'pulsar_teclas', status: 'error',
      payload: { digits: '1#', arguments: { digits: '1#' }, result: 'no media' },
    });
    assert.equal(data[0].tool_call, null);
    const desc = await api().request('GET', `/v1/call/${call.id}/message`);
    assert.deepEqual(desc.body.data.map((m: any) => m.id), [...data].reverse().map((m: any) => m.id), 'newest first by default');

    const got = await api().request('GET', `/v1/call/${call.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.transcript, [
      'Agent: Hola, soy Lucía de la Clínica Sol. ¿En qué puedo ayudarle?',
      'Caller: Quería cambiar mi cita del martes.',
      'Agent: Claro, ¿para qué día',
      'Caller: El jueves. Adiós.',
    ].join('\n\n'));
    assert.deepEqual(got.body.transcript_segments, [
      { speaker: 'agent', text: 'Hola, soy Lucía de la Clínica Sol. ¿En qué puedo ayudarle?', start_time: 0.52, end_time: 3.9, interrupted: false },
      { speaker: 'caller', text: 'Quería cambiar mi cita del martes.', start_time: 4.4, end_time: 6.101, interrupted: false },
      { speaker: 'agent', text: 'Claro, ¿para qué día', start_time: 6.9, end_time: 8.2, interrupted: true },
      { speaker: 'caller', text: 'El jueves. Adiós.', start_time: 8.4, end_time: 9.8, interrupted: false },
    ]);
    assert.equal(got.body.latency.turns.length, 2);
    assert.deepEqual({ ...got.body.latency.turns[0], at_ms: 0 }, {
      turn: 1, at_ms: 0, endpointing_ms: 300, stt_ms: 120, llm_first_token_ms: 250, llm_first_sentence_ms: 410, tts_first_byte_ms: 90, voice_to_voice_ms: 780, overhead_ms: 20,
    });
    assert.ok(got.body.latency.turns[0].at_ms >= 60_000, 'reported about a minute after the answer');
    assert.equal(got.body.latency.turns[1].stt_ms, null);
    assert.equal(got.body.latency.turns[1].llm_first_sentence_ms, null, 'a figure the agent did not report is null');
    assert.equal(got.body.latency.voice_to_voice_p50_ms, 780);
    assert.equal(got.body.latency.voice_to_voice_p95_ms, 1020);
    assert.equal(got.body.analysis_status, 'pending', 'the caller spoke: an analysis is due once the call ends');
    assert.deepEqual([got.body.summary, got.body.sentiment, got.body.success], [null, null, null]);

    const list = await api().request('GET', '/v1/call/?limit=1000');
    const listed = list.body.data.find((c: any) => c.id === call.id);
    assert.deepEqual(listed, got.body, 'the list shows the same call as GET /v1/call/{id}');
  });

  it('leaves the extension fields empty for a call where nobody spoke, and no analysis due when only the agent did', async () => {
    const silent = await storeCall(api(), { status: 'completed' });
    const got = await api().request('GET', `/v1/call/${silent.id}`);
    assert.equal(got.body.transcript, null);
    assert.deepEqual(got.body.transcript_segments, []);
    assert.equal(got.body.latency, null);
    assert.equal(got.body.analysis_status, null);

    const greetedOnly = await storeCall(api(), { status: 'in_progress' });
    const { recorder, queue } = recorderFor(api(), greetedOnly, Date.now());
    recorder.onTurn({ role: 'assistant', text: 'Hola.', startMs: 0, endMs: 600, wallClock: new Date().toISOString(), interrupted: false });
    await queue.drain();
    const after = await api().request('GET', `/v1/call/${greetedOnly.id}`);
    assert.equal(after.body.transcript, 'Agent: Hola.');
    assert.equal(after.body.analysis_status, null);
  });

  it('keeps one position per turn: the recorder counts on from existing messages, a second writer at a taken position fails', async () => {
    const call = await storeCall(api(), { status: 'in_progress' });
    const messages = new MessageRepository(api().store.db);
    await messages.append(call.id, 'assistant', 'Mensaje previo.');
    const { recorder, queue } = recorderFor(api(), call, Date.now());
    for (let i = 0; i < 20; i++) {
      recorder.onTurn({ role: i % 2 ? 'user' : 'assistant', text: `turno ${i}`, startMs: i * 1000, endMs: i * 1000 + 900, wallClock: new Date().toISOString(), interrupted: false });
    }
    await queue.drain();
    const r = await api().request('GET', `/v1/call/${call.id}/message?order=asc&limit=100`);
    assert.deepEqual(r.body.data.map((m: any) => m.content), ['Mensaje previo.', ...Array.from({ length: 20 }, (_, i) => `turno ${i}`)]);

    const seqs = await api().store.db.selectFrom('messages').select('seq').where('call_id', '=', call.id).orderBy('seq').execute();
    assert.deepEqual(seqs.map((s) => Number(s.seq)), Array.from({ length: 21 }, (_, i) => i + 1));
    await assert.rejects(messages.insert({
      callId: call.id, projectId: call.project_id, seq: 5, role: 'user', content: 'duplicado', toolCall: null,
      createdDate: new Date().toISOString(), startMs: null, endMs: null, interrupted: false,
    }), 'the unique (call_id, seq) index refuses a second writer at a taken position');
  });

  it('a call that ends after its turns carries its transcript in call_ended, as GET /v1/call/{id} shows it', async () => {
    const hook = await api().request('POST', '/v1/webhook/', { body: { url: 'https://hooks.example.com/t', subscribed_events: ['call_ended'] } });
    assert.equal(hook.status, 200);
    try {
      const call = await storeCall(api(), { status: 'in_progress' });
      const { recorder, queue } = recorderFor(api(), call, Date.now());
      recorder.onTurn({ role: 'assistant', text: 'Buenos días.', startMs: 100, endMs: 900, wallClock: new Date().toISOString(), interrupted: false });
      recorder.onTurn({ role: 'user', text: 'Hola, adiós.', startMs: 1200, endMs: 2000, wallClock: new Date().toISOString(), interrupted: false });
      // The session ends the call on the same queue, after the turns.
      queue.enqueue('finish', () => new CallRepository(api().store.db).finish(call.id, 'completed', 'customer_hangup'));
      await queue.drain();
      const row = await api().store.db.selectFrom('webhook_deliveries').select('payload').where('webhook_id', '=', hook.body.id).executeTakeFirstOrThrow();
      const payload = JSON.parse(row.payload);
      assert.equal(payload.call.transcript, 'Agent: Buenos días.\n\nCaller: Hola, adiós.');
      const fetched = (await api().request('GET', `/v1/call/${call.id}`)).body;
      assert.deepEqual(payload.call, { ...fetched, recording_url: null });
    } finally {
      await api().store.db.deleteFrom('webhooks').where('id', '=', hook.body.id).execute();
    }
  });

  it('documents the extension fields as x-habla-extension in the OpenAPI document', async () => {
    const doc = (await api().request('GET', '/openapi.json', { key: null })).body;
    const resolve = (schema: any) => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema);
    const call = resolve(doc.paths['/v1/call/{id}'].get.responses['200'].content['application/json'].schema);
    for (const field of ['transcript', 'transcript_segments', 'summary', 'sentiment', 'success', 'analysis_status', 'latency']) {
      assert.equal(call.properties[field]?.['x-habla-extension'], true, field);
    }
    const page = resolve(doc.paths['/v1/call/{id}/message'].get.responses['200'].content['application/json'].schema);
    const message = resolve(page.properties.data.items);
    for (const field of ['start_ms', 'end_ms', 'interrupted']) assert.equal(message.properties[field]?.['x-habla-extension'], true, field);
  });
});
