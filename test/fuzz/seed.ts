import { randomUUID } from 'node:crypto';
import { CallLogRepository } from '../../src/store/repositories/call-logs.ts';
import { CallSpanRepository } from '../../src/store/repositories/call-spans.ts';
import type { TestApi } from '../helpers/app.ts';
import { kindOfField, type Seeds } from './arbitraries.ts';

// Real resources for the fuzzer to aim at, so requests get past "not found" into the code
// that reads and writes rows. Creation goes through the API where a route exists (and is
// ignored where it does not yet); calls have no create-without-a-phone path, so a few rows
// are written straight into the store.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SeedSet {
  /** Every id found: for reads. */
  read: Seeds;
  /** Without the project and keys the fuzz requests authenticate with: for writes. */
  write: Seeds;
}

export async function seed(api: TestApi, listPaths: string[]): Promise<SeedSet> {
  const found = new Map<string, Set<string>>();
  const add = (kind: string, id: string) => (found.get(kind) ?? found.set(kind, new Set()).get(kind)!).add(id);
  const keep = (path: string, body: unknown) => collectIds(body, kindOfPath(path), add);
  add('project', api.projectId);
  add('project', api.other.projectId);
  const protectedIds = new Set<string>([api.projectId, api.other.projectId, api.profileId, ...(await adminKeyIds(api))]);

  await insertCalls(api).then((ids) => ids.forEach((id) => add('call', id))).catch(() => undefined);
  for (const row of await api.store.db.selectFrom('call_logs').select('id').execute()) add('log', row.id);
  const voices = await api.request('GET', '/v1/voice/?limit=5');
  keep('/v1/voice/', voices.body);
  const voiceId = voices.body?.data?.[0]?.id;

  const creations: [string, unknown, string?][] = [
    ['/v1/webhook/', { url: 'https://example.com/hook', subscribed_events: ['status_changed'] }],
    ['/v1/webhook/', { url: 'https://example.com/other', subscribed_events: ['status_changed'] }, api.other.key],
    ['/v1/project/', { name: 'Fuzz project', description: null }],
    ['/v1/api_key/', { name: 'fuzz key', restricted: false }],
    ['/v1/agent/', { name: 'Fuzz agent', voice_id: voiceId, language: 'es', prompt: 'Hola' }],
    ['/v1/agent/', { name: 'Second agent', voice_id: voiceId, language: 'en' }],
    ['/v1/agent/', { name: 'Other agent', voice_id: voiceId, language: 'es' }, api.other.key],
    ['/v1/phone/import', { phone_number: '+34910000001', nickname: 'fuzz' }],
    ['/v1/voice/favourite/' + voiceId, undefined],
  ];
  for (const [path, body, key] of creations) {
    keep(path, (await api.request('POST', path, { body, key })).body);
  }
  for (const agentId of found.get('agent') ?? []) {
    keep('/v1/agent/{id}/version', (await api.request('POST', `/v1/agent/${agentId}/version`, { body: { version_name: 'v-fuzz' } })).body);
    keep('/v1/agent/{id}/version', (await api.request('GET', `/v1/agent/${agentId}/version`)).body);
  }
  for (const path of listPaths) keep(path, (await api.request('GET', path)).body);

  const read = toSeeds(found, () => true);
  return { read, write: toSeeds(found, (id) => !protectedIds.has(id)) };
}

function toSeeds(found: Map<string, Set<string>>, keep: (id: string) => boolean): Seeds {
  const byKind = Object.fromEntries([...found].map(([kind, ids]) => [kind, [...ids].filter(keep)]));
  return { byKind, all: [...new Set(Object.values(byKind).flat())] };
}

/** The resource a path lists or names: `/v1/agent/template` → template, `/v1/call/{id}` → call. */
export function kindOfPath(path: string): string {
  const segments = path.split('/').filter((s) => s && s !== 'v1' && !s.startsWith('{'));
  for (const special of ['template', 'version']) if (segments.includes(special)) return special;
  if (segments.includes('favourite')) return 'voice';
  return segments[0] ?? 'unknown';
}

/** The keys the fuzz requests authenticate with must survive PATCH and DELETE /v1/api_key/{id}. */
async function adminKeyIds(api: TestApi): Promise<string[]> {
  const rows = await api.store.db.selectFrom('api_keys').select('id').where('project_id', '=', api.projectId).execute();
  return rows.map((r) => r.id);
}

/** `id` belongs to the object's kind; `agent_id` is an agent; a nested `voice: {id}` is a voice. */
function collectIds(value: unknown, kind: string, add: (kind: string, id: string) => void, depth = 0): void {
  if (depth > 6 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) return value.forEach((v) => collectIds(v, kind, add, depth + 1));
  for (const [key, v] of Object.entries(value)) {
    const ids = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && UUID.test(x));
    if (key === 'id') ids.forEach((id) => add(kind, id));
    else if (kindOfField(key)) ids.forEach((id) => add(kindOfField(key)!, id));
    if (ids.length === 0) collectIds(v, key === 'data' ? kind : key, add, depth + 1);
  }
}

async function insertCalls(api: TestApi): Promise<string[]> {
  const db = api.store.db;
  const now = new Date().toISOString();
  const contactId = randomUUID();
  await db.insertInto('contacts').values({
    id: contactId, project_id: api.projectId, identifier: '+34600000001', contact_type: 'call', created_date: now,
  }).execute();
  const ids: string[] = [];
  for (const status of ['completed', 'in_progress', 'dialing']) {
    const id = randomUUID();
    ids.push(id);
    await db.insertInto('calls').values({
      id, project_id: api.projectId, agent_id: null, agent_version_id: null, phone_register_id: null, contact_id: contactId,
      status, type: 'outbound', from_number: '+34910000001', to_number: '+34600000001',
      start_time: now, end_time: status === 'completed' ? now : null, duration: status === 'completed' ? 12 : null,
      end_reason: status === 'completed' ? 'user_hangup' : null, recording_key: null, dynamic_variables: null,
      created_date: now, updated_at: now,
    }).execute();
    await db.insertInto('messages').values({
      id: randomUUID(), call_id: id, project_id: api.projectId, seq: 0, role: 'assistant', content: 'Hola', tool_call: null, created_date: now,
    }).execute();
    await new CallLogRepository(db).appendMany(api.projectId, id, [
      { level: 'INFO', category: 'CALL_LIFECYCLE', event: 'call_created' },
      { level: 'ERROR', category: 'CALL_LIFECYCLE', event: 'sip_error', data: { status_code: 503 } },
      { level: 'INFO', category: 'USER', event: 'dtmf_received', data: { digit: '5' }, traceId: 'fuzz-trace' },
    ]);
    await new CallSpanRepository(db).insertMany(fuzzSpans(id, api.projectId, now));
  }
  return ids;
}

/** A root `call` span with a `sip.setup` child, so GET /v1/trace/call/{id} has a tree to build. */
function fuzzSpans(callId: string, projectId: string, at: string) {
  const traceId = randomUUID().replace(/-/g, '');
  const base = { trace_id: traceId, call_id: callId, project_id: projectId, service_name: 'habla', start_time: at, end_time: at, status: 'OK', status_message: null };
  return [
    { ...base, span_id: '00000000000000a1', parent_span_id: null, name: 'call', duration_ms: 12_000, attributes: { 'call.id': callId } },
    { ...base, span_id: '00000000000000a2', parent_span_id: '00000000000000a1', name: 'sip.setup', duration_ms: 150.5, attributes: { 'sip.status_code': 200 } },
  ];
}
