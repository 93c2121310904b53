// The TTS module's public surface: what the voice pipeline and main.ts import.
export type { TtsProvider, TtsRequest } from './types.ts';
export { TTS_OUTPUT_RATE } from './types.ts';
export { TtsError, type TtsErrorCode } from './errors.ts';
export { createTtsProvider, createTtsEngines, type TtsSettings, type ElevenLabsSettings, type OpenAiTtsSettings, type CreateTtsOptions } from './create-tts.ts';
export { ResilientTts, TTS_RESILIENCE_DEFAULTS, TTS_FAILURE_POLICY, type ResilientTtsOptions } from './resilient-tts.ts';
export { EspeakTts, espeakVoiceFor, espeakVoiceForLanguage } from './espeak-tts.ts';
export { loadVoiceCatalog, type LiveVoiceCatalog, type LoadVoiceCatalogOptions } from './voices.ts';
export { AudioStreamDecoder, type WireAudioFormat } from './audio-stream.ts';
