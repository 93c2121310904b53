import assert from 'node:assert/strict';
import { it } from 'node:test';
import { defaultAgentSettings } from '../../src/domain/agent.ts';
import { newId, nowIso } from '../../src/domain/ids.ts';
import { AgentRepository } from '../../src/store/repositories/agents.ts';
import { PhoneRepository } from '../../src/store/repositories/phones.ts';
import { contractValidator } from '../helpers/contract.ts';
import { describeEachDatabase, type TestApi } from '../helpers/app.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';
const matchesContract = contractValidator('PhoneRegisterResponseSchema');

let counter = 0;
/** A fresh valid Spanish mobile number for each call: numbers are unique across projects. */
function freshNumber(): { e164: string; national: string } {
  counter += 1;
  const digits = `61${String(process.pid % 1000).padStart(3, '0')}${String(counter).padStart(4, '0')}`;
  return { e164: `+34${digits}`, national: digits };
}

async function importNumber(api: TestApi, body: Record<string, unknown> = {}, key?: string) {
  const response = await api.request('POST', '/v1/phone/import', { body: { phone_number: freshNumber().e164, ...body }, key });
  assert.equal(response.status, 200, response.raw);
  return response.body;
}

async function createAgent(api: TestApi, projectId = api.projectId) {
  const agents = new AgentRepository(api.store.db);
  const view = await agents.create(projectId, defaultAgentSettings(newId(), 'es'), { isDraft: false });
  return { agentId: view.agent.id, v1: view.version.id, draftId: view.agent.draft_version_id, agents };
}

/** Inserts a purchased (netelip) number directly: Habla itself only imports numbers. */
async function insertPurchased(api: TestApi, status: string): Promise<string> {
  const id = newId();
  await api.store.db.insertInto('phones').values({
    id, project_id: api.projectId, number: freshNumber().e164, nickname: null, telephony_provider: 'netelip', status,
    assigned_at: status === 'assigned' ? '2026-01-31T10:00:00.000Z' : null, released_at: null, scheduled_release_at: null,
    inbound_agent_id: null, outbound_agent_id: null, has_outbound_config: 1, termination_uri: null, sip_username: null,
    sip_password_encrypted: null, inbound_media_encryption: 'allow', outbound_media_encryption: 'allow',
    allowed_addresses: null, created_date: nowIso(),
  }).execute();
  return id;
}

