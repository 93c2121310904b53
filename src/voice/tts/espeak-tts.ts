// espeak-ng behind the streaming TtsProvider interface. espeak writes a whole sentence in
// ~50 ms, so it is read in one piece and yielded as one chunk: streaming its stdout would
// save a few milliseconds and cost a WAV parser on a pipe.

import type { Voice } from '../catalog.ts';
import { stableVoiceId } from '../espeak-catalog.ts';
import { synthesizeEspeak } from './espeak.ts';
import { abortedError } from './errors.ts';
import type { TtsProvider, TtsRequest } from './types.ts';

export interface EspeakTtsOptions {
  /** Words per minute (espeak's default is 175). */
  speedWpm?: number;
}

export class EspeakTts implements TtsProvider {
  readonly name = 'espeak-ng';
  readonly #speedWpm: number | undefined;

  constructor(options: EspeakTtsOptions = {}) {
    this.#speedWpm = options.speedWpm;
  }

  async *synthesize(request: TtsRequest, signal: AbortSignal): AsyncGenerator<Int16Array> {
    if (signal.aborted) throw abortedError(signal);
    const pcm = await synthesizeEspeak(request.text, { voice: request.voice.provider_voice_id, signal, speedWpm: this.#speedWpm });
    if (pcm.length > 0) yield pcm;
  }
}

/** The espeak voice that speaks `language` (agent language: es, en, es-ES, ca…). */
export function espeakVoiceForLanguage(language: string): string {
  const base = language.toLowerCase().split(/[-_]/)[0];
  if (base === 'en') return 'en-us';
  // `mul` (a multilingual voice's language) names no espeak voice: Spanish is Habla's default.
  return /^[a-z]{2,3}$/.test(base) && base !== 'mul' ? base : 'es';
}

/** A catalogue-shaped espeak voice for `language`, for speaking when the chosen engine cannot. */
export function espeakVoiceFor(language: string): Voice {
  const voiceId = espeakVoiceForLanguage(language);
  return {
    id: stableVoiceId('espeak', voiceId),
    name: `espeak ${voiceId}`,
    provider: 'espeak',
    provider_voice_id: voiceId,
    preview_urls: null,
    gender: null,
    language: voiceId.split('-')[0],
  };
}
