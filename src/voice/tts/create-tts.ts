// Builds the TtsProvider configuration asks for: espeak-ng always, ElevenLabs and an
// OpenAI-compatible speech server when configured, with the shared resilience around them.
// The settings type mirrors Config['tts'] (src/config) structurally: voice/ does not import config.

import type { Logger } from 'pino';
import { ElevenLabsTts, type ElevenLabsOutputFormat } from '../providers/elevenlabs/tts.ts';
import { OpenAiCompatibleTts, type OpenAiSpeechFormat } from '../providers/openai-compatible/tts.ts';
import type { ResilienceEvent, ResilienceOptions } from '../providers/resilience.ts';
import { EspeakTts } from './espeak-tts.ts';
import { ResilientTts, type TtsEngines } from './resilient-tts.ts';

export interface ElevenLabsSettings {
  apiKey: string;
  /** Without the version: `https://api.elevenlabs.io`. */
  baseUrl: string;
  model: string;
  outputFormat: ElevenLabsOutputFormat;
}

export interface OpenAiTtsSettings {
  /** Up to and including the version: `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  responseFormat: OpenAiSpeechFormat;
  /** The server's voice names when they are not OpenAI's (self-hosted servers). */
  voices: string[] | undefined;
}

export interface TtsSettings {
  elevenlabs: ElevenLabsSettings | undefined;
  openai: OpenAiTtsSettings | undefined;
  /** An engine that yields no audio within this long is abandoned for the fallback. */
  firstByteTimeoutMs: number;
}

export interface CreateTtsOptions {
  logger?: Pick<Logger, 'warn'>;
  /** Overrides of the resilience defaults (TTS_RESILIENCE_DEFAULTS). */
  resilience?: ResilienceOptions;
  espeakFallback?: boolean;
  /** Every retry and fallback, for metrics and tests (they are also logged). */
  onEvent?: (event: ResilienceEvent) => void;
}

export function createTtsProvider(settings: TtsSettings, options: CreateTtsOptions = {}): ResilientTts {
  return new ResilientTts(createTtsEngines(settings), {
    logger: options.logger,
    espeakFallback: options.espeakFallback,
    onEvent: options.onEvent,
    firstItemTimeoutMs: settings.firstByteTimeoutMs,
    ...options.resilience,
  });
}

/** One engine per configured catalogue provider, keyed by the provider name voices carry. */
export function createTtsEngines(settings: Pick<TtsSettings, 'elevenlabs' | 'openai'>): TtsEngines {
  const engines: Record<string, EspeakTts | ElevenLabsTts | OpenAiCompatibleTts> = { espeak: new EspeakTts() };
  if (settings.elevenlabs) engines.elevenlabs = new ElevenLabsTts(settings.elevenlabs);
  if (settings.openai) engines.openai = new OpenAiCompatibleTts(settings.openai);
  return engines;
}
