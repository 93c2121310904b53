import { Type } from 'typebox';
import { defaultAgentSettings, type AgentSettings } from '../../../domain/agent.ts';
import {
  agentTemplatesIn, fillTemplate, findAgentTemplate, templateVariables, type AgentTemplate,
} from '../../../domain/agent-templates/index.ts';
import { AppError } from '../../../domain/errors.ts';
import { paginateList } from '../../../domain/pagination.ts';
import type { VoiceCatalog } from '../../../voice/catalog.ts';
import type { App } from '../../deps.ts';
import { errors, Nullable, Paginated, pageQueryProperties, Uuid } from '../../schemas/common.ts';
import { SECURITY, type AgentRouteDeps } from './agent-routes.ts';
import { AgentResponse } from './schemas.ts';

const TAGS = ['Agent Templates'];

const AgentTemplateResponse = Type.Object({
  id: Uuid(),
  name: Type.String(),
  language: Type.String(),
  description: Type.Optional(Nullable(Type.String())),
  setup_guide_url: Type.Optional(Nullable(Type.String())),
  template: Type.Object({}, { additionalProperties: true }),
  variables: Type.Optional(Type.Array(Type.String())),
  resource_placeholders: Type.Optional(Nullable(Type.Array(Type.Object({}, { additionalProperties: true })))),
});

const ConnectionCredential = Type.Object({ key: Type.String(), value: Type.String() });

const CopyAgentTemplateRequest = Type.Object({
  agent_name: Type.Optional(Nullable(Type.String())),
  variables: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true }))),
  resource_variables: Type.Optional(Nullable(Type.Record(Type.String(), Type.Object({}, { additionalProperties: true })))),
  resource_connections: Type.Optional(Nullable(Type.Record(Type.String(), Type.Array(ConnectionCredential)))),
});

const TemplateParams = Type.Object({ template_id: Uuid() });

// The espeak voice each template language speaks with, by provider voice id.
const PREFERRED_VOICE: Record<string, string> = { es: 'es', en: 'en-us' };

export function registerAgentTemplateRoutes(app: App, { agents, presenter, voices }: AgentRouteDeps): void {
  app.get('/v1/agent/template', {
    schema: {
      operationId: 'list_agent_templates_v1_agent_template_get', tags: TAGS, security: SECURITY,
      querystring: Type.Object({
        ...pageQueryProperties(20, 100),
        language: Type.Optional(Type.String({ default: 'es' })),
      }),
      response: { 200: Paginated(AgentTemplateResponse), ...errors(422) },
    },
  }, async (request) => {
    const { limit = 20, order = 'desc', language = 'es', ...cursor } = request.query;
    const page = paginateList(agentTemplatesIn(language), { ...cursor, limit, order }, (t) => t.id);
    return { ...page, data: page.data.map(present) };
  });

  app.get('/v1/agent/template/:template_id', {
    schema: {
      operationId: 'get_agent_template_v1_agent_template__template_id__get', tags: TAGS, security: SECURITY,
      params: TemplateParams,
      response: { 200: AgentTemplateResponse, ...errors(404, 422) },
    },
  }, async (request) => present(templateOrThrow(request.params.template_id)));

  // Creating an agent needs agents.create, like POST /v1/agent/ (the contract lists no 403 here).
  app.post('/v1/agent/template/:template_id/copy', {
    config: { permission: 'agents.create' },
    schema: {
      operationId: 'copy_agent_template_v1_agent_template__template_id__copy_post', tags: TAGS, security: SECURITY,
      params: TemplateParams,
      body: CopyAgentTemplateRequest,
      response: { 201: AgentResponse, ...errors(400, 403, 404, 422) },
    },
  }, async (request, reply) => {
    const template = templateOrThrow(request.params.template_id);
    checkResourceKeys(template, request.body.resource_variables, request.body.resource_connections);
    const settings = settingsFromTemplate(template, request.body.variables as Record<string, unknown> | null | undefined, voices);
    settings.name = request.body.agent_name ?? template.name;
    const view = await agents.create(request.principal.projectId, settings, { isDraft: true, sourceTemplateId: template.id });
    return reply.code(201).send(await presenter.one(view));
  });
}

function templateOrThrow(id: string): AgentTemplate {
  const template = findAgentTemplate(id);
  if (!template) throw new AppError('AGENT_TEMPLATE_NOT_FOUND', 'Error: Agent Template Not Found');
  return template;
}

function present(template: AgentTemplate) {
  return { ...template, variables: templateVariables(template.template) };
}

function settingsFromTemplate(template: AgentTemplate, values: Record<string, unknown> | null | undefined, voices: VoiceCatalog): AgentSettings {
  const filled = fillTemplate(template.template, values);
  const settings = defaultAgentSettings(pickVoice(voices, filled.language), filled.language);
  return { ...settings, ...filled };
}

function pickVoice(voices: VoiceCatalog, language: string): string {
  const all = voices.list();
  const voice = all.find((v) => v.provider_voice_id === PREFERRED_VOICE[language]) ?? all.find((v) => v.language === language);
  if (!voice) throw new AppError('AGENT_TEMPLATE_INVALID', `No voice for language '${language}' is installed`);
  return voice.id;
}

/**
 * Resource settings must name one of the template's resource placeholders. Habla does not
 * create knowledge bases or workflows yet, so valid ones are accepted and not applied.
 */
function checkResourceKeys(template: AgentTemplate, ...maps: (Record<string, unknown> | null | undefined)[]): void {
  const known = new Set(template.resource_placeholders.map((r) => r.template_id));
  for (const map of maps) {
    const unknown = Object.keys(map ?? {}).filter((k) => !known.has(k));
    if (unknown.length > 0) throw new AppError('AGENT_TEMPLATE_INVALID', `Unknown template resources: ${unknown.join(', ')}`);
  }
}
