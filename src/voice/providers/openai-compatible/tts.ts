// TTS adapter for any server speaking OpenAI's speech endpoint (OpenAI, and self-hosted
// servers such as Kokoro-FastAPI, openedai-speech, LocalAI): POST {baseUrl}/audio/speech and
// read the audio body as it streams. `pcm` (raw 16-bit mono at 24 kHz, as OpenAI documents
// it) is the default: no header to wait for, no decoder. `wav` is for servers that do not
// offer pcm, or whose pcm is at another rate: the rate is read from the WAV header.
// No retries or timeouts here: ResilientTts adds them around any engine.

import type { Voice } from '../../catalog.ts';
import { stableVoiceId } from '../../espeak-catalog.ts';
import type { WireAudioFormat } from '../../tts/audio-stream.ts';
import { abortedError } from '../../tts/errors.ts';
import { streamAudio } from '../../tts/http-audio.ts';
import type { TtsProvider, TtsRequest } from '../../tts/types.ts';

export type OpenAiSpeechFormat = 'pcm' | 'wav';

/** OpenAI's `pcm`: 24 kHz, 16-bit signed little-endian, mono. */
export const OPENAI_PCM_RATE = 24_000;

export interface OpenAiCompatibleTtsOptions {
  /** Up to and including the version: `https://api.openai.com/v1`, `http://127.0.0.1:8880/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; optional for local servers. */
  apiKey?: string;
  /** `tts-1`, `gpt-4o-mini-tts`, `kokoro`… */
  model: string;
  responseFormat?: OpenAiSpeechFormat;
}

export class OpenAiCompatibleTts implements TtsProvider {
  readonly name: string;
  readonly #url: string;
  readonly #model: string;
  readonly #format: OpenAiSpeechFormat;
  // A private field: logging or inspecting the provider object cannot reveal the key.
  readonly #apiKey: string | undefined;

  constructor(options: OpenAiCompatibleTtsOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('baseUrl must be an http(s) URL');
    this.#url = `${options.baseUrl.replace(/\/+$/, '')}/audio/speech`;
    this.#model = options.model;
    this.#apiKey = options.apiKey || undefined;
    this.#format = options.responseFormat ?? 'pcm';
    this.name = `openai-compatible-tts:${options.model}@${base.host}`;
  }

  async *synthesize(request: TtsRequest, signal: AbortSignal): AsyncGenerator<Int16Array> {
    if (signal.aborted) throw abortedError(signal);
    if (request.text.trim() === '') return;
    const headers: Record<string, string> = { accept: this.#format === 'wav' ? 'audio/wav' : 'audio/pcm' };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    const format: WireAudioFormat = this.#format === 'wav' ? { encoding: 'wav' } : { encoding: 'pcm_s16le', sampleRate: OPENAI_PCM_RATE };
    yield* streamAudio({
      url: this.#url,
      headers,
      body: { model: this.#model, input: request.text, voice: request.voice.provider_voice_id, response_format: this.#format },
      vendor: 'OpenAI-compatible TTS',
      secret: this.#apiKey,
      format,
    }, signal);
  }
}

/** The voices every OpenAI speech model has (tts-1, tts-1-hd, gpt-4o-mini-tts). */
const OPENAI_VOICES = ['alloy', 'ash', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer'];
/** Voices only gpt-4o-mini-tts (and later gpt-4o TTS models) speak with. */
const GPT_4O_TTS_VOICES = ['ballad', 'verse', 'marin', 'cedar'];

/** The documented voice names for `model`, unless the operator listed the server's own. */
export function openAiSpeechVoiceNames(model: string, configured?: readonly string[]): string[] {
  if (configured && configured.length > 0) return [...configured];
  return /^gpt-4o.*tts/.test(model) ? [...OPENAI_VOICES, ...GPT_4O_TTS_VOICES] : [...OPENAI_VOICES];
}

/**
 * Catalogue entries for an OpenAI-compatible server's voices. OpenAI publishes neither gender
 * nor a language for them, and they speak the language of the text: `mul` (BCP 47's
 * "multiple languages") rather than a guess.
 */
export function openAiSpeechVoices(names: readonly string[]): Voice[] {
  return names.map((name) => ({
    id: stableVoiceId('openai', name),
    name: name.charAt(0).toUpperCase() + name.slice(1),
    provider: 'openai',
    provider_voice_id: name,
    preview_urls: null,
    gender: null,
    language: 'mul',
  }));
}
