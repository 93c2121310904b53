import type { Static } from 'typebox';
import {
  defaultAgentSettings, normalizeToolName, type AgentSettings, type CallTool,
} from '../../../domain/agent.ts';
import { AppError } from '../../../domain/errors.ts';
import type { VoiceCatalog } from '../../../voice/catalog.ts';
import { invalidField } from '../../plugins/errors.ts';
import type { AgentRequest, AgentUpdateRequest } from './schemas.ts';

type CreateBody = Static<typeof AgentRequest>;
type UpdateBody = Static<typeof AgentUpdateRequest>;

const SETTING_KEYS = Object.keys(defaultAgentSettings('', 'es')) as (keyof AgentSettings)[];

/** The settings of a new agent: contract defaults, overridden by what the body sets. */
export function settingsFromRequest(body: CreateBody): AgentSettings {
  return mergeSettings(defaultAgentSettings(body.voice_id, body.language), body as Partial<Record<string, unknown>>);
}

/** PATCH semantics: every field sent replaces the draft's value (lists wholesale). */
export function settingsFromUpdate(draft: AgentSettings, body: UpdateBody): AgentSettings {
  checkUpdateBounds(body);
  return mergeSettings(draft, body as Partial<Record<string, unknown>>);
}

function mergeSettings(base: AgentSettings, body: Partial<Record<string, unknown>>): AgentSettings {
  const next: Record<string, unknown> = { ...base };
  for (const key of SETTING_KEYS) {
    if (body[key] !== undefined) next[key] = body[key];
  }
  const settings = next as unknown as AgentSettings;
  if (body.call_tools !== undefined) settings.call_tools = normalizeCallTools(body.call_tools as unknown[] | null);
  // The path id only means something in path mode; a free agent keeps none.
  if (settings.mode === 'free') settings.conversational_path_id = null;
  return settings;
}

// AgentUpdateRequest declares these without bounds, but a stored value outside the bounds of
// AgentRequest would make the agent unusable, so PATCH holds them to the same limits.
function checkUpdateBounds(body: UpdateBody): void {
  const { volume, max_reminder_count: count, reminder_frequency_ms: frequency } = body;
  if (volume !== undefined && (volume < 0 || volume > 100)) {
    const msg = volume < 0 ? 'Input should be greater than or equal to 0' : 'Input should be less than or equal to 100';
    throw invalidField(['body', 'volume'], msg, volume < 0 ? 'greater_than_equal' : 'less_than_equal');
  }
  if (count !== undefined && count < 0) {
    throw invalidField(['body', 'max_reminder_count'], 'Input should be greater than or equal to 0', 'greater_than_equal');
  }
  if (frequency !== undefined && frequency < 1000) {
    throw invalidField(['body', 'reminder_frequency_ms'], 'Input should be greater than or equal to 1000', 'greater_than_equal');
  }
}

function normalizeCallTools(tools: unknown[] | null): CallTool[] | null {
  if (tools === null) return null;
  const seen = new Set<string>();
  return tools.map((raw, index) => {
    const tool = { ...(raw as Record<string, unknown>) };
    if (typeof tool.type !== 'string') {
      throw invalidField(['body', 'call_tools', index], "Unable to extract tag using discriminator 'type'", 'union_tag_not_found');
    }
    const name = normalizeToolName(String(tool.name));
    if (name === '') throw invalidField(['body', 'call_tools', index, 'name'], 'Call tool name cannot be empty', 'value_error');
    if (seen.has(name)) throw new AppError('BAD_PARAMETER', `Call tool name '${name}' is used more than once`);
    seen.add(name);
    tool.name = name;
    if (tool.type === 'transfer_call') {
      tool.target_number = tool.target_number ?? tool.phone_number ?? null;
      delete tool.phone_number;
      tool.transfer_type ??= 'transfer';
    }
    return tool as unknown as CallTool;
  });
}

/**
 * References an agent makes must exist. Voices come from the catalogue. Conversational
 * paths, knowledge bases, integrations and workflows are not implemented by Habla yet, so no
 * id can name one: a non-empty reference is a bad parameter rather than a dangling id.
 */
export function checkReferences(settings: AgentSettings, voices: VoiceCatalog): void {
  if (!voices.get(settings.voice_id)) throw new AppError('VOICE_NOT_FOUND', `Voice ${settings.voice_id} not found`);
  if (settings.mode === 'path') {
    if (!settings.conversational_path_id) {
      throw new AppError('BAD_PARAMETER', "conversational_path_id is required when mode is 'path'");
    }
    throw new AppError('BAD_PARAMETER', `Conversational path ${settings.conversational_path_id} not found`);
  }
  const unknown: [string, unknown[] | null][] = [
    ['knowledge base', settings.knowledge_base_ids],
    ['knowledge item', settings.knowledge_item_ids],
    ['integration', settings.integrations],
    ['workflow', settings.flow_ids],
  ];
  for (const [kind, ids] of unknown) {
    if (ids && ids.length > 0) throw new AppError('BAD_PARAMETER', `Unknown ${kind} referenced by the agent`);
  }
}
