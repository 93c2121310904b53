import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { AgentRepository } from '../../../store/repositories/agents.ts';
import { PhoneRepository, type PhoneRecord } from '../../../store/repositories/phones.ts';
import type { App, AppDeps } from '../../deps.ts';
import { errors, IdParams, listErrors, Paginated } from '../../schemas/common.ts';
import { assignVersions } from './assign-versions.ts';
import { toPhoneResponse } from './present.ts';
import { releaseNumber } from './release.ts';
import { ImportPhoneRequest, PhoneListQuery, PhoneResponse, PhoneUpdateRequest, SipConfigUpdateRequest } from './schemas.ts';
import { importNumber, updateSipConfig } from './trunk.ts';

const TAGS = ['Phones'];
const SECURITY = [{ CustomHTTPBearer: [] }];

// The contract documents only 200/422 for most phone operations; unknown ids still answer
// 404 PHONE_NUMBER_NOT_FOUND and keys 401/403, as everywhere else in the API.
export async function registerPhonesRoutes(app: App, deps: AppDeps): Promise<void> {
  const phones = new PhoneRepository(deps.store.db);
  const agents = new AgentRepository(deps.store.db);
  const load = async (projectId: string, id: string): Promise<PhoneRecord> =>
    (await phones.get(projectId, id)) ?? Promise.reject(new AppError('PHONE_NUMBER_NOT_FOUND', `Phone number ${id} not found`));

  app.get('/v1/phone/', {
    config: { permission: 'phones.view' },
    schema: {
      operationId: 'list_phones_v1_phone__get', tags: TAGS, security: SECURITY,
      querystring: PhoneListQuery,
      response: { 200: Paginated(PhoneResponse), ...listErrors(400, 403, 422, 500) },
    },
  }, async (request) => {
    const { limit = 20, order = 'desc', after, before, page, ...filters } = request.query;
    const start = filters.start_assigned_at ? new Date(filters.start_assigned_at).toISOString() : null;
    const end = filters.end_assigned_at ? new Date(filters.end_assigned_at).toISOString() : null;
    if (start && end && start > end) {
      throw new AppError('NOT_VALID_FIELD', 'start_assigned_at must not be later than end_assigned_at');
    }
    const result = await phones.list(request.principal.projectId, { after, before, page, limit, order }, {
      inboundAgentId: filters.inbound_agent_id,
      outboundAgentId: filters.outbound_agent_id,
      status: filters.status,
      startAssignedAt: start,
      endAssignedAt: end,
    });
    return { ...result, data: result.data.map(toPhoneResponse) };
  });

  app.get('/v1/phone/:phone_id', {
    config: { permission: 'phones.view' },
    schema: {
      operationId: 'get_phone_v1_phone__phone_id__get', tags: TAGS, security: SECURITY,
      params: IdParams('phone_id'),
      response: { 200: PhoneResponse, ...errors(403, 404, 422) },
    },
  }, async (request) => {
    const { phone_id: id } = request.params as { phone_id: string };
    return toPhoneResponse(await load(request.principal.projectId, id));
  });

  app.patch('/v1/phone/:phone_id', {
    config: { permission: 'phones.update' },
    schema: {
      operationId: 'update_phone_v1_phone__phone_id__patch', tags: TAGS, security: SECURITY,
      description: 'Assigning a version publishes it; it fails (409) while the agent has a different published version serving another number.',
      params: IdParams('phone_id'),
      body: PhoneUpdateRequest,
      response: { 200: PhoneResponse, ...errors(403, 404, 409, 422) },
    },
  }, async (request) => {
    const { phone_id: id } = request.params as { phone_id: string };
    const phone = await load(request.principal.projectId, id);
    await assignVersions(phones, agents, phone, request.body);
    if (request.body.nickname !== undefined) await phones.setNickname(phone.project_id, phone.id, request.body.nickname);
    return toPhoneResponse(await load(phone.project_id, phone.id));
  });

  app.patch('/v1/phone/:phone_id/sip-config', {
    config: { permission: 'phones.update' },
    schema: {
      operationId: 'update_sip_config_v1_phone__phone_id__sip_config_patch', tags: TAGS, security: SECURITY,
      params: IdParams('phone_id'),
      body: SipConfigUpdateRequest,
      response: { 200: PhoneResponse, ...errors(400, 403, 404, 422) },
    },
  }, async (request) => {
    const { phone_id: id } = request.params as { phone_id: string };
    const phone = await load(request.principal.projectId, id);
    return toPhoneResponse(await updateSipConfig(phones, deps.secretBox, phone, request.body));
  });

  app.delete('/v1/phone/:id', {
    config: { permission: 'phones.delete' },
    schema: {
      operationId: 'release_phone_number_v1_phone__id__delete', tags: TAGS, security: SECURITY,
      params: IdParams('id'),
      response: { 204: Type.Null({ description: 'Successful Response' }), ...errors(400, 403, 404, 422) },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    await releaseNumber(phones, agents, await load(request.principal.projectId, id));
    return reply.code(204).send(null);
  });

  app.post('/v1/phone/import', {
    config: { permission: 'phones.import' },
    schema: {
      operationId: 'import_phone_number_v1_phone_import_post', tags: TAGS, security: SECURITY,
      body: ImportPhoneRequest,
      response: { 200: PhoneResponse, ...errors(403, 409, 422) },
    },
  }, async (request) => toPhoneResponse(await importNumber(phones, deps.secretBox, request.principal.projectId, request.body)));
}
