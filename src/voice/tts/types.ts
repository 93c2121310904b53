import type { Voice } from '../catalog.ts';

/** What the agent wants said, in which catalogue voice. */
export interface TtsRequest {
  text: string;
  /** The catalogue entry; its `provider` picks the engine, `provider_voice_id` the engine's voice. */
  voice: Voice;
  /** The conversation's language (agent `language`: es, en, es-ES…). */
  language: string;
}

/**
 * A speech engine that streams. Chunks are mono 16-bit PCM at 8 kHz, yielded as soon as they
 * are decoded (never empty), so the first one can play while the rest is still on the wire.
 * Aborting `signal` (or leaving the loop) stops the synthesis and closes its connection at
 * once; the iteration then throws TtsError('ABORTED'). Adapters neither retry nor time out:
 * ResilientTts does that around them.
 */
export interface TtsProvider {
  readonly name: string;
  synthesize(request: TtsRequest, signal: AbortSignal): AsyncIterable<Int16Array>;
}

/** The rate every TtsProvider yields: the telephone band, what G.711 carries. */
export const TTS_OUTPUT_RATE = 8000;
