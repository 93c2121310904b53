import { Type, type TSchema } from 'typebox';
import { AGENT_LANGUAGES, AGENT_MODES, BACKGROUND_AUDIOS } from '../../../domain/agent.ts';
import { DateTime, EXTENSION, Nullable, StringEnum, Uuid } from '../../schemas/common.ts';
import { VoiceResponse } from '../voices/schemas.ts';

// The agent schemas of the Diga contract (AgentRequest, AgentUpdateRequest,
// AgentResponseSchema and the version/publish/duplicate bodies).

export const AvailableLanguages = StringEnum(AGENT_LANGUAGES);
export const AgentMode = StringEnum(AGENT_MODES);
export const BackgroundAudio = StringEnum(BACKGROUND_AUDIOS);

const toolName = () => Type.String();

export const TransferCallTool = Type.Object(
  {
    type: Type.Literal('transfer_call', { default: 'transfer_call' }),
    name: toolName(),
    target_number: Type.Optional(Nullable(Type.String())),
    description: Type.Optional(Nullable(Type.String())),
    transfer_type: Type.Optional(StringEnum(['transfer', 'invite'] as const, { default: 'transfer' })),
    /** The contract accepts the target under this alias too; it is stored as `target_number`. */
    phone_number: Type.Optional(Nullable(Type.String({ ...EXTENSION }))),
  },
  { additionalProperties: false, required: ['name'] },
);

export const HangUpTool = Type.Object(
  {
    type: Type.Literal('hang_up', { default: 'hang_up' }),
    name: toolName(),
    description: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: false, required: ['name'] },
);

export const DetectAnsweringMachineTool = Type.Object(
  {
    type: Type.Literal('detect_answering_machine', { default: 'detect_answering_machine' }),
    name: toolName(),
  },
  { additionalProperties: false, required: ['name'] },
);

// TypeBox lists `type` as required (it has no default-aware optionality); the contract does not,
// but its discriminator makes `type` necessary to pick a variant anyway.
const CallTool = Type.Union([TransferCallTool, HangUpTool, DetectAnsweringMachineTool]);

export const IntegrationToolsRequest = Type.Object({
  integration_id: Uuid(),
  tool_ids: Type.Array(Uuid()),
});

const settingsProperties = {
  name: Type.Optional(Nullable(Type.String())),
  description: Type.Optional(Nullable(Type.String())),
  prompt: Type.Optional(Nullable(Type.String())),
  greeting: Type.Optional(Nullable(Type.String())),
  time_before_start: Type.Optional(Nullable(Type.Number())),
  knowledge_base_ids: Type.Optional(Nullable(Type.Array(Uuid()))),
  knowledge_item_ids: Type.Optional(Nullable(Type.Array(Uuid()))),
  conversational_path_id: Type.Optional(Nullable(Uuid())),
  integrations: Type.Optional(Nullable(Type.Array(IntegrationToolsRequest))),
  call_tools: Type.Optional(Nullable(Type.Array(CallTool))),
  dynamic_variables: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true }))),
  background_audio: Type.Optional(Nullable(BackgroundAudio)),
  flow_ids: Type.Optional(Nullable(Type.Array(Type.String()))),
};

const withDefault = <T extends TSchema>(schema: T, value: unknown): T => ({ ...schema, default: value });

export const AgentRequest = Type.Object({
  ...settingsProperties,
  voice_id: Uuid(),
  volume: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 50 })),
  language: AvailableLanguages,
  max_reminder_count: Type.Optional(Type.Integer({ minimum: 0, default: 3 })),
  reminder_frequency_ms: Type.Optional(Type.Integer({ minimum: 1000, default: 7500 })),
  reminder_messages: Type.Optional(Type.Array(Type.String(), { default: [] })),
  knowledge_base_ids: Type.Optional(withDefault(settingsProperties.knowledge_base_ids, [])),
  knowledge_item_ids: Type.Optional(withDefault(settingsProperties.knowledge_item_ids, [])),
  mode: Type.Optional(StringEnum(AGENT_MODES, { default: 'free' })),
  version_name: Type.Optional(Nullable(Type.String())),
  integrations: Type.Optional(withDefault(settingsProperties.integrations, [])),
  call_tools: Type.Optional(withDefault(settingsProperties.call_tools, [])),
  dynamic_variables: Type.Optional(withDefault(settingsProperties.dynamic_variables, {})),
  flow_ids: Type.Optional(withDefault(settingsProperties.flow_ids, [])),
});

export const AgentUpdateRequest = Type.Object({
  ...settingsProperties,
  voice_id: Type.Optional(Uuid()),
  volume: Type.Optional(Type.Integer()),
  language: Type.Optional(AvailableLanguages),
  max_reminder_count: Type.Optional(Type.Integer()),
  reminder_frequency_ms: Type.Optional(Type.Integer()),
  reminder_messages: Type.Optional(Type.Array(Type.String())),
  mode: Type.Optional(AgentMode),
});

// The embedded voice is the Voices API's own VoiceResponseSchema.
export { VoiceResponse };

