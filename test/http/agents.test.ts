import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ApiKeyRepository } from '../../src/store/repositories/api-keys.ts';
import { PhoneRepository } from '../../src/store/repositories/phones.ts';
import { ProjectRepository } from '../../src/store/repositories/projects.ts';
import { VoiceFavouriteRepository } from '../../src/store/repositories/voice-favourites.ts';
import { describeEachDatabase, type TestApi } from '../helpers/app.ts';
import { contractValidator } from '../helpers/contract.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';
const agentMatchesContract = contractValidator('AgentResponseSchema');

/** `espeak` is Habla's provider extension; everything else must match the contract schema. */
function contractErrors(body: any): string[] {
  return agentMatchesContract({ ...body, voice: { ...body.voice, provider: 'gemini' } });
}

function spanishVoice(api: TestApi): string {
  const voice = api.deps.voices.list().find((v) => v.provider_voice_id === 'es');
  assert.ok(voice, 'the espeak Spanish voice must be installed');
  return voice.id;
}

async function createAgent(api: TestApi, body: Record<string, unknown> = {}, query = ''): Promise<any> {
  const r = await api.request('POST', `/v1/agent/${query}`, {
    body: { voice_id: spanishVoice(api), language: 'es', name: 'Recepción', prompt: 'Eres la recepcionista.', ...body },
  });
  assert.equal(r.status, 201, r.raw);
  return r.body;
}

async function addPhone(api: TestApi, projectId: string, number: string): Promise<string> {
  const phone = await new PhoneRepository(api.store.db).createCustom(projectId, {
    number, nickname: null, inboundMediaEncryption: 'allow', allowedAddresses: null, outbound: null,
  });
  return phone.id;
}

