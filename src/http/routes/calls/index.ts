import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { AgentRepository } from '../../../store/repositories/agents.ts';
import { CallRepository } from '../../../store/repositories/calls.ts';
import { ContactRepository } from '../../../store/repositories/contacts.ts';
import { MessageRepository } from '../../../store/repositories/messages.ts';
import { PhoneRepository } from '../../../store/repositories/phones.ts';
import type { App, AppDeps } from '../../deps.ts';
import { invalidField } from '../../plugins/errors.ts';
import { errors, IdParams, listErrors, Paginated, pageQueryProperties } from '../../schemas/common.ts';
import { recordingUrl } from '../recordings/links.ts';
import { placeOutboundCall } from './outbound.ts';
import { toCallResponse } from './present.ts';
import { BulkDeleteCallRequest, BulkDeleteCallResponse, CallListQuery, CallRequest, CallResponse, MessageResponse } from './schemas.ts';

const TAGS = ['Calls'];
const SECURITY = [{ CustomHTTPBearer: [] }];

export async function registerCallsRoutes(app: App, deps: AppDeps): Promise<void> {
  const calls = new CallRepository(deps.store.db);
  const messages = new MessageRepository(deps.store.db);
  const outbound = {
    calls,
    contacts: new ContactRepository(deps.store.db),
    phones: new PhoneRepository(deps.store.db),
    agents: new AgentRepository(deps.store.db),
    engine: deps.callEngine,
  };

  app.get('/v1/call/', {
    config: { permission: 'calls.view' },
    schema: {
      operationId: 'list_calls_v1_call__get', tags: TAGS, security: SECURITY,
      querystring: CallListQuery,
      response: { 200: Paginated(CallResponse), ...listErrors(400, 403, 422, 500) },
    },
  }, async (request) => {
    const { after, before, page, limit = 50, order = 'desc', start_created_date, end_created_date, ...filter } = request.query;
    const result = await calls.list(request.principal.projectId, { after, before, page, limit, order }, {
      ...filter,
      start_created_date: utcInstant('start_created_date', start_created_date),
      end_created_date: utcInstant('end_created_date', end_created_date),
    });
    const transcripts = await messages.transcriptsOf(result.data.map((call) => call.id));
    return {
      ...result,
      data: result.data.map((call) => toCallResponse(call, recordingUrl(request, deps.recordingUrls, call), transcripts.get(call.id))),
    };
  });

  app.post('/v1/call/', {
    config: { permission: 'calls.create' },
    schema: {
      operationId: 'make_call_v1_call__post', tags: TAGS, security: SECURITY,
      body: CallRequest,
      response: { 201: CallResponse, ...errors(400, 403, 404, 412, 422, 500) },
    },
  }, async (request, reply) => {
    const call = await placeOutboundCall({ ...outbound, log: request.log }, request.principal.projectId, request.body);
    return reply.code(201).send(toCallResponse(call, recordingUrl(request, deps.recordingUrls, call)));
  });

  // Extension: end a live call now (the agent side hangs up; end_reason api_hangup).
  app.post('/v1/call/:id/hangup', {
    config: { permission: 'calls.update' },
    schema: {
      operationId: 'habla_hangup_call', tags: TAGS, security: SECURITY, 'x-habla-extension': true,
      summary: 'Hang up a live call',
      description: 'Habla extension. Ends a dialing or in-progress call from the agent side and returns it once terminal '
        + '(end_reason api_hangup). 409 CALL_NOT_ACTIVE when the call has already ended or is driven by another Habla process.',
      params: IdParams(),
      response: { 200: CallResponse, ...errors(403, 404, 409, 422, 500) },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const projectId = request.principal.projectId;
    const call = await calls.get(projectId, id);
    if (!call) throw new AppError('CALL_NOT_FOUND', `Call ${id} not found`);
    const outcome = await deps.callEngine.hangup(id, 'api_hangup');
    if (outcome === 'not_live') throw new AppError('CALL_NOT_ACTIVE', `Call ${id} is not active on this server`);
    const ended = (await calls.get(projectId, id)) ?? call;
    return toCallResponse(ended, recordingUrl(request, deps.recordingUrls, ended), await messages.transcriptOf(id));
  });

  app.get('/v1/call/:id', {
    config: { permission: 'calls.view' },
    schema: {
      operationId: 'get_call_v1_call__id__get', tags: TAGS, security: SECURITY,
      params: IdParams(),
      response: { 200: CallResponse, ...errors(403, 404, 422, 500) },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const call = await calls.get(request.principal.projectId, id);
    if (!call) throw new AppError('CALL_NOT_FOUND', `Call ${id} not found`);
    return toCallResponse(call, recordingUrl(request, deps.recordingUrls, call), await messages.transcriptOf(id));
  });

  app.get('/v1/call/:id/message', {
    config: { permission: 'messages.view' },
    schema: {
      operationId: 'get_call_messages_v1_call__id__message_get', tags: TAGS, security: SECURITY,
      params: IdParams(),
      querystring: Type.Object(pageQueryProperties(100, 1000)),
      response: { 200: Paginated(MessageResponse), ...listErrors(400, 401, 403, 404, 422, 500) },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const { limit = 100, order = 'desc', ...cursor } = request.query;
    const projectId = request.principal.projectId;
    // An unknown call, another project's call and a call with no transcript yet look the same.
    if (!(await messages.hasAny(projectId, id))) throw new AppError('NO_MESSAGES_FOR_CALL', `No messages found for call ${id}`);
    return messages.list(projectId, id, { ...cursor, limit, order });
  });

  app.post('/v1/call/bulk-delete', {
    config: { permission: 'calls.delete' },
    schema: {
      operationId: 'bulk_delete_calls_v1_call_bulk_delete_post', tags: TAGS, security: SECURITY,
      body: BulkDeleteCallRequest,
      response: { 200: BulkDeleteCallResponse, ...errors(403, 422, 500) },
    },
  }, async (request) => {
    const { deleted, recordingKeys } = await calls.deleteTerminal(request.principal.projectId, request.body.call_ids);
    // The rows are gone; audio left behind would be personal data nobody can reach or delete.
    const failures = await Promise.allSettled(recordingKeys.map((key) => deps.recordings.delete(key)));
    const failed = failures.filter((f) => f.status === 'rejected').length;
    if (failed > 0) request.log.warn({ failed }, 'some recordings of deleted calls could not be removed');
    return { deleted };
  });
}

/** Query datetimes may carry any offset; stored timestamps are UTC ISO strings, compared as text. */
function utcInstant(name: string, value: string | null | undefined): string | undefined {
  if (value == null) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidField(['query', name], 'Input should be a valid datetime', 'datetime_parsing');
  return new Date(ms).toISOString();
}
