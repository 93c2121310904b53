// ElevenLabs text-to-speech over its HTTP streaming endpoint: one POST per utterance, the
// audio body read as it arrives. µ-law at 8 kHz is asked for by default: it is the telephone
// line's own format (no resampling, and our G.711 encoder gives the same bytes back), and at
// one byte per sample it reaches us twice as fast as 16-bit PCM. pcm_* formats are resampled.
// No retries or timeouts here: ResilientTts adds them around any engine.

import { abortedError } from '../../tts/errors.ts';
import type { WireAudioFormat } from '../../tts/audio-stream.ts';
import { streamAudio } from '../../tts/http-audio.ts';
import type { TtsProvider, TtsRequest } from '../../tts/types.ts';

/** The output formats we can decode (ElevenLabs also offers mp3/opus, which would need a decoder). */
export const ELEVENLABS_OUTPUT_FORMATS = [
  'ulaw_8000', 'pcm_8000', 'pcm_16000', 'pcm_22050', 'pcm_24000', 'pcm_44100', 'pcm_48000',
] as const;
export type ElevenLabsOutputFormat = (typeof ELEVENLABS_OUTPUT_FORMATS)[number];

export const ELEVENLABS_DEFAULT_BASE_URL = 'https://api.elevenlabs.io';
/** The lowest-latency multilingual model (~75 ms of model time), made for conversational agents. */
export const ELEVENLABS_DEFAULT_MODEL = 'eleven_flash_v2_5';

export interface ElevenLabsOptions {
  apiKey: string;
  /** Without the version: `https://api.elevenlabs.io`. */
  baseUrl?: string;
  model?: string;
  outputFormat?: ElevenLabsOutputFormat;
  /** Sent as `voice_settings` when given (stability, similarity_boost, speed…). */
  voiceSettings?: Record<string, number | boolean>;
}

export class ElevenLabsTts implements TtsProvider {
  readonly name: string;
  readonly #baseUrl: string;
  readonly #model: string;
  readonly #outputFormat: ElevenLabsOutputFormat;
  readonly #voiceSettings: Record<string, number | boolean> | undefined;
  // A private field: logging or inspecting the provider object cannot reveal the key.
  readonly #apiKey: string;

  constructor(options: ElevenLabsOptions) {
    this.#baseUrl = httpBase(options.baseUrl ?? ELEVENLABS_DEFAULT_BASE_URL);
    this.#apiKey = options.apiKey;
    this.#model = options.model ?? ELEVENLABS_DEFAULT_MODEL;
    this.#outputFormat = options.outputFormat ?? 'ulaw_8000';
    this.#voiceSettings = options.voiceSettings;
    this.name = `elevenlabs:${this.#model}`;
  }

  async *synthesize(request: TtsRequest, signal: AbortSignal): AsyncGenerator<Int16Array> {
    if (signal.aborted) throw abortedError(signal);
    if (request.text.trim() === '') return;
    const voiceId = encodeURIComponent(request.voice.provider_voice_id);
    const body: Record<string, unknown> = { text: request.text, model_id: this.#model };
    const languageCode = languageCodeFor(this.#model, request.language);
    if (languageCode) body.language_code = languageCode;
    if (this.#voiceSettings) body.voice_settings = this.#voiceSettings;
    yield* streamAudio({
      url: `${this.#baseUrl}/v1/text-to-speech/${voiceId}/stream?output_format=${this.#outputFormat}`,
      headers: { 'xi-api-key': this.#apiKey, accept: 'audio/*' },
      body,
      vendor: 'ElevenLabs',
      secret: this.#apiKey,
      format: wireFormat(this.#outputFormat),
    }, signal);
  }
}

export function wireFormat(format: ElevenLabsOutputFormat): WireAudioFormat {
  const [codec, rate] = format.split('_');
  return { encoding: codec === 'ulaw' ? 'ulaw' : 'pcm_s16le', sampleRate: Number(rate) };
}

/**
 * `language_code` (ISO 639-1) makes the v2.5 models read numbers, dates and ambiguous words in
 * the call's language. Only those models accept it; older ones answer 400 when it is sent.
 */
function languageCodeFor(model: string, language: string): string | undefined {
  if (!/_v2_5$/.test(model)) return undefined;
  const code = language.toLowerCase().split(/[-_]/)[0];
  return /^[a-z]{2}$/.test(code) ? code : undefined;
}

export function httpBase(raw: string): string {
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must be an http(s) URL');
  return raw.replace(/\/+$/, '');
}
