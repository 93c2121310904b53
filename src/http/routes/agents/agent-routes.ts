import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { agentNotFound, type AgentRepository, type AgentView } from '../../../store/repositories/agents.ts';
import type { ProjectRepository } from '../../../store/repositories/projects.ts';
import type { VoiceCatalog } from '../../../voice/catalog.ts';
import type { App } from '../../deps.ts';
import { errors, listErrors, Nullable, Paginated, pageQueryProperties, Uuid } from '../../schemas/common.ts';
import type { AgentPresenter } from './present.ts';
import {
  AgentIdParams, AgentMode, AgentRequest, AgentResponse, AgentUpdateRequest, AgentWithVersionsDropdown,
  DuplicateAgentRequest,
} from './schemas.ts';
import { checkReferences, settingsFromRequest, settingsFromUpdate } from './settings.ts';

export const TAGS = ['Agents'];
export const SECURITY = [{ CustomHTTPBearer: [] }];

export interface AgentRouteDeps {
  agents: AgentRepository;
  projects: ProjectRepository;
  presenter: AgentPresenter;
  voices: VoiceCatalog;
}

export function registerAgentCrudRoutes(app: App, { agents, projects, presenter, voices }: AgentRouteDeps): void {
  app.post('/v1/agent/', {
    config: { permission: 'agents.create' },
    schema: {
      operationId: 'create_agent_v1_agent__post', tags: TAGS, security: SECURITY,
      querystring: Type.Object({
        is_draft: Type.Optional(Type.Boolean({ default: false, description: 'If true, the agent is created as a draft.' })),
      }),
      body: AgentRequest,
      response: { 201: AgentResponse, ...errors(400, 403, 422, 500) },
    },
  }, async (request, reply) => {
    const versionName = request.body.version_name ?? null;
    const settings = settingsFromRequest(request.body);
    checkReferences(settings, voices);
    const view = await agents.create(request.principal.projectId, settings, { isDraft: request.query.is_draft ?? false, versionName });
    return reply.code(201).send(await presenter.one(view));
  });

  app.get('/v1/agent/', {
    config: { permission: 'agents.view' },
    schema: {
      operationId: 'list_agents_v1_agent__get', tags: TAGS, security: SECURITY,
      querystring: Type.Object({
        ...pageQueryProperties(10, 100),
        mode: Type.Optional(Nullable(AgentMode)),
        is_published: Type.Optional(Type.Boolean({ default: false })),
      }),
      response: { 200: Paginated(AgentResponse), ...listErrors(400, 403, 422, 500) },
    },
  }, async (request) => {
    const { limit = 10, order = 'desc', mode, is_published: isPublished = false, ...cursor } = request.query;
    const page = await agents.listAgents(request.principal.projectId, { ...cursor, limit, order }, { mode, isPublished });
    return { ...page, data: await presenter.many(page.data) };
  });

  app.get('/v1/agent/versions-dropdown/dashboard', {
    config: { permission: 'agents.view' },
    schema: {
      operationId: 'get_agents_versions_dropdown_v1_agent_versions_dropdown_dashboard_get', tags: TAGS, security: SECURITY,
      response: { 200: Type.Array(AgentWithVersionsDropdown), ...errors(403, 422) },
    },
  }, async (request) => {
    const entries = await agents.dropdown(request.principal.projectId);
    return entries.map((e) => ({ agent_id: e.agent.id, name: e.name, versions: e.versions }));
  });

  app.get('/v1/agent/:agent_id', {
    config: { permission: 'agents.view' },
    schema: {
      operationId: 'get_agent_v1_agent__agent_id__get', tags: TAGS, security: SECURITY,
      params: AgentIdParams,
      querystring: Type.Object({
        version_id: Type.Optional(Nullable(Uuid(), { description: 'Optional version ID to retrieve a specific version of the agent.' })),
        is_published: Type.Optional(Type.Boolean({ default: false, description: 'If true, retrieves the published version of the agent.' })),
      }),
      response: { 200: AgentResponse, ...errors(400, 403, 404, 422, 500) },
    },
  }, async (request) => {
    const { agent_id: agentId } = request.params;
    const { version_id: versionId, is_published: isPublished } = request.query;
    if (versionId && isPublished) {
      throw new AppError('BAD_PARAMETER', 'Cannot specify both version_id and is_published parameters together');
    }
    const view = await findView(agents, request.principal.projectId, agentId, versionId ?? null, isPublished ?? false);
    return presenter.one(view);
  });

  app.patch('/v1/agent/:agent_id', {
    config: { permission: 'agents.update' },
    schema: {
      operationId: 'update_agent_v1_agent__agent_id__patch', tags: TAGS, security: SECURITY,
      params: AgentIdParams,
      body: AgentUpdateRequest,
      response: { 200: AgentResponse, ...errors(400, 403, 404, 422, 500) },
    },
  }, async (request) => {
    const { projectId } = request.principal;
    const { agent_id: agentId } = request.params;
    const draft = await agents.draft(projectId, agentId);
    if (!draft) throw agentNotFound(agentId);
    const settings = settingsFromUpdate(draft.version.settings, request.body);
    checkReferences(settings, voices);
    const updated = await agents.updateDraft(projectId, agentId, settings);
    if (!updated) throw agentNotFound(agentId);
    return presenter.one(updated);
  });

  app.delete('/v1/agent/:agent_id', {
    config: { permission: 'agents.delete' },
    schema: {
      operationId: 'delete_agent_v1_agent__agent_id__delete', tags: TAGS, security: SECURITY,
      params: AgentIdParams,
      response: { 204: Type.Null({ description: 'Successful Response' }), ...errors(403, 404, 409, 422, 500) },
    },
  }, async (request, reply) => {
    await agents.deleteAgent(request.principal.projectId, request.params.agent_id);
    return reply.code(204).send(null);
  });

  app.post('/v1/agent/:agent_id/duplicate', {
    config: { permission: 'agents.create' },
    schema: {
      operationId: 'duplicate_agent_v1_agent__agent_id__duplicate_post', tags: TAGS, security: SECURITY,
      params: AgentIdParams,
      body: DuplicateAgentRequest,
      response: { 201: AgentResponse, ...errors(400, 403, 404, 422, 500, 503) },
    },
  }, async (request, reply) => {
    const { projectId, profileId } = request.principal;
    const { agent_id: agentId } = request.params;
    const { target_project_id: targetId, source_version_id: sourceVersionId, name } = request.body;
    const source = await findView(agents, projectId, agentId, sourceVersionId ?? null, false);
    // Only projects the key's profile belongs to exist for it; a reader cannot create agents.
    const role = (await projects.get(profileId, targetId)) && (await projects.roleOf(profileId, targetId));
    if (!role) throw new AppError('PROJECT_NOT_FOUND', `Project ${targetId} not found`);
    if (role === 'reader') throw new AppError('MISSING_PERMISSIONS', 'Missing required permissions in the target project');
    const settings = { ...source.version.settings, name: name ?? `${source.version.settings.name ?? 'Agent'} (copy)` };
    const copy = await agents.create(targetId, settings, { isDraft: true, sourceTemplateId: source.agent.source_template_id });
    return reply.code(201).send(await presenter.one(copy));
  });
}

/** The draft by default; a given version of the agent; or its published version. */
export async function findView(
  agents: AgentRepository, projectId: string, agentId: string, versionId: string | null, published: boolean,
): Promise<AgentView> {
  const agent = await agents.getAgent(projectId, agentId);
  if (!agent) throw agentNotFound(agentId);
  if (published && !agent.published_version_id) {
    throw new AppError('AGENT_NOT_FOUND', `Agent ${agentId} has no published version`);
  }
  const id = published ? agent.published_version_id! : (versionId ?? agent.draft_version_id);
  const view = await agents.view(projectId, id);
  if (!view || view.agent.id !== agentId) throw new AppError('AGENT_NOT_FOUND', `Version ${id} of agent ${agentId} not found`);
  return view;
}