describeEachDatabase('agents API', (api) => {
  it('creates an agent as v1 plus a draft, with contract defaults and the embedded voice', async () => {
    const created = await createAgent(api(), { version_name: 'Primera' });
    assert.deepEqual(contractErrors(created), []);
    assert.equal(created.version_number, 1);
    assert.equal(created.version_name, 'Primera');
    assert.equal(created.is_draft, false);
    assert.equal(created.is_published, false);
    assert.equal(created.name, 'Recepción');
    assert.equal(created.volume, 50);
    assert.equal(created.max_reminder_count, 3);
    assert.equal(created.reminder_frequency_ms, 7500);
    assert.deepEqual(created.reminder_messages, []);
    assert.deepEqual(created.call_tools, []);
    assert.deepEqual(created.dynamic_variables, {});
    assert.equal(created.mode, 'free');
    assert.equal(created.source_template_id, null);
    assert.deepEqual(
      { id: created.voice.id, provider: created.voice.provider, provider_voice_id: created.voice.provider_voice_id, is_favourite: created.voice.is_favourite },
      { id: spanishVoice(api()), provider: 'espeak', provider_voice_id: 'es', is_favourite: false },
    );

    const draft = await api().request('GET', `/v1/agent/${created.agent_id}`);
    assert.equal(draft.status, 200);
    assert.deepEqual(contractErrors(draft.body), []);
    assert.equal(draft.body.is_draft, true);
    assert.equal(draft.body.version_number, 0);
    assert.notEqual(draft.body.version_id, created.version_id);
    assert.equal(draft.body.prompt, 'Eres la recepcionista.');

    const versions = await api().request('GET', `/v1/agent/${created.agent_id}/version`);
    assert.equal(versions.status, 200);
    assert.deepEqual(versions.body.data.map((v: any) => [v.version_number, v.is_draft]), [[1, false], [0, true]]);
  });

  it('creates only a draft with is_draft=true', async () => {
    const created = await createAgent(api(), {}, '?is_draft=true');
    assert.equal(created.is_draft, true);
    assert.equal(created.version_number, 0);
    const versions = await api().request('GET', `/v1/agent/${created.agent_id}/version`);
    assert.deepEqual(versions.body.data.map((v: any) => v.version_id), [created.version_id]);
  });

  it('updates the draft only; launched versions are snapshots', async () => {
    const v1 = await createAgent(api());
    const patched = await api().request('PATCH', `/v1/agent/${v1.agent_id}`, {
      body: {
        prompt: 'Nuevo prompt',
        volume: 80,
        greeting: null,
        call_tools: [
          { type: 'transfer_call', name: 'Transferir a dueño', phone_number: '+34600112233' },
          { type: 'hang_up', name: 'end_call' },
        ],
        dynamic_variables: { clinica: 'Dental Sol' },
      },
    });
    assert.equal(patched.status, 200, patched.raw);
    assert.deepEqual(contractErrors(patched.body), []);
    assert.equal(patched.body.is_draft, true);
    assert.equal(patched.body.prompt, 'Nuevo prompt');
    assert.equal(patched.body.volume, 80);
    assert.equal(patched.body.name, 'Recepción', 'fields not sent are kept');
    assert.deepEqual(patched.body.call_tools, [
      { type: 'transfer_call', name: 'Transferir_a_dueno', target_number: '+34600112233', transfer_type: 'transfer' },
      { type: 'hang_up', name: 'end_call' },
    ]);
    assert.deepEqual(patched.body.dynamic_variables, { clinica: 'Dental Sol' });

    const snapshot = await api().request('GET', `/v1/agent/${v1.agent_id}?version_id=${v1.version_id}`);
    assert.equal(snapshot.status, 200);
    assert.equal(snapshot.body.prompt, 'Eres la recepcionista.');
    assert.equal(snapshot.body.volume, 50);

    const replaced = await api().request('PATCH', `/v1/agent/${v1.agent_id}`, { body: { call_tools: [{ type: 'detect_answering_machine', name: 'amd' }] } });
    assert.deepEqual(replaced.body.call_tools, [{ type: 'detect_answering_machine', name: 'amd' }], 'lists are replaced wholesale');
  });

  it('numbers versions from one counter and never reuses a number', async () => {
    const v1 = await createAgent(api());
    const launch = (name: string | null) => api().request('POST', `/v1/agent/${v1.agent_id}/version`, { body: { version_name: name } });
    const v2 = await launch('dos');
    assert.equal(v2.status, 201);
    assert.deepEqual(contractErrors(v2.body), []);
    assert.deepEqual([v2.body.version_number, v2.body.version_name, v2.body.is_draft], [2, 'dos', false]);
    const v3 = await launch(null);
    assert.equal(v3.body.version_number, 3);
    const deleted = await api().request('DELETE', `/v1/agent/${v1.agent_id}/version/${v3.body.version_id}`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.raw, '');
    const v4 = await launch(null);
    assert.equal(v4.body.version_number, 4);
    const gone = await api().request('GET', `/v1/agent/${v1.agent_id}?version_id=${v3.body.version_id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error_code, 'AGENT_NOT_FOUND');
  });

  it('gives concurrent launches distinct version numbers', async () => {
    const agent = await createAgent(api(), {}, '?is_draft=true');
    const launches = await Promise.all(
      Array.from({ length: 6 }, () => api().request('POST', `/v1/agent/${agent.agent_id}/version`, { body: {} })),
    );
    assert.ok(launches.every((r) => r.status === 201));
    assert.deepEqual(launches.map((r) => r.body.version_number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
  });

  it('publishes one version at a time, publishing the draft launches it, null unpublishes', async () => {
    const v1 = await createAgent(api());
    const v2 = (await api().request('POST', `/v1/agent/${v1.agent_id}/version`, { body: {} })).body;
    const publish = (body: unknown) => api().request('PATCH', `/v1/agent/${v1.agent_id}/published_version`, { body });

    const first = await publish({ version_id: v1.version_id });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { agent_id: v1.agent_id, published_version_id: v1.version_id, inbound_phone_number_id: null, outbound_phone_number_id: null });
    const live = await api().request('GET', `/v1/agent/${v1.agent_id}?is_published=true`);
    assert.equal(live.body.version_id, v1.version_id);
    assert.equal(live.body.is_published, true);

    await publish({ version_id: v2.version_id });
    const versions = await api().request('GET', `/v1/agent/${v1.agent_id}/version`);
    const published = versions.body.data.filter((v: any) => v.is_published).map((v: any) => v.version_id);
    assert.deepEqual(published, [v2.version_id], 'publishing another version unpublishes the previous one');
    const onlyPublished = await api().request('GET', `/v1/agent/${v1.agent_id}/version?is_published=true`);
    assert.deepEqual(onlyPublished.body.data.map((v: any) => v.version_id), [v2.version_id]);

    const draft = await api().request('GET', `/v1/agent/${v1.agent_id}`);
    const fromDraft = await publish({ version_id: draft.body.version_id });
    assert.equal(fromDraft.status, 200);
    assert.notEqual(fromDraft.body.published_version_id, draft.body.version_id, 'the draft stays a draft');
    const v3 = await api().request('GET', `/v1/agent/${v1.agent_id}?is_published=true`);
    assert.deepEqual([v3.body.version_number, v3.body.is_draft], [3, false]);

    const unpublished = await publish({ version_id: null });
    assert.equal(unpublished.body.published_version_id, null);
    const none = await api().request('GET', `/v1/agent/${v1.agent_id}?is_published=true`);
    assert.equal(none.status, 404);
    assert.equal(none.body.error_code, 'AGENT_NOT_FOUND');
  });

  it('binds phone numbers when publishing and releases them when unpublishing', async () => {
    const agent = await createAgent(api());
    const inbound = await addPhone(api(), api().projectId, '+34910000001');
    const outbound = await addPhone(api(), api().projectId, '+34910000002');
    const publish = (body: unknown) => api().request('PATCH', `/v1/agent/${agent.agent_id}/published_version`, { body });
    const phones = new PhoneRepository(api().store.db);

    const bound = await publish({ version_id: agent.version_id, inbound_phone_number_id: inbound, outbound_phone_number_id: outbound });
    assert.equal(bound.status, 200, bound.raw);
    assert.deepEqual(bound.body, { agent_id: agent.agent_id, published_version_id: agent.version_id, inbound_phone_number_id: inbound, outbound_phone_number_id: outbound });
    assert.equal((await phones.get(api().projectId, inbound))?.inbound_agent_id, agent.agent_id);
    assert.equal((await phones.get(api().projectId, outbound))?.outbound_agent_id, agent.agent_id);

    // Without version_id the published version is kept and only the numbers change.
    const rebound = await publish({ outbound_phone_number_id: null });
    assert.deepEqual(rebound.body, { agent_id: agent.agent_id, published_version_id: agent.version_id, inbound_phone_number_id: inbound, outbound_phone_number_id: null });
    assert.equal((await phones.get(api().projectId, outbound))?.outbound_agent_id, null);

    const cleared = await publish({ version_id: null });
    assert.deepEqual(cleared.body, { agent_id: agent.agent_id, published_version_id: null, inbound_phone_number_id: null, outbound_phone_number_id: null });
    assert.equal((await phones.get(api().projectId, inbound))?.inbound_agent_id, null);
  });

  it('rejects publishing an unknown version, unknown or foreign numbers and a missing version', async () => {
    const agent = await createAgent(api(), {}, '?is_draft=true');
    const other = await createAgent(api());
    const foreignPhone = await addPhone(api(), api().other.projectId, '+34910000003');
    const publish = (body: unknown) => api().request('PATCH', `/v1/agent/${agent.agent_id}/published_version`, { body });

    const noVersion = await publish({});
    assert.deepEqual([noVersion.status, noVersion.body.error_code], [400, 'BAD_PARAMETER']);
    const otherAgentsVersion = await publish({ version_id: other.version_id });
    assert.deepEqual([otherAgentsVersion.status, otherAgentsVersion.body.error_code], [400, 'BAD_PARAMETER']);
    const unknownPhone = await publish({ version_id: agent.version_id, inbound_phone_number_id: MISSING });
    assert.deepEqual([unknownPhone.status, unknownPhone.body.error_code], [404, 'PHONE_NUMBER_NOT_FOUND']);
    const foreign = await publish({ version_id: agent.version_id, outbound_phone_number_id: foreignPhone });
    assert.deepEqual([foreign.status, foreign.body.error_code], [404, 'PHONE_NUMBER_NOT_FOUND']);
    const still = await api().request('GET', `/v1/agent/${agent.agent_id}?is_published=true`);
    assert.equal(still.status, 404, 'a failed publish changes nothing');
    const bindOnUnpublish = await publish({ version_id: null, inbound_phone_number_id: MISSING });
    assert.deepEqual([bindOnUnpublish.status, bindOnUnpublish.body.error_code], [400, 'BAD_PARAMETER']);
    const badBody = await publish({ version_id: 'nope' });
    assert.equal(badBody.status, 422);
    assert.deepEqual(badBody.body.detail[0].loc, ['body', 'version_id']);
  });

  it('refuses to delete a published agent, the published version or the draft (409)', async () => {
    const agent = await createAgent(api());
    const draft = (await api().request('GET', `/v1/agent/${agent.agent_id}`)).body;
    await api().request('PATCH', `/v1/agent/${agent.agent_id}/published_version`, { body: { version_id: agent.version_id } });

    const agentDelete = await api().request('DELETE', `/v1/agent/${agent.agent_id}`);
    assert.deepEqual([agentDelete.status, agentDelete.body.error_code], [409, 'PUBLISHED_AGENT_VERSION_DELETION']);
    const publishedDelete = await api().request('DELETE', `/v1/agent/${agent.agent_id}/version/${agent.version_id}`);
    assert.deepEqual([publishedDelete.status, publishedDelete.body.error_code], [409, 'PUBLISHED_AGENT_VERSION_DELETION']);
    const draftDelete = await api().request('DELETE', `/v1/agent/${agent.agent_id}/version/${draft.version_id}`);
    assert.deepEqual([draftDelete.status, draftDelete.body.error_code], [409, 'PUBLISHED_AGENT_VERSION_DELETION']);
    const unknownVersion = await api().request('DELETE', `/v1/agent/${agent.agent_id}/version/${MISSING}`);
    assert.deepEqual([unknownVersion.status, unknownVersion.body.error_code], [404, 'AGENT_NOT_FOUND']);

    await api().request('PATCH', `/v1/agent/${agent.agent_id}/published_version`, { body: { version_id: null } });
    const deleted = await api().request('DELETE', `/v1/agent/${agent.agent_id}`);
    assert.equal(deleted.status, 204);
    const gone = await api().request('GET', `/v1/agent/${agent.agent_id}`);
    assert.deepEqual(gone.body, { status: 'error', error_code: 'AGENT_NOT_FOUND', message: `Agent ${agent.agent_id} not found` });
    const again = await api().request('DELETE', `/v1/agent/${agent.agent_id}`);
    assert.equal(again.status, 404);
  });

  it('lists drafts by default, published versions on request, filtered by mode and paged', async () => {
    const fresh = await freshProjectKey(api());
    const mk = async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 3)); // distinct created_at, so the order is known
      const r = await api().request('POST', '/v1/agent/', { key: fresh, body: { voice_id: spanishVoice(api()), language: 'es', name: `A${n}` } });
      return r.body;
    };
    const agents = [await mk(1), await mk(2), await mk(3)];
    await api().request('PATCH', `/v1/agent/${agents[1].agent_id}/published_version`, { key: fresh, body: { version_id: agents[1].version_id } });

    const drafts = await api().request('GET', '/v1/agent/?order=asc', { key: fresh });
    assert.equal(drafts.status, 200);
    assert.deepEqual(drafts.body.data.map((a: any) => [a.name, a.is_draft]), [['A1', true], ['A2', true], ['A3', true]]);
    drafts.body.data.forEach((a: any) => assert.deepEqual(contractErrors(a), []));

    const published = await api().request('GET', '/v1/agent/?is_published=true', { key: fresh });
    assert.deepEqual(published.body.data.map((a: any) => [a.agent_id, a.version_id, a.is_published]), [[agents[1].agent_id, agents[1].version_id, true]]);

    assert.equal((await api().request('GET', '/v1/agent/?mode=free', { key: fresh })).body.data.length, 3);
    assert.equal((await api().request('GET', '/v1/agent/?mode=path', { key: fresh })).body.data.length, 0);

    const first = await api().request('GET', '/v1/agent/?limit=2&order=asc', { key: fresh });
    assert.deepEqual([first.body.data.length, first.body.has_more, first.body.total_pages], [2, true, 2]);
    assert.equal(first.body.first_id, agents[0].agent_id);
    const next = await api().request('GET', `/v1/agent/?limit=2&order=asc&after=${first.body.last_id}`, { key: fresh });
    assert.deepEqual(next.body.data.map((a: any) => a.name), ['A3']);
    const page2 = await api().request('GET', '/v1/agent/?limit=2&order=asc&page=2', { key: fresh });
    assert.deepEqual(page2.body.data.map((a: any) => a.name), ['A3']);

    const both = await api().request('GET', `/v1/agent/?after=${MISSING}&before=${MISSING}`, { key: fresh });
    assert.deepEqual([both.status, both.body.error_code], [422, 'INVALID_PAGINATION_PARAMETERS']);
    const badMode = await api().request('GET', '/v1/agent/?mode=graph', { key: fresh });
    assert.equal(badMode.status, 422);
    assert.deepEqual(badMode.body.detail[0].loc, ['query', 'mode']);
    const tooMany = await api().request('GET', '/v1/agent/?limit=101', { key: fresh });
    assert.equal(tooMany.status, 422);
  });

  it('lists every agent with its versions for the dashboard dropdown', async () => {
    const fresh = await freshProjectKey(api());
    const created = await api().request('POST', '/v1/agent/', { key: fresh, body: { voice_id: spanishVoice(api()), language: 'es', name: 'Citas' } });
    await api().request('PATCH', `/v1/agent/${created.body.agent_id}/published_version`, { key: fresh, body: { version_id: created.body.version_id } });
    const dropdown = await api().request('GET', '/v1/agent/versions-dropdown/dashboard', { key: fresh });
    assert.equal(dropdown.status, 200);
    assert.equal(dropdown.body.length, 1);
    assert.equal(dropdown.body[0].agent_id, created.body.agent_id);
    assert.equal(dropdown.body[0].name, 'Citas');
    assert.deepEqual(
      dropdown.body[0].versions.map((v: any) => [v.version_number, v.is_published, v.is_draft]),
      [[1, true, false], [0, false, true]],
    );
    assert.deepEqual(contractValidator('AgentWithVersionsDropdownResponse')(dropdown.body[0]), []);
  });

  it('shows whether the agent voice is a favourite of the project', async () => {
    const fresh = await freshProjectKey(api());
    const projectId = (await api().request('POST', '/v1/agent/', { key: fresh, body: { voice_id: spanishVoice(api()), language: 'es' } })).body.agent_id;
    await new VoiceFavouriteRepository(api().store.db).add(await projectOfKey(api(), fresh), spanishVoice(api()));
    const r = await api().request('GET', `/v1/agent/${projectId}`, { key: fresh });
    assert.equal(r.body.voice.is_favourite, true);
  });

  it('duplicates an agent as a draft, within the project and into a project the profile belongs to', async () => {
    const source = await createAgent(api(), { name: 'Original', prompt: 'v1 prompt' });
    await api().request('PATCH', `/v1/agent/${source.agent_id}`, { body: { prompt: 'draft prompt' } });

    const copy = await api().request('POST', `/v1/agent/${source.agent_id}/duplicate`, { body: { target_project_id: api().projectId } });
    assert.equal(copy.status, 201, copy.raw);
    assert.deepEqual(contractErrors(copy.body), []);
    assert.notEqual(copy.body.agent_id, source.agent_id);
    assert.deepEqual([copy.body.name, copy.body.prompt, copy.body.is_draft, copy.body.is_published], ['Original (copy)', 'draft prompt', true, false]);

    const fromV1 = await api().request('POST', `/v1/agent/${source.agent_id}/duplicate`, {
      body: { target_project_id: api().projectId, source_version_id: source.version_id, name: 'Desde v1' },
    });
    assert.deepEqual([fromV1.body.name, fromV1.body.prompt], ['Desde v1', 'v1 prompt']);

    const projects = new ProjectRepository(api().store.db);
    const sibling = await projects.create(api().profileId, 'Sibling', null);
    const across = await api().request('POST', `/v1/agent/${source.agent_id}/duplicate`, { body: { target_project_id: sibling.id } });
    assert.equal(across.status, 201);
    const siblingKey = (await new ApiKeyRepository(api().store.db).create({
      projectId: sibling.id, creatorId: api().profileId, name: 'sibling', restricted: false, permissions: null, expiryDate: null,
    })).value;
    const seen = await api().request('GET', `/v1/agent/${across.body.agent_id}`, { key: siblingKey });
    assert.equal(seen.status, 200);
    assert.equal(seen.body.is_draft, true);
    const notHere = await api().request('GET', `/v1/agent/${across.body.agent_id}`);
    assert.equal(notHere.status, 404, 'the copy lives in the target project only');
  });

  it('refuses duplicating into a foreign project (404), as a reader (403), or from an unknown version (404)', async () => {
    const source = await createAgent(api());
    const foreign = await api().request('POST', `/v1/agent/${source.agent_id}/duplicate`, { body: { target_project_id: api().other.projectId } });
    assert.deepEqual([foreign.status, foreign.body.error_code], [404, 'PROJECT_NOT_FOUND']);
    const unknown = await api().request('POST', `/v1/agent/${source.agent_id}/duplicate`, { body: { target_project_id: MISSING } });
    assert.deepEqual([unknown.status, unknown.body.error_code], [404, 'PROJECT_NOT_FOUND']);

    const projects = new ProjectRepository(api().store.db);
    const ownerProfile = await projects.createProfile('Owner');
    const readOnly = await projects.create(ownerProfile, 'Read only', null);
    await api().store.db.insertInto('project_members')
      .values({ project_id: readOnly.id, profile_id: api().profileId, role: 'reader', created_date: new Date().toISOString() }).execute();
    const reader = await api().request('POST', `/v1/agent/${source.agent_id}/duplicate`, { body: { target_project_id: readOnly.id } });
    assert.deepEqual([reader.status, reader.body.error_code], [403, 'MISSING_PERMISSIONS']);

    const badVersion = await api().request('POST', `/v1/agent/${source.agent_id}/duplicate`, {
      body: { target_project_id: api().projectId, source_version_id: MISSING },
    });
    assert.deepEqual([badVersion.status, badVersion.body.error_code], [404, 'AGENT_NOT_FOUND']);
    const missingTarget = await api().request('POST', `/v1/agent/${source.agent_id}/duplicate`, { body: {} });
    assert.equal(missingTarget.status, 422);
    assert.deepEqual(missingTarget.body.detail, [{ loc: ['body', 'target_project_id'], msg: 'Field required', type: 'missing' }]);
  });

  it('rejects unknown voices (404) and references Habla cannot resolve (400)', async () => {
    const voiceCreate = await api().request('POST', '/v1/agent/', { body: { voice_id: MISSING, language: 'es' } });
    assert.deepEqual([voiceCreate.status, voiceCreate.body.error_code], [404, 'VOICE_NOT_FOUND']);
    const agent = await createAgent(api());
    const voicePatch = await api().request('PATCH', `/v1/agent/${agent.agent_id}`, { body: { voice_id: MISSING } });
    assert.deepEqual([voicePatch.status, voicePatch.body.error_code], [404, 'VOICE_NOT_FOUND']);

    const pathWithoutId = await api().request('POST', '/v1/agent/', { body: { voice_id: spanishVoice(api()), language: 'es', mode: 'path' } });
    assert.deepEqual([pathWithoutId.status, pathWithoutId.body.error_code], [400, 'BAD_PARAMETER']);
    const pathWithId = await api().request('PATCH', `/v1/agent/${agent.agent_id}`, { body: { mode: 'path', conversational_path_id: MISSING } });
    assert.deepEqual([pathWithId.status, pathWithId.body.error_code], [400, 'BAD_PARAMETER']);
    const kb = await api().request('PATCH', `/v1/agent/${agent.agent_id}`, { body: { knowledge_base_ids: [MISSING] } });
    assert.deepEqual([kb.status, kb.body.error_code], [400, 'BAD_PARAMETER']);
    const duplicateTools = await api().request('PATCH', `/v1/agent/${agent.agent_id}`, {
      body: { call_tools: [{ type: 'hang_up', name: 'fin' }, { type: 'detect_answering_machine', name: 'fin' }] },
    });
    assert.deepEqual([duplicateTools.status, duplicateTools.body.error_code], [400, 'BAD_PARAMETER']);
    const unchanged = await api().request('GET', `/v1/agent/${agent.agent_id}`);
    assert.deepEqual([unchanged.body.mode, unchanged.body.call_tools], ['free', []], 'rejected updates change nothing');
  });

  it('answers FastAPI-shaped 422s for invalid bodies, queries and ids', async () => {
    const voice = spanishVoice(api());
    const missing = await api().request('POST', '/v1/agent/', { body: { language: 'es' } });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.detail, [{ loc: ['body', 'voice_id'], msg: 'Field required', type: 'missing' }]);
    const language = await api().request('POST', '/v1/agent/', { body: { voice_id: voice, language: 'xx' } });
    assert.deepEqual([language.status, language.body.detail[0].loc], [422, ['body', 'language']]);
    const volume = await api().request('POST', '/v1/agent/', { body: { voice_id: voice, language: 'es', volume: 101 } });
    assert.deepEqual([volume.status, volume.body.detail[0].type], [422, 'less_than_equal']);
    const frequency = await api().request('POST', '/v1/agent/', { body: { voice_id: voice, language: 'es', reminder_frequency_ms: 999 } });
    assert.deepEqual([frequency.status, frequency.body.detail[0].loc], [422, ['body', 'reminder_frequency_ms']]);
    const toolWithoutType = await api().request('POST', '/v1/agent/', { body: { voice_id: voice, language: 'es', call_tools: [{ name: 'x' }] } });
    assert.deepEqual([toolWithoutType.status, toolWithoutType.body.detail[0].loc], [422, ['body', 'call_tools', 0]]);
    // PostgreSQL text cannot store NUL: refused up front on both stores, naming the field.
    const nul = await api().request('POST', '/v1/agent/', { body: { voice_id: voice, language: 'es', version_name: 'v\u0000' } });
    assert.deepEqual([nul.status, nul.body.detail?.[0].loc, nul.body.detail?.[0].type], [422, ['body', 'version_name'], 'string_nul']);
    const noBody = await api().request('POST', '/v1/agent/');
    assert.equal(noBody.status, 422);

    const agent = await createAgent(api());
    const nulLaunch = await api().request('POST', `/v1/agent/${agent.agent_id}/version`, { body: { version_name: '\u0000' } });
    assert.deepEqual([nulLaunch.status, nulLaunch.body.detail?.[0].loc], [422, ['body', 'version_name']]);
    const patchVolume = await api().request('PATCH', `/v1/agent/${agent.agent_id}`, { body: { volume: -1 } });
    assert.deepEqual([patchVolume.status, patchVolume.body.detail[0].loc], [422, ['body', 'volume']]);
    const patchCount = await api().request('PATCH', `/v1/agent/${agent.agent_id}`, { body: { max_reminder_count: -1 } });
    assert.deepEqual([patchCount.status, patchCount.body.detail[0].loc], [422, ['body', 'max_reminder_count']]);
    const badId = await api().request('GET', '/v1/agent/not-a-uuid');
    assert.deepEqual([badId.status, badId.body.detail[0].loc], [422, ['path', 'agent_id']]);
    const badVersionId = await api().request('DELETE', `/v1/agent/${agent.agent_id}/version/zzz`);
    assert.deepEqual([badVersionId.status, badVersionId.body.detail[0].loc], [422, ['path', 'version_id']]);
    const both = await api().request('GET', `/v1/agent/${agent.agent_id}?version_id=${agent.version_id}&is_published=true`);
    assert.deepEqual([both.status, both.body.error_code], [400, 'BAD_PARAMETER']);
  });

  it('requires a key (401) and the agents permissions (403)', async () => {
    const agent = await createAgent(api());
    const anonymous = await api().request('GET', '/v1/agent/', { key: null });
    assert.deepEqual([anonymous.status, anonymous.body.error_code], [401, 'UNAUTHORIZED']);
    const viewer = await api().restrictedKey(['agents.view']);
    assert.equal((await api().request('GET', `/v1/agent/${agent.agent_id}`, { key: viewer })).status, 200);
    const denied: [string, string, unknown][] = [
      ['POST', '/v1/agent/', { voice_id: spanishVoice(api()), language: 'es' }],
      ['PATCH', `/v1/agent/${agent.agent_id}`, { name: 'x' }],
      ['DELETE', `/v1/agent/${agent.agent_id}`, undefined],
      ['POST', `/v1/agent/${agent.agent_id}/version`, {}],
      ['DELETE', `/v1/agent/${agent.agent_id}/version/${agent.version_id}`, undefined],
      ['PATCH', `/v1/agent/${agent.agent_id}/published_version`, { version_id: agent.version_id }],
      ['POST', `/v1/agent/${agent.agent_id}/duplicate`, { target_project_id: api().projectId }],
    ];
    for (const [method, url, body] of denied) {
      const r = await api().request(method, url, { key: viewer, body });
      assert.deepEqual([r.status, r.body.error_code], [403, 'MISSING_PERMISSIONS'], `${method} ${url}`);
    }
    const nothing = await api().restrictedKey([]);
    for (const url of ['/v1/agent/', `/v1/agent/${agent.agent_id}`, `/v1/agent/${agent.agent_id}/version`, '/v1/agent/versions-dropdown/dashboard']) {
      assert.equal((await api().request('GET', url, { key: nothing })).status, 403, url);
    }
    const updater = await api().restrictedKey(['agents.update']);
    const phone = await addPhone(api(), api().projectId, '+34910000009');
    const bindNeedsPhones = await api().request('PATCH', `/v1/agent/${agent.agent_id}/published_version`, {
      key: updater, body: { version_id: agent.version_id, inbound_phone_number_id: phone },
    });
    assert.deepEqual([bindNeedsPhones.status, bindNeedsPhones.body.error_code], [403, 'MISSING_PERMISSIONS']);
  });

  it("hides another project's agents (404) on every operation", async () => {
    const agent = await createAgent(api());
    const key = api().other.key;
    const attempts: [string, string, unknown][] = [
      ['GET', `/v1/agent/${agent.agent_id}`, undefined],
      ['PATCH', `/v1/agent/${agent.agent_id}`, { name: 'x' }],
      ['DELETE', `/v1/agent/${agent.agent_id}`, undefined],
      ['POST', `/v1/agent/${agent.agent_id}/version`, {}],
      ['GET', `/v1/agent/${agent.agent_id}/version`, undefined],
      ['DELETE', `/v1/agent/${agent.agent_id}/version/${agent.version_id}`, undefined],
      ['PATCH', `/v1/agent/${agent.agent_id}/published_version`, { version_id: agent.version_id }],
      ['POST', `/v1/agent/${agent.agent_id}/duplicate`, { target_project_id: api().other.projectId }],
    ];
    for (const [method, url, body] of attempts) {
      const r = await api().request(method, url, { key, body });
      assert.deepEqual([r.status, r.body.error_code], [404, 'AGENT_NOT_FOUND'], `${method} ${url}`);
    }
    const list = await api().request('GET', '/v1/agent/', { key });
    assert.ok(list.body.data.every((a: any) => a.agent_id !== agent.agent_id));
    const dropdown = await api().request('GET', '/v1/agent/versions-dropdown/dashboard', { key });
    assert.ok(dropdown.body.every((a: any) => a.agent_id !== agent.agent_id));
    const mine = await api().request('GET', `/v1/agent/${agent.agent_id}`);
    assert.equal(mine.body.name, 'Recepción', 'the failed foreign PATCH changed nothing');
  });
});

/** A key of a new, empty project of the default profile, for assertions over whole lists. */
async function freshProjectKey(api: TestApi): Promise<string> {
  const project = await new ProjectRepository(api.store.db).create(api.profileId, `Fresh ${Math.random()}`, null);
  const key = await new ApiKeyRepository(api.store.db).create({
    projectId: project.id, creatorId: api.profileId, name: 'fresh', restricted: false, permissions: null, expiryDate: null,
  });
  return key.value;
}

async function projectOfKey(api: TestApi, key: string): Promise<string> {
  const created = await api.request('POST', '/v1/agent/?is_draft=true', { key, body: { voice_id: spanishVoice(api), language: 'es' } });
  const row = await api.store.db.selectFrom('agents').select('project_id').where('id', '=', created.body.agent_id).executeTakeFirstOrThrow();
  return row.project_id;
}
