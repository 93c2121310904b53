import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { newId, nowIso } from '../domain/ids.ts';
import { migrateToLatest, openStore, type Store } from '../store/database.ts';
import { CallSpanRepository } from '../store/repositories/call-spans.ts';
import { Tracing } from './tracing.ts';

let store: Store;
const PROJECT = newId();
let contacts = 0;

before(async () => {
  store = openStore('sqlite::memory:');
  await migrateToLatest(store);
  await store.db.insertInto('projects').values({ id: PROJECT, name: 'p', description: null, created_date: nowIso(), deleted_at: null }).execute();
});
after(() => store.close());

async function newCall(): Promise<string> {
  const id = newId();
  const now = nowIso();
  const contact = newId();
  await store.db.insertInto('contacts').values({ id: contact, project_id: PROJECT, identifier: `+34600${String(++contacts).padStart(6, '0')}`, contact_type: 'call', created_date: now }).execute();
  await store.db.insertInto('calls').values({
    id, project_id: PROJECT, agent_id: null, agent_version_id: null, phone_register_id: null, contact_id: contact, status: 'dialing',
    type: 'outbound', from_number: '+34910000001', to_number: '+34600000001', start_time: null, end_time: null, duration: null,
    end_reason: null, recording_key: null, dynamic_variables: null, created_date: now, updated_at: now,
  }).execute();
  return id;
}

const stored = (callId: string) => new CallSpanRepository(store.db).listForCall(PROJECT, callId, 100);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('ending a span writes nothing at once; the batch goes to the database after the flush interval', async () => {
  const tracing = Tracing.create({ serviceName: 'habla', spanSink: new CallSpanRepository(store.db), logger: pino({ level: 'silent' }), storeFlushIntervalMs: 300 });
  try {
    const callId = await newCall();
    const trace = tracing.startCall({ callId, projectId: PROJECT, direction: 'outbound' });
    trace.startSpan('sip.setup').end();
    trace.startSpan('media').end();
    await sleep(50);
    assert.equal((await stored(callId)).length, 0, 'not written on span end');
    await sleep(400);
    assert.deepEqual((await stored(callId)).map((s) => s.name).sort(), ['media', 'sip.setup']);
  } finally {
    await tracing.shutdown();
  }
});

test('the end of a call’s root span writes its trace without waiting for the interval', async () => {
  const tracing = Tracing.create({ serviceName: 'habla', spanSink: new CallSpanRepository(store.db), logger: pino({ level: 'silent' }), storeFlushIntervalMs: 60_000 });
  try {
    const callId = await newCall();
    const trace = tracing.startCall({ callId, projectId: PROJECT, direction: 'inbound' });
    trace.startSpan('sip.setup').end();
    trace.end();
    await sleep(100);
    const spans = await stored(callId);
    assert.deepEqual(spans.map((s) => s.name).sort(), ['call', 'sip.setup']);
    const root = spans.find((s) => s.name === 'call');
    const setup = spans.find((s) => s.name === 'sip.setup');
    assert.equal(setup!.parent_span_id, root!.span_id);
    assert.equal(root!.trace_id, trace.traceId);
    assert.equal(root!.status, 'OK');
    assert.equal(root!.service_name, 'habla');
    assert.ok(!('habla.project_id' in root!.attributes));
  } finally {
    await tracing.shutdown();
  }
});

test('shutdown writes what is still buffered; spans of a call that is gone are dropped without failing the batch', async () => {
  const tracing = Tracing.create({ serviceName: 'habla', spanSink: new CallSpanRepository(store.db), logger: pino({ level: 'silent' }), storeFlushIntervalMs: 60_000 });
  const callId = await newCall();
  const gone = tracing.startCall({ callId: newId(), projectId: PROJECT, direction: 'outbound' });
  gone.startSpan('media').end();
  const trace = tracing.startCall({ callId, projectId: PROJECT, direction: 'outbound' });
  trace.startSpan('media').end();
  await tracing.shutdown();
  assert.deepEqual((await stored(callId)).map((s) => s.name), ['media']);
});

test('a large backlog is written in small batches, all of it', async () => {
  const tracing = Tracing.create({ serviceName: 'habla', spanSink: new CallSpanRepository(store.db), logger: pino({ level: 'silent' }), storeFlushIntervalMs: 60_000 });
  const callId = await newCall();
  const trace = tracing.startCall({ callId, projectId: PROJECT, direction: 'outbound' });
  for (let i = 0; i < 250; i++) trace.startSpan(`turn.user`, { 'turn.index': i }).end();
  trace.end();
  await tracing.forceFlush();
  assert.equal(await new CallSpanRepository(store.db).countForCall(PROJECT, callId), 251);
  await tracing.shutdown();
});
