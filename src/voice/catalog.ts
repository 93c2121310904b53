// The voices the configured TTS engines really offer. Voice ids are stable UUIDs derived
// from (provider, provider_voice_id), so they survive restarts without a table.

export interface Voice {
  id: string;
  name: string;
  /** `elevenlabs`, or Habla's extensions to the contract's VoiceProvider enum: `espeak`, `openai`. */
  provider: string;
  provider_voice_id: string;
  preview_urls: Record<string, string> | null;
  gender: string | null;
  /** BCP-47-ish language code the voice speaks (es, en, …); `mul`: any, the language of the text. */
  language: string;
}

export interface VoiceCatalog {
  /** All voices, in a stable order. */
  list(): readonly Voice[];
  get(id: string): Voice | undefined;
}
