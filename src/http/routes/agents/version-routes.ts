import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { agentNotFound, type AgentRepository } from '../../../store/repositories/agents.ts';
import type { App } from '../../deps.ts';
import { errors, listErrors, Nullable, Paginated, pageQueryProperties } from '../../schemas/common.ts';
import { SECURITY, TAGS, type AgentRouteDeps } from './agent-routes.ts';
import {
  AgentIdParams, AgentMode, AgentResponse, AgentVersionParams, LaunchVersionRequest, PublishAgentRequest,
  PublishAgentResponse,
} from './schemas.ts';

// Versions: launch (snapshot the draft), list, delete, publish (diga-features §1.5).
export function registerAgentVersionRoutes(app: App, { agents, presenter }: AgentRouteDeps): void {
  app.post('/v1/agent/:agent_id/version', {
    config: { permission: 'agents.update' },
    schema: {
      operationId: 'launch_agent_version_v1_agent__agent_id__version_post', tags: TAGS, security: SECURITY,
      params: AgentIdParams,
      body: LaunchVersionRequest,
      response: { 201: AgentResponse, ...errors(400, 403, 404, 422, 500) },
    },
  }, async (request, reply) => {
    const { agent_id: agentId } = request.params;
    const view = await agents.launchVersion(request.principal.projectId, agentId, request.body.version_name ?? null);
    if (!view) throw agentNotFound(agentId);
    return reply.code(201).send(await presenter.one(view));
  });

  app.get('/v1/agent/:agent_id/version', {
    config: { permission: 'agents.view' },
    schema: {
      operationId: 'list_agent_version_v1_agent__agent_id__version_get', tags: TAGS, security: SECURITY,
      params: AgentIdParams,
      querystring: Type.Object({
        ...pageQueryProperties(10, 100),
        mode: Type.Optional(Nullable(AgentMode)),
        is_published: Type.Optional(Type.Boolean({ default: false })),
      }),
      response: { 200: Paginated(AgentResponse), ...listErrors(403, 404, 422, 500) },
    },
  }, async (request) => {
    const { projectId } = request.principal;
    const { agent_id: agentId } = request.params;
    const agent = await agents.getAgent(projectId, agentId);
    if (!agent) throw agentNotFound(agentId);
    const { limit = 10, order = 'desc', mode, is_published: isPublished = false, ...cursor } = request.query;
    const page = await agents.listVersions(projectId, agent, { ...cursor, limit, order }, { mode, isPublished });
    return { ...page, data: await presenter.many(page.data) };
  });

  app.delete('/v1/agent/:agent_id/version/:version_id', {
    config: { permission: 'agents.delete' },
    schema: {
      operationId: 'delete_agent_version_v1_agent__agent_id__version__version_id__delete', tags: TAGS, security: SECURITY,
      params: AgentVersionParams,
      response: { 204: Type.Null({ description: 'Successful Response' }), ...errors(403, 404, 409, 422, 500) },
    },
  }, async (request, reply) => {
    const { agent_id: agentId, version_id: versionId } = request.params;
    await agents.deleteVersion(request.principal.projectId, agentId, versionId);
    return reply.code(204).send(null);
  });

  app.patch('/v1/agent/:agent_id/published_version', {
    config: { permission: 'agents.update' },
    schema: {
      operationId: 'publish_agent_version_v1_agent__agent_id__published_version_patch', tags: TAGS, security: SECURITY,
      params: AgentIdParams,
      body: PublishAgentRequest,
      response: { 200: PublishAgentResponse, ...errors(400, 403, 404, 422, 500) },
    },
  }, async (request) => {
    const { projectId, permissions } = request.principal;
    const { agent_id: agentId } = request.params;
    const { version_id: versionId, inbound_phone_number_id: inbound, outbound_phone_number_id: outbound } = request.body;
    // Binding numbers changes the phones too.
    if ((inbound !== undefined || outbound !== undefined) && !permissions.has('phones.update')) {
      throw new AppError('MISSING_PERMISSIONS', 'Missing required permission: phones.update');
    }
    return agents.publish(projectId, agentId, await versionToPublish(agents, projectId, agentId, versionId), {
      inboundPhoneId: inbound,
      outboundPhoneId: outbound,
    });
  });
}

/**
 * `version_id: null` unpublishes; an absent `version_id` keeps the published version and only
 * rebinds numbers, so a body carrying just phone ids never unpublishes by accident.
 */
async function versionToPublish(
  agents: AgentRepository, projectId: string, agentId: string, versionId: string | null | undefined,
): Promise<string | null> {
  if (versionId !== undefined) return versionId;
  const agent = await agents.getAgent(projectId, agentId);
  if (!agent) throw agentNotFound(agentId);
  if (!agent.published_version_id) throw new AppError('BAD_PARAMETER', 'version_id is required: the agent has no published version');
  return agent.published_version_id;
}
