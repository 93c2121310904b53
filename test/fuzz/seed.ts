import { randomUUID } from 'node:crypto';
import type { TestApi } from '../helpers/app.ts';
import type { Seeds } from './arbitraries.ts';

// Real resources for the fuzzer to aim at, so requests get past "not found" into the code
// that reads and writes rows. Creation goes through the API where a route exists (and is
// ignored where it does not yet); calls have no create-without-a-phone path, so a few rows
// are written straight into the store.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function seed(api: TestApi, listPaths: string[]): Promise<Seeds> {
  const found = new Set<string>([api.projectId, api.other.projectId]);
  const protectedIds = new Set<string>([api.projectId, api.profileId, ...(await adminKeyIds(api))]);
  const keep = (body: unknown) => collectIds(body, found);

  await insertCalls(api).then((ids) => ids.forEach((id) => found.add(id))).catch(() => undefined);
  const voices = await api.request('GET', '/v1/voice/?limit=5');
  keep(voices.body);
  const voiceId = voices.body?.data?.[0]?.voice_id ?? voices.body?.data?.[0]?.id ?? 'es';

  const creations: [string, unknown, string?][] = [
    ['/v1/webhook/', { url: 'https://example.com/hook', subscribed_events: ['status_changed'] }],
    ['/v1/webhook/', { url: 'https://example.com/other', subscribed_events: ['status_changed'] }, api.other.key],
    ['/v1/project/', { name: 'Fuzz project', description: null }],
    ['/v1/api_key/', { name: 'fuzz key', restricted: false }],
    ['/v1/agent/', { name: 'Fuzz agent', voice_id: voiceId, language: 'es', prompt: 'Hola' }],
    ['/v1/agent/', { name: 'Other agent', voice_id: voiceId, language: 'es' }, api.other.key],
    ['/v1/phone/import', { phone_number: '+34910000001', nickname: 'fuzz' }],
  ];
  for (const [path, body, key] of creations) {
    keep((await api.request('POST', path, { body, key })).body);
  }
  for (const agentId of [...found]) {
    const version = await api.request('POST', `/v1/agent/${agentId}/version`, { body: { version_name: 'v-fuzz' } });
    if (version.status < 300) keep(version.body);
  }
  for (const path of listPaths) keep((await api.request('GET', path)).body);

  const all = [...found];
  return { all, mutable: all.filter((id) => !protectedIds.has(id)) };
}

/** The keys the fuzz requests authenticate with must survive PATCH and DELETE /v1/api_key/{id}. */
async function adminKeyIds(api: TestApi): Promise<string[]> {
  const rows = await api.store.db.selectFrom('api_keys').select('id').where('project_id', '=', api.projectId).execute();
  return rows.map((r) => r.id);
}

function collectIds(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > 6 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) return value.forEach((v) => collectIds(v, into, depth + 1));
  for (const [key, v] of Object.entries(value)) {
    if ((key === 'id' || key.endsWith('_id')) && typeof v === 'string' && UUID.test(v)) into.add(v);
    else collectIds(v, into, depth + 1);
  }
}

async function insertCalls(api: TestApi): Promise<string[]> {
  const db = api.store.db;
  const now = new Date().toISOString();
  const contactId = randomUUID();
  await db.insertInto('contacts').values({
    id: contactId, project_id: api.projectId, identifier: '+34600000001', contact_type: 'phone', created_date: now,
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
  }
  return ids;
}
