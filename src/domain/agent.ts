// The settings of one agent version: every AgentRequest field of the Diga contract.
// A version is a snapshot, so settings are stored as one JSON document per version.

export const AGENT_LANGUAGES = [
  'es', 'en', 'multi', 'ar', 'be', 'bn', 'bs', 'bg', 'ca', 'hr', 'cs', 'da', 'nl', 'et', 'fi', 'nl-BE', 'fr', 'de',
  'de-CH', 'el', 'he', 'hi', 'hu', 'id', 'it', 'ja', 'kn', 'ko', 'lv', 'lt', 'mk', 'ms', 'mr', 'no', 'fa', 'pl', 'pt',
  'ro', 'ru', 'sr', 'sk', 'sl', 'sv', 'tl', 'ta', 'te', 'tr', 'uk', 'ur', 'vi',
] as const;
export type AgentLanguage = (typeof AGENT_LANGUAGES)[number];

export const AGENT_MODES = ['free', 'path'] as const;
export type AgentMode = (typeof AGENT_MODES)[number];

export const BACKGROUND_AUDIOS = ['call_center', 'cafe', 'road_traffic', 'park', 'office', 'car_garage'] as const;
export type BackgroundAudio = (typeof BACKGROUND_AUDIOS)[number];

export interface TransferCallTool {
  type: 'transfer_call';
  name: string;
  target_number?: string | null;
  description?: string | null;
  transfer_type?: 'transfer' | 'invite';
}
export interface HangUpTool {
  type: 'hang_up';
  name: string;
  description?: string | null;
}
export interface DetectAnsweringMachineTool {
  type: 'detect_answering_machine';
  name: string;
}
export type CallTool = TransferCallTool | HangUpTool | DetectAnsweringMachineTool;

export interface IntegrationTools {
  integration_id: string;
  tool_ids: string[];
}

export interface AgentSettings {
  name: string | null;
  description: string | null;
  prompt: string | null;
  greeting: string | null;
  /** Seconds, as on the wire. */
  time_before_start: number | null;
  voice_id: string;
  volume: number;
  language: AgentLanguage;
  max_reminder_count: number;
  reminder_frequency_ms: number;
  reminder_messages: string[];
  knowledge_base_ids: string[] | null;
  knowledge_item_ids: string[] | null;
  mode: AgentMode;
  conversational_path_id: string | null;
  integrations: IntegrationTools[] | null;
  call_tools: CallTool[] | null;
  dynamic_variables: Record<string, unknown> | null;
  background_audio: BackgroundAudio | null;
  flow_ids: string[] | null;
}

/** Contract defaults for every optional AgentRequest field. */
export function defaultAgentSettings(voiceId: string, language: AgentLanguage): AgentSettings {
  return {
    name: null,
    description: null,
    prompt: null,
    greeting: null,
    time_before_start: null,
    voice_id: voiceId,
    volume: 50,
    language,
    max_reminder_count: 3,
    reminder_frequency_ms: 7500,
    reminder_messages: [],
    knowledge_base_ids: [],
    knowledge_item_ids: [],
    mode: 'free',
    conversational_path_id: null,
    integrations: [],
    call_tools: [],
    dynamic_variables: {},
    background_audio: null,
    flow_ids: [],
  };
}

/** Call-tool names are identifiers: accents are dropped and spaces become `_` ('Transferir a dueño' → 'Transferir_a_dueno'). */
export function normalizeToolName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .replace(/\s+/g, '_');
}