describeEachDatabase('phones API', (api) => {
  it('imports a number with its SIP trunk, normalised, assigned and without the password', async () => {
    const { e164, national } = freshNumber();
    const before = Date.now();
    const r = await api().request('POST', '/v1/phone/import', {
      body: {
        phone_number: `0034 ${national}`,
        nickname: 'Recepción',
        inbound_config: { media_encryption: 'require', allowed_addresses: ['192.168.1.0/24', '10.0.0.1', '2001:db8::/32'] },
        outbound_config: { termination_uri: 'Trunk.Example.net:5061', username: 'habla', password: 's3cr3t-Passw0rd', media_encryption: 'disable' },
      },
    });
    assert.equal(r.status, 200, r.raw);
    assert.deepEqual(matchesContract(r.body), []);
    assert.equal(r.body.number, e164);
    assert.equal(r.body.nickname, 'Recepción');
    assert.equal(r.body.telephony_provider, 'custom');
    assert.equal(r.body.status, 'assigned');
    assert.ok(Date.parse(r.body.assigned_at) >= before - 1000);
    assert.equal(r.body.released_at, null);
    assert.equal(r.body.inbound_agent_id, null);
    assert.deepEqual(r.body.sip_config, {
      termination_uri: 'trunk.example.net:5061',
      username: 'habla',
      inbound_media_encryption: 'require',
      outbound_media_encryption: 'disable',
      allowed_addresses: ['192.168.1.0/24', '10.0.0.1', '2001:db8::/32'],
    });
    assert.ok(!r.raw.includes('s3cr3t-Passw0rd'));
    assert.ok(!r.raw.includes('password'));

    const stored = (await new PhoneRepository(api().store.db).get(api().projectId, r.body.id))!;
    assert.ok(stored.sip_password_encrypted);
    assert.ok(!stored.sip_password_encrypted.includes('s3cr3t'));
    assert.equal(api().deps.secretBox.open(stored.sip_password_encrypted), 's3cr3t-Passw0rd');
    assert.equal(stored.has_outbound_config, true);

    const fetched = await api().request('GET', `/v1/phone/${r.body.id}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body, r.body);
  });

  it('imports an inbound-only number with the contract defaults', async () => {
    const body = await importNumber(api(), { inbound_config: null, outbound_config: null });
    assert.deepEqual(body.sip_config, {
      termination_uri: null, username: null, inbound_media_encryption: 'allow', outbound_media_encryption: 'allow', allowed_addresses: null,
    });
    assert.equal(body.nickname, null);
    const stored = (await new PhoneRepository(api().store.db).get(api().projectId, body.id))!;
    assert.equal(stored.has_outbound_config, false);
    assert.equal(stored.sip_password_encrypted, null);

    const noPassword = await importNumber(api(), { outbound_config: { termination_uri: 'a.example.com', username: null, password: null } });
    assert.equal((await new PhoneRepository(api().store.db).get(api().projectId, noPassword.id))!.sip_password_encrypted, null);
    assert.equal(noPassword.sip_config.username, null);

    const partial = await importNumber(api(), { inbound_config: { allowed_addresses: [] }, outbound_config: { termination_uri: '203.0.113.7' } });
    assert.equal(partial.sip_config.inbound_media_encryption, 'allow');
    assert.equal(partial.sip_config.outbound_media_encryption, 'allow');
    assert.deepEqual(partial.sip_config.allowed_addresses, []);
    assert.equal(partial.sip_config.termination_uri, '203.0.113.7');
  });

  it('imports SIP user identifiers, foreign numbers and every termination_uri form', async () => {
    const sipUser = `agent-${counter++}@PBX.Example.com`;
    const r = await api().request('POST', '/v1/phone/import', { body: { phone_number: sipUser } });
    assert.equal(r.status, 200, r.raw);
    assert.equal(r.body.number, sipUser.replace('PBX.Example.com', 'pbx.example.com'));

    const us = await api().request('POST', '/v1/phone/import', { body: { phone_number: `+1 415 555 ${String(1000 + (counter++ % 9000))}` } });
    assert.equal(us.status, 200, us.raw);
    assert.match(us.body.number, /^\+1415555\d{4}$/);

    for (const [given, stored] of [
      ['sip.example.com', 'sip.example.com'], ['10.1.2.3:5060', '10.1.2.3:5060'], ['2001:db8::10', '2001:db8::10'],
      ['[2001:db8::10]:5061', '[2001:db8::10]:5061'], ['my-termination.example.com:5060', 'my-termination.example.com:5060'],
    ]) {
      const body = await importNumber(api(), { outbound_config: { termination_uri: given } });
      assert.equal(body.sip_config.termination_uri, stored, given);
    }
  });

  it('refuses to import a number twice, in any project and in any written form (409 DUPLICATE_FIELD)', async () => {
    const { e164, national } = freshNumber();
    assert.equal((await api().request('POST', '/v1/phone/import', { body: { phone_number: e164 } })).status, 200);
    for (const [form, key] of [[national, undefined], [`34${national}`, undefined], [e164, api().other.key]] as const) {
      const again = await api().request('POST', '/v1/phone/import', { body: { phone_number: form }, key });
      assert.equal(again.status, 409, form);
      assert.equal(again.body.error_code, 'DUPLICATE_FIELD');
      assert.equal(again.body.status, 'error');
    }
    const sipUser = `dup-${counter++}@pbx.example.com`;
    assert.equal((await api().request('POST', '/v1/phone/import', { body: { phone_number: sipUser } })).status, 200);
    assert.equal((await api().request('POST', '/v1/phone/import', { body: { phone_number: sipUser.toUpperCase().replace('DUP', 'dup') } })).status, 409);
  });

  it('takes a ;transport=tcp suffix on termination_uri (extension) and shows it back normalised', async () => {
    for (const [given, stored] of [['Trunk.Example.com:5060;Transport=TCP', 'trunk.example.com:5060;transport=tcp'], ['10.0.0.5 ; transport=udp', '10.0.0.5;transport=udp']]) {
      const r = await api().request('POST', '/v1/phone/import', { body: { phone_number: freshNumber().e164, outbound_config: { termination_uri: given } } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.sip_config.termination_uri, stored);
    }
  });

  it('answers 422 at the field for numbers, termination URIs and addresses it cannot use', async () => {
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ phone_number: '+34123' }, ['body', 'phone_number']],
      [{ phone_number: 'not a number' }, ['body', 'phone_number']],
      [{ phone_number: 'sip:alice@example.com' }, ['body', 'phone_number']],
      [{ phone_number: '' }, ['body', 'phone_number']],
      [{}, ['body', 'phone_number']],
      [{ outbound_config: { termination_uri: 'sip:trunk.example.com' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: 'SIPS:trunk.example.com:5061' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: 'trunk.example.com:99999' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: 'trunk.example.com:' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: 'trunk example.com' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: 'trunk.example.com/path' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: 'user@trunk.example.com' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: '300.1.1.1' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: '' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: 'trunk.example.com;transport=tls' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: 'trunk.example.com;lr' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: 'trunk.example.com;transport=tcp;transport=udp' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: ';transport=tcp' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { username: 'x' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ outbound_config: { termination_uri: 'a.example.com', media_encryption: 'maybe' } }, ['body', 'outbound_config', 'media_encryption']],
      [{ inbound_config: { allowed_addresses: ['10.0.0.1', '10.0.0.0/33'] } }, ['body', 'inbound_config', 'allowed_addresses', 1]],
      [{ inbound_config: { allowed_addresses: ['2001:db8::/129'] } }, ['body', 'inbound_config', 'allowed_addresses', 0]],
      [{ inbound_config: { allowed_addresses: ['example.com'] } }, ['body', 'inbound_config', 'allowed_addresses', 0]],
      [{ inbound_config: { allowed_addresses: ['10.0.0.256'] } }, ['body', 'inbound_config', 'allowed_addresses', 0]],
      [{ inbound_config: { allowed_addresses: 'not-a-list' } }, ['body', 'inbound_config', 'allowed_addresses']],
      [{ nickname: 'a\u0000b' }, ['body', 'nickname']],
      [{ outbound_config: { termination_uri: 'a.example.com', username: '\u0000' } }, ['body', 'outbound_config', 'username']],
      [{ outbound_config: { termination_uri: 'a.example.com', password: 5 } }, ['body', 'outbound_config', 'password']],
    ];
    for (const [body, loc] of cases) {
      const full = 'phone_number' in body || Object.keys(body).length === 0 ? body : { phone_number: freshNumber().e164, ...body };
      const r = await api().request('POST', '/v1/phone/import', { body: full });
      assert.equal(r.status, 422, JSON.stringify(body));
      assert.deepEqual(r.body.detail[0].loc, loc, JSON.stringify(body));
    }
  });

  it('gets numbers by id, and hides other projects’ numbers (404 PHONE_NUMBER_NOT_FOUND)', async () => {
    const mine = await importNumber(api());
    const unknown = await api().request('GET', `/v1/phone/${MISSING}`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { status: 'error', error_code: 'PHONE_NUMBER_NOT_FOUND', message: `Phone number ${MISSING} not found` });
    const theirs = await api().request('GET', `/v1/phone/${mine.id}`, { key: api().other.key });
    assert.equal(theirs.status, 404);
    assert.equal(theirs.body.error_code, 'PHONE_NUMBER_NOT_FOUND');
    for (const [method, url] of [['PATCH', `/v1/phone/${mine.id}`], ['PATCH', `/v1/phone/${mine.id}/sip-config`], ['DELETE', `/v1/phone/${mine.id}`]]) {
      const r = await api().request(method, url, { key: api().other.key, body: method === 'DELETE' ? undefined : { nickname: 'stolen' } });
      assert.equal(r.status, 404, `${method} ${url}`);
    }
    const still = await api().request('GET', `/v1/phone/${mine.id}`);
    assert.equal(still.status, 200);
    assert.equal(still.body.nickname, null);

    const badId = await api().request('GET', '/v1/phone/not-a-uuid');
    assert.equal(badId.status, 422);
    assert.deepEqual(badId.body.detail[0].loc, ['path', 'phone_id']);
    const badDelete = await api().request('DELETE', '/v1/phone/not-a-uuid');
    assert.deepEqual(badDelete.body.detail[0].loc, ['path', 'id']);
  });

  it('lists numbers with pagination and every filter', async () => {
    const { agentId, v1 } = await createAgent(api());
    const a = await importNumber(api());
    const b = await importNumber(api());
    const c = await importNumber(api());
    assert.equal((await api().request('PATCH', `/v1/phone/${a.id}`, { body: { inbound_version_id: v1 } })).status, 200);
    assert.equal((await api().request('PATCH', `/v1/phone/${b.id}`, { body: { outbound_version_id: v1 } })).status, 200);

    const all = await api().request('GET', '/v1/phone/');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.data.slice(0, 3).map((p: any) => p.id), [c.id, b.id, a.id]);
    for (const p of all.body.data) assert.deepEqual(matchesContract(p), []);

    const inbound = await api().request('GET', `/v1/phone/?inbound_agent_id=${agentId}`);
    assert.deepEqual(inbound.body.data.map((p: any) => p.id), [a.id]);
    const outbound = await api().request('GET', `/v1/phone/?outbound_agent_id=${agentId}`);
    assert.deepEqual(outbound.body.data.map((p: any) => p.id), [b.id]);
    const assigned = await api().request('GET', '/v1/phone/?status=assigned&limit=100');
    assert.ok(assigned.body.data.length >= 3);
    assert.deepEqual((await api().request('GET', '/v1/phone/?status=released')).body.data, []);

    const start = encodeURIComponent(a.assigned_at);
    const end = encodeURIComponent(b.assigned_at);
    const window = await api().request('GET', `/v1/phone/?start_assigned_at=${start}&end_assigned_at=${end}&order=asc`);
    // c may share b's millisecond; the window is inclusive, so it then belongs in it too.
    const inWindow = [a, b, c].filter((p) => p.assigned_at >= a.assigned_at && p.assigned_at <= b.assigned_at);
    assert.deepEqual(window.body.data.map((p: any) => p.id), inWindow.map((p) => p.id));
    const future = await api().request('GET', '/v1/phone/?start_assigned_at=2999-01-01T00:00:00Z');
    assert.deepEqual(future.body.data, []);
    // A start given with an offset is the same instant as its UTC form.
    const past = await api().request('GET', `/v1/phone/?end_assigned_at=${encodeURIComponent('2000-01-01T02:00:00+02:00')}`);
    assert.deepEqual(past.body.data, []);

    const first = await api().request('GET', '/v1/phone/?limit=2&order=asc');
    assert.equal(first.body.data.length, 2);
    assert.equal(first.body.has_more, true);
    const next = await api().request('GET', `/v1/phone/?limit=2&order=asc&after=${first.body.last_id}`);
    assert.notEqual(next.body.data[0].id, first.body.data[1].id);
    const page2 = await api().request('GET', '/v1/phone/?limit=2&order=asc&page=2');
    assert.deepEqual(page2.body.data.map((p: any) => p.id), next.body.data.map((p: any) => p.id));

    const others = await api().request('GET', '/v1/phone/', { key: api().other.key });
    assert.ok(others.body.data.every((p: any) => ![a.id, b.id, c.id].includes(p.id)));
  });

  it('rejects bad list parameters (400 NOT_VALID_FIELD, 422)', async () => {
    const reversed = await api().request('GET', '/v1/phone/?start_assigned_at=2026-02-01T00:00:00Z&end_assigned_at=2026-01-01T00:00:00Z');
    assert.equal(reversed.status, 400);
    assert.equal(reversed.body.error_code, 'NOT_VALID_FIELD');
    const cursors = await api().request('GET', `/v1/phone/?after=${MISSING}&before=${MISSING}`);
    assert.equal(cursors.status, 422);
    assert.equal(cursors.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
    const status = await api().request('GET', '/v1/phone/?status=sold');
    assert.equal(status.status, 422);
    assert.deepEqual(status.body.detail[0].loc, ['query', 'status']);
    const limit = await api().request('GET', '/v1/phone/?limit=101');
    assert.equal(limit.status, 422);
    const date = await api().request('GET', '/v1/phone/?start_assigned_at=yesterday');
    assert.equal(date.status, 422);
    assert.deepEqual(date.body.detail[0].loc, ['query', 'start_assigned_at']);
  });

  it('renames a number and clears its nickname', async () => {
    const phone = await importNumber(api(), { nickname: 'Old' });
    const renamed = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { nickname: 'Ventas' } });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.nickname, 'Ventas');
    assert.deepEqual(renamed.body.sip_config, phone.sip_config);
    const untouched = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: {} });
    assert.equal(untouched.body.nickname, 'Ventas');
    const cleared = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { nickname: null } });
    assert.equal(cleared.body.nickname, null);
    // JSON types are not coerced: a number is not a nickname, and null stays null.
    const number = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { nickname: 5 } });
    assert.equal(number.status, 422);
    assert.deepEqual(number.body.detail[0].loc, ['body', 'nickname']);
    const nul = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { nickname: 'a\u0000' } });
    assert.equal(nul.status, 422);
    assert.deepEqual(nul.body.detail[0].loc, ['body', 'nickname']);
    const bad = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { inbound_version_id: 'v1' } });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.detail[0].loc, ['body', 'inbound_version_id']);
  });

  it('assigning a version publishes it and routes the number to its agent', async () => {
    const { agentId, v1, draftId, agents } = await createAgent(api());
    const phone = await importNumber(api());
    const r = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { inbound_version_id: v1, outbound_version_id: v1 } });
    assert.equal(r.status, 200, r.raw);
    assert.equal(r.body.inbound_agent_id, agentId);
    assert.equal(r.body.outbound_agent_id, agentId);
    assert.equal((await agents.getAgent(api().projectId, agentId))!.published_version_id, v1);

    // Only this number serves the agent, so a new version may replace the published one;
    // assigning the draft launches it as a new numbered version first.
    const again = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { inbound_version_id: draftId, outbound_version_id: draftId } });
    assert.equal(again.status, 200, again.raw);
    const published = (await agents.getAgent(api().projectId, agentId))!.published_version_id!;
    assert.notEqual(published, v1);
    assert.notEqual(published, draftId);
    assert.equal((await agents.findVersion(api().projectId, published))!.version_number, 2);

    const unbound = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { inbound_version_id: null } });
    assert.equal(unbound.body.inbound_agent_id, null);
    assert.equal(unbound.body.outbound_agent_id, agentId);
  });

  it('refuses (409) a second published version of an agent that serves another number', async () => {
    const { agentId, v1, agents } = await createAgent(api());
    const v2 = (await agents.launchVersion(api().projectId, agentId, 'v2'))!.version.id;
    const first = await importNumber(api());
    const second = await importNumber(api());
    assert.equal((await api().request('PATCH', `/v1/phone/${first.id}`, { body: { inbound_version_id: v1 } })).status, 200);

    const conflict = await api().request('PATCH', `/v1/phone/${second.id}`, { body: { outbound_version_id: v2, nickname: 'x' } });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.error_code, 'BAD_PARAMETER');
    const secondNow = await api().request('GET', `/v1/phone/${second.id}`);
    assert.equal(secondNow.body.outbound_agent_id, null);
    assert.equal(secondNow.body.nickname, null);
    assert.equal((await agents.getAgent(api().projectId, agentId))!.published_version_id, v1);

    const sameVersion = await api().request('PATCH', `/v1/phone/${second.id}`, { body: { outbound_version_id: v1 } });
    assert.equal(sameVersion.status, 200);
    assert.equal(sameVersion.body.outbound_agent_id, agentId);

    const mixed = await api().request('PATCH', `/v1/phone/${second.id}`, { body: { inbound_version_id: v1, outbound_version_id: v2 } });
    assert.equal(mixed.status, 409);
  });

  it('answers 404 AGENT_NOT_FOUND for unknown versions and other projects’ versions', async () => {
    const phone = await importNumber(api());
    const unknown = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { inbound_version_id: MISSING, nickname: 'kept?' } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error_code, 'AGENT_NOT_FOUND');
    assert.equal((await api().request('GET', `/v1/phone/${phone.id}`)).body.nickname, null);
    const foreign = await createAgent(api(), api().other.projectId);
    const theirs = await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { outbound_version_id: foreign.v1 } });
    assert.equal(theirs.status, 404);
    assert.equal(theirs.body.error_code, 'AGENT_NOT_FOUND');
  });

  it('updates only the given SIP fields and keeps the password unless a new one is given', async () => {
    const phone = await importNumber(api(), {
      inbound_config: { allowed_addresses: ['10.0.0.1'] },
      outbound_config: { termination_uri: 'old.example.com', username: 'u1', password: 'first-pass' },
    });
    const repo = new PhoneRepository(api().store.db);
    const sealed = async () => (await repo.get(api().projectId, phone.id))!.sip_password_encrypted;
    const firstSealed = await sealed();

    const r = await api().request('PATCH', `/v1/phone/${phone.id}/sip-config`, { body: { outbound_config: { termination_uri: 'new.example.com:5080' } } });
    assert.equal(r.status, 200, r.raw);
    assert.deepEqual(r.body.sip_config, {
      termination_uri: 'new.example.com:5080', username: 'u1', inbound_media_encryption: 'allow', outbound_media_encryption: 'allow',
      allowed_addresses: ['10.0.0.1'],
    });
    assert.equal(await sealed(), firstSealed);

    const nulls = await api().request('PATCH', `/v1/phone/${phone.id}/sip-config`, {
      body: { inbound_config: { media_encryption: null }, outbound_config: { password: null, media_encryption: 'require' } },
    });
    assert.equal(nulls.status, 200);
    assert.equal(nulls.body.sip_config.outbound_media_encryption, 'require');
    assert.equal(nulls.body.sip_config.inbound_media_encryption, 'allow');
    assert.equal(await sealed(), firstSealed);

    const newPass = await api().request('PATCH', `/v1/phone/${phone.id}/sip-config`, { body: { outbound_config: { password: 'second-pass', username: null } } });
    assert.equal(newPass.status, 200);
    assert.ok(!newPass.raw.includes('second-pass'));
    assert.equal(newPass.body.sip_config.username, null);
    assert.equal(api().deps.secretBox.open((await sealed())!), 'second-pass');

    const cleared = await api().request('PATCH', `/v1/phone/${phone.id}/sip-config`, {
      body: { inbound_config: { allowed_addresses: null, media_encryption: 'disable' }, outbound_config: { password: '' } },
    });
    assert.equal(cleared.body.sip_config.allowed_addresses, null);
    assert.equal(cleared.body.sip_config.inbound_media_encryption, 'disable');
    assert.equal(await sealed(), null);

    const empty = await api().request('PATCH', `/v1/phone/${phone.id}/sip-config`, { body: { inbound_config: null, outbound_config: null } });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body.sip_config, cleared.body.sip_config);
  });

  it('gives an inbound-only number outbound calls only with a termination_uri', async () => {
    const phone = await importNumber(api());
    const repo = new PhoneRepository(api().store.db);
    const noUri = await api().request('PATCH', `/v1/phone/${phone.id}/sip-config`, { body: { outbound_config: { username: 'u' } } });
    assert.equal(noUri.status, 422);
    assert.deepEqual(noUri.body.detail[0].loc, ['body', 'outbound_config', 'termination_uri']);
    assert.equal((await repo.get(api().projectId, phone.id))!.has_outbound_config, false);
    const ok = await api().request('PATCH', `/v1/phone/${phone.id}/sip-config`, { body: { outbound_config: { termination_uri: 'pbx.example.org', username: 'u' } } });
    assert.equal(ok.status, 200);
    assert.equal((await repo.get(api().projectId, phone.id))!.has_outbound_config, true);
  });

  it('validates sip-config updates (422) and refuses purchased numbers (400)', async () => {
    const phone = await importNumber(api());
    const cases: [unknown, (string | number)[]][] = [
      [{ outbound_config: { termination_uri: 'sip:x.example.com' } }, ['body', 'outbound_config', 'termination_uri']],
      [{ inbound_config: { allowed_addresses: ['1.2.3.4/40'] } }, ['body', 'inbound_config', 'allowed_addresses', 0]],
      [{ inbound_config: { media_encryption: 'always' } }, ['body', 'inbound_config', 'media_encryption']],
      [{ outbound_config: { username: 'x\u0000' } }, ['body', 'outbound_config', 'username']],
    ];
    for (const [body, loc] of cases) {
      const r = await api().request('PATCH', `/v1/phone/${phone.id}/sip-config`, { body });
      assert.equal(r.status, 422, JSON.stringify(body));
      assert.deepEqual(r.body.detail[0].loc, loc);
    }
    assert.equal((await api().request('PATCH', `/v1/phone/${MISSING}/sip-config`, { body: {} })).status, 404);
    const purchased = await insertPurchased(api(), 'assigned');
    const refused = await api().request('PATCH', `/v1/phone/${purchased}/sip-config`, { body: { inbound_config: { media_encryption: 'require' } } });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error_code, 'BAD_PARAMETER');
    const shown = await api().request('GET', `/v1/phone/${purchased}`);
    assert.equal(shown.body.sip_config, null);
    assert.equal(shown.body.telephony_provider, 'netelip');
  });

  it('deletes an imported number at once and unpublishes agents left without numbers', async () => {
    const lonely = await createAgent(api());
    const shared = await createAgent(api());
    const phone = await importNumber(api());
    const other = await importNumber(api());
    await api().request('PATCH', `/v1/phone/${phone.id}`, { body: { inbound_version_id: lonely.v1, outbound_version_id: shared.v1 } });
    await api().request('PATCH', `/v1/phone/${other.id}`, { body: { inbound_version_id: shared.v1 } });

    const deleted = await api().request('DELETE', `/v1/phone/${phone.id}`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.raw, '');
    assert.equal((await api().request('GET', `/v1/phone/${phone.id}`)).status, 404);
    assert.equal((await lonely.agents.getAgent(api().projectId, lonely.agentId))!.published_version_id, null);
    assert.equal((await shared.agents.getAgent(api().projectId, shared.agentId))!.published_version_id, shared.v1);
    assert.equal((await api().request('GET', `/v1/phone/${other.id}`)).body.inbound_agent_id, shared.agentId);

    // The number can be imported again once deleted.
    const again = await api().request('POST', '/v1/phone/import', { body: { phone_number: phone.number } });
    assert.equal(again.status, 200);
    assert.equal((await api().request('DELETE', `/v1/phone/${phone.id}`)).status, 404);
    assert.equal((await api().request('DELETE', `/v1/phone/${MISSING}`)).body.error_code, 'PHONE_NUMBER_NOT_FOUND');
  });

  it('schedules purchased numbers for release at the end of the cycle and keeps reserved ones', async () => {
    const assigned = await insertPurchased(api(), 'assigned');
    const r = await api().request('DELETE', `/v1/phone/${assigned}`);
    assert.equal(r.status, 204);
    const shown = await api().request('GET', `/v1/phone/${assigned}`);
    assert.equal(shown.body.status, 'assigned');
    assert.ok(Date.parse(shown.body.scheduled_release_at) > Date.now());
    assert.equal(new Date(shown.body.scheduled_release_at).getUTCHours(), 10);
    const twice = await api().request('DELETE', `/v1/phone/${assigned}`);
    assert.equal(twice.status, 204);
    assert.equal((await api().request('GET', `/v1/phone/${assigned}`)).body.scheduled_release_at, shown.body.scheduled_release_at);

    const reserved = await insertPurchased(api(), 'reserved');
    const refused = await api().request('DELETE', `/v1/phone/${reserved}`);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error_code, 'BAD_PARAMETER');
    assert.equal((await api().request('GET', `/v1/phone/${reserved}`)).status, 200);
  });

  it('needs a valid key (401) with the phone permissions (403)', async () => {
    const none = await api().request('GET', '/v1/phone/', { key: null });
    assert.equal(none.status, 401);
    assert.equal(none.body.error_code, 'UNAUTHORIZED');
    const noneImport = await api().request('POST', '/v1/phone/import', { key: null, body: { phone_number: 'x' } });
    assert.equal(noneImport.status, 401);
    assert.equal((await api().request('GET', `/v1/phone/${MISSING}`, { key: 'hbl_nope' })).body.error_code, 'INVALID_API_KEY');

    const phone = await importNumber(api());
    const viewer = await api().restrictedKey(['phones.view']);
    assert.equal((await api().request('GET', '/v1/phone/', { key: viewer })).status, 200);
    assert.equal((await api().request('GET', `/v1/phone/${phone.id}`, { key: viewer })).status, 200);
    const denied: [string, string, unknown][] = [
      ['POST', '/v1/phone/import', { phone_number: freshNumber().e164 }],
      ['PATCH', `/v1/phone/${phone.id}`, { nickname: 'x' }],
      ['PATCH', `/v1/phone/${phone.id}/sip-config`, {}],
      ['DELETE', `/v1/phone/${phone.id}`, undefined],
    ];
    for (const [method, url, body] of denied) {
      const r = await api().request(method, url, { key: viewer, body });
      assert.equal(r.status, 403, `${method} ${url}`);
      assert.equal(r.body.error_code, 'MISSING_PERMISSIONS');
    }
    const importer = await api().restrictedKey(['phones.import']);
    assert.equal((await api().request('GET', '/v1/phone/', { key: importer })).status, 403);
    assert.equal((await api().request('POST', '/v1/phone/import', { key: importer, body: { phone_number: freshNumber().e164 } })).status, 200);
  });
});
