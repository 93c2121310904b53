import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDatabase } from '../helpers/app.ts';
import { contractValidator } from '../helpers/contract.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';
const CLINIC_ES = '1ee2ac26-b881-4edb-9ba8-4900dc50ecc5';
const RESTAURANT_ES = '23c67a28-f67a-428c-beb7-3e366b4c8929';
const SUPPORT_ES = '864f7033-3fe1-4456-83f6-83de623cf669';
const CLINIC_EN = '7cbd1f22-02f3-455a-a0af-0269287922cb';
const CLINIC_KB = '87272f47-44de-415f-b2e8-976ece46398f';

const templateMatchesContract = contractValidator('AgentTemplateResponse');
const agentMatchesContract = contractValidator('AgentResponseSchema');

const CLINIC_VALUES = {
  nombre_clinica: 'Clínica Dental Sol',
  direccion: 'Calle Mayor 3, Madrid',
  horario: 'de lunes a viernes de 9:00 a 20:00',
  especialidades: 'odontología general y ortodoncia',
  telefono_recepcion: '+34910000100',
};

describeEachDatabase('agent templates API', (api) => {
  it('lists the Spanish catalogue by default and other languages on request', async () => {
    const es = await api().request('GET', '/v1/agent/template?order=asc');
    assert.equal(es.status, 200);
    assert.deepEqual(es.body.data.map((t: any) => t.id), [CLINIC_ES, RESTAURANT_ES, SUPPORT_ES]);
    assert.ok(es.body.data.every((t: any) => t.language === 'es'));
    es.body.data.forEach((t: any) => assert.deepEqual(templateMatchesContract(t), []));
    assert.deepEqual([es.body.has_more, es.body.current_page, es.body.total_pages], [false, 1, 1]);

    const en = await api().request('GET', '/v1/agent/template?language=en');
    assert.equal(en.body.data.length, 3);
    assert.ok(en.body.data.every((t: any) => t.language === 'en'));
    const none = await api().request('GET', '/v1/agent/template?language=fr');
    assert.deepEqual(none.body.data, []);

    const paged = await api().request('GET', '/v1/agent/template?limit=2&order=asc');
    assert.deepEqual([paged.body.data.length, paged.body.has_more], [2, true]);
    const after = await api().request('GET', `/v1/agent/template?limit=2&order=asc&after=${paged.body.last_id}`);
    assert.deepEqual(after.body.data.map((t: any) => t.id), [SUPPORT_ES]);
    const badLimit = await api().request('GET', '/v1/agent/template?limit=0');
    assert.deepEqual([badLimit.status, badLimit.body.detail[0].loc], [422, ['query', 'limit']]);
  });

  it('returns one template with its placeholders and recommended resources', async () => {
    const r = await api().request('GET', `/v1/agent/template/${CLINIC_ES}`);
    assert.equal(r.status, 200);
    assert.deepEqual(templateMatchesContract(r.body), []);
    assert.equal(r.body.name, 'Recepcionista de clínica: citas');
    assert.deepEqual(r.body.variables, ['nombre_clinica', 'direccion', 'horario', 'especialidades', 'telefono_recepcion']);
    assert.match(r.body.template.prompt, /<<nombre_clinica>>/);
    assert.deepEqual(r.body.resource_placeholders.map((p: any) => p.template_id), [CLINIC_KB]);

    const unknown = await api().request('GET', `/v1/agent/template/${MISSING}`);
    assert.deepEqual([unknown.status, unknown.body.error_code], [404, 'AGENT_TEMPLATE_NOT_FOUND']);
    const badId = await api().request('GET', '/v1/agent/template/clinic');
    assert.deepEqual([badId.status, badId.body.detail[0].loc], [422, ['path', 'template_id']]);
  });

  it('copies a template into a draft agent, substituting every placeholder', async () => {
    const r = await api().request('POST', `/v1/agent/template/${CLINIC_ES}/copy`, {
      body: { agent_name: 'Recepción Sol', variables: CLINIC_VALUES, resource_variables: { [CLINIC_KB]: { nombre: 'Tarifas' } } },
    });
    assert.equal(r.status, 201, r.raw);
    assert.deepEqual(agentMatchesContract({ ...r.body, voice: { ...r.body.voice, provider: 'gemini' } }), []);
    assert.deepEqual([r.body.is_draft, r.body.is_published, r.body.version_number], [true, false, 0]);
    assert.equal(r.body.source_template_id, CLINIC_ES);
    assert.equal(r.body.name, 'Recepción Sol');
    assert.equal(r.body.language, 'es');
    assert.equal(r.body.voice.provider_voice_id, 'es');
    assert.equal(r.body.greeting, 'Buenos días, ha llamado a Clínica Dental Sol. ¿En qué puedo ayudarle?');
    assert.match(r.body.prompt, /situada en Calle Mayor 3, Madrid/);
    assert.doesNotMatch(JSON.stringify(r.body), /<<|>>/);
    assert.equal(r.body.call_tools[0].target_number, '+34910000100');

    const stored = await api().request('GET', `/v1/agent/${r.body.agent_id}`);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.source_template_id, CLINIC_ES);
    const otherTenant = await api().request('GET', `/v1/agent/${r.body.agent_id}`, { key: api().other.key });
    assert.equal(otherTenant.status, 404, 'the copy belongs to the calling project only');
  });

  it('leaves the placeholders literally when no variables are given, named after the template', async () => {
    const r = await api().request('POST', `/v1/agent/template/${RESTAURANT_ES}/copy`, { body: {} });
    assert.equal(r.status, 201);
    assert.equal(r.body.name, 'Reservas de restaurante');
    assert.match(r.body.greeting, /^<<nombre_restaurante>>, buenas/);
  });

  it('speaks English with the English espeak voice for English templates', async () => {
    const r = await api().request('POST', `/v1/agent/template/${CLINIC_EN}/copy`, {
      body: { variables: { clinic_name: 'Sun Dental', address: '3 High St', opening_hours: '9 to 5', specialties: 'dentistry', reception_phone: '+34910000101' } },
    });
    assert.equal(r.status, 201, r.raw);
    assert.deepEqual([r.body.language, r.body.voice.provider_voice_id], ['en', 'en-us']);
    assert.equal(r.body.greeting, 'Good morning, you have reached Sun Dental. How can I help you?');
  });

  it('rejects missing, unknown or non-scalar variables and unknown resources (400 AGENT_TEMPLATE_INVALID)', async () => {
    const copy = (body: unknown) => api().request('POST', `/v1/agent/template/${CLINIC_ES}/copy`, { body });
    const { telefono_recepcion: _, ...partial } = CLINIC_VALUES;
    const cases: unknown[] = [
      { variables: partial },
      { variables: { ...CLINIC_VALUES, telefono_recepcion: '  ' } },
      { variables: { ...CLINIC_VALUES, nombre_restaurante: 'x' } },
      { variables: { ...CLINIC_VALUES, horario: { desde: 9 } } },
      { resource_variables: { [MISSING]: {} } },
      { resource_connections: { [MISSING]: [{ key: 'api_key', value: 'x' }] } },
    ];
    const before = (await api().request('GET', '/v1/agent/?limit=100')).body.data.length;
    for (const body of cases) {
      const r = await copy(body);
      assert.deepEqual([r.status, r.body.error_code], [400, 'AGENT_TEMPLATE_INVALID'], JSON.stringify(body));
    }
    const after = (await api().request('GET', '/v1/agent/?limit=100')).body.data.length;
    assert.equal(after, before, 'a rejected copy creates no agent');

    const unknown = await api().request('POST', `/v1/agent/template/${MISSING}/copy`, { body: {} });
    assert.deepEqual([unknown.status, unknown.body.error_code], [404, 'AGENT_TEMPLATE_NOT_FOUND']);
    const badBody = await copy({ variables: ['a'] });
    assert.deepEqual([badBody.status, badBody.body.detail[0].loc], [422, ['body', 'variables']]);
    const badConnections = await copy({ resource_connections: { [CLINIC_KB]: [{ key: 'k' }] } });
    assert.equal(badConnections.status, 422);
  });

  it('requires a key (401), and agents.create to copy (403)', async () => {
    for (const [method, url] of [['GET', '/v1/agent/template'], ['GET', `/v1/agent/template/${CLINIC_ES}`], ['POST', `/v1/agent/template/${CLINIC_ES}/copy`]]) {
      const r = await api().request(method, url, { key: null, body: method === 'POST' ? {} : undefined });
      assert.deepEqual([r.status, r.body.error_code], [401, 'UNAUTHORIZED'], url);
    }
    const viewer = await api().restrictedKey(['agents.view']);
    assert.equal((await api().request('GET', '/v1/agent/template', { key: viewer })).status, 200);
    const denied = await api().request('POST', `/v1/agent/template/${CLINIC_ES}/copy`, { key: viewer, body: {} });
    assert.deepEqual([denied.status, denied.body.error_code], [403, 'MISSING_PERMISSIONS']);
  });
});