const IntegrationToolsResponse = Type.Object({
  integration_id: Uuid(),
  integration_name: Type.String(),
  tool_ids: Type.Array(Uuid()),
  requires_setup: Type.Optional(Type.Boolean({ default: false })),
  source_integration_template_id: Type.Optional(Nullable(Uuid())),
});

const FlowInfoResponse = Type.Object({
  id: Type.String(),
  name: Type.Optional(Nullable(Type.String())),
  requires_setup: Type.Optional(Type.Boolean({ default: false })),
  source_flow_template_id: Type.Optional(Nullable(Uuid())),
  status: Type.Optional(Nullable(StringEnum(['ENABLED', 'DISABLED'] as const))),
  produced_variables: Type.Optional(Type.Array(Type.String())),
  consumed_variables: Type.Optional(Type.Array(Type.String())),
});

const ValidationIssue = Type.Object({
  message_code: Type.String(),
  message: Type.String(),
  params: Type.Optional(Nullable(Type.Record(Type.String(), Type.String()))),
});

const ResponseTransferCallTool = Type.Object(
  {
    type: Type.Optional(Type.Literal('transfer_call', { default: 'transfer_call' })),
    name: toolName(),
    target_number: Type.Optional(Nullable(Type.String())),
    description: Type.Optional(Nullable(Type.String())),
    transfer_type: Type.Optional(StringEnum(['transfer', 'invite'] as const, { default: 'transfer' })),
  },
  { additionalProperties: false },
);

export const AgentResponse = Type.Object({
  agent_id: Uuid(),
  modified_at: DateTime(),
  created_at: DateTime(),
  version_id: Uuid(),
  version_name: Type.Optional(Nullable(Type.String())),
  version_number: Type.Integer(),
  version_created_at: DateTime(),
  is_draft: Type.Optional(Type.Boolean({ default: false })),
  is_published: Type.Optional(Type.Boolean({ default: false })),
  name: Type.Optional(Nullable(Type.String())),
  description: Type.Optional(Nullable(Type.String())),
  prompt: Type.Optional(Nullable(Type.String())),
  greeting: Type.Optional(Nullable(Type.String())),
  time_before_start: Type.Optional(Nullable(Type.Number())),
  voice: VoiceResponse,
  volume: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 50 })),
  language: AvailableLanguages,
  max_reminder_count: Type.Optional(Type.Integer({ minimum: 0, default: 3 })),
  reminder_frequency_ms: Type.Optional(Type.Integer({ default: 7500 })),
  reminder_messages: Type.Optional(Type.Array(Type.String(), { default: [] })),
  knowledge_base_ids: Type.Optional(Nullable(Type.Array(Uuid()), { default: [] })),
  knowledge_item_ids: Type.Optional(Nullable(Type.Array(Uuid()), { default: [] })),
  mode: AgentMode,
  conversational_path_id: Type.Optional(Nullable(Uuid())),
  integrations: Type.Optional(Type.Array(IntegrationToolsResponse, { default: [] })),
  call_tools: Type.Optional(
    Type.Array(Type.Union([ResponseTransferCallTool, HangUpTool, DetectAnsweringMachineTool]), { default: [] }),
  ),
  dynamic_variables: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true }), { default: {} })),
  background_audio: Type.Optional(Nullable(BackgroundAudio)),
  flows: Type.Optional(Type.Array(FlowInfoResponse, { default: [] })),
  source_template_id: Type.Optional(Nullable(Uuid())),
  validation_issues: Type.Optional(Nullable(Type.Array(ValidationIssue))),
});

export const LaunchVersionRequest = Type.Object({
  version_name: Type.Optional(Nullable(Type.String())),
});

export const PublishAgentRequest = Type.Object({
  version_id: Type.Optional(Nullable(Uuid())),
  outbound_phone_number_id: Type.Optional(Nullable(Uuid())),
  inbound_phone_number_id: Type.Optional(Nullable(Uuid())),
});

export const PublishAgentResponse = Type.Object({
  agent_id: Uuid(),
  published_version_id: Type.Optional(Nullable(Uuid())),
  outbound_phone_number_id: Type.Optional(Nullable(Uuid())),
  inbound_phone_number_id: Type.Optional(Nullable(Uuid())),
});

export const VersionItem = Type.Object({
  version_id: Uuid(),
  version_name: Type.Optional(Nullable(Type.String())),
  version_number: Type.Integer(),
  is_published: Type.Optional(Type.Boolean({ default: false })),
  is_draft: Type.Optional(Type.Boolean({ default: false })),
});

export const AgentWithVersionsDropdown = Type.Object({
  agent_id: Uuid(),
  name: Type.Optional(Nullable(Type.String())),
  versions: Type.Array(VersionItem),
});

export const DuplicateAgentRequest = Type.Object({
  target_project_id: Uuid(),
  source_version_id: Type.Optional(Nullable(Uuid())),
  name: Type.Optional(Nullable(Type.String())),
});

export const AgentIdParams = Type.Object({ agent_id: Uuid() });
export const AgentVersionParams = Type.Object({ agent_id: Uuid(), version_id: Uuid() });
