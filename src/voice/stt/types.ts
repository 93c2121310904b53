// The narrow speech-to-text contract the voice pipeline depends on. Vendor adapters live in
// src/voice/providers/<vendor>/stt.ts and only speak their wire protocol; retries, timeouts
// and fallbacks are layered on top by ResilientStt (resilient-stt.ts).

import type { SttError } from './errors.ts';

/** Caller audio reaches STT as it leaves RTP: 16-bit mono PCM at 8 kHz, 20 ms (160-sample) frames. */
export const STT_SAMPLE_RATE = 8000;

export interface SttOpenOptions {
  /**
   * The agent's language as Diga names it: `es`, `en`, … or `multi` (the provider detects it).
   * Regional forms (`es-ES`) are accepted; each adapter maps the value to what its vendor takes.
   */
  language: string;
  sampleRate: typeof STT_SAMPLE_RATE;
  /** Ask for interim hypotheses while the caller speaks (default true; batch providers have none). */
  interimResults?: boolean;
}

export interface SttResult {
  /**
   * `interim`: a hypothesis of the utterance so far, replaced by the next one.
   * `final`: the utterance's transcript, exactly one per flush(), in flush order.
   */
  type: 'interim' | 'final';
  /** The whole utterance (not a delta); '' when nothing was recognised. */
  text: string;
  /** 0–1 when the provider reports it. */
  confidence?: number;
  /** Where the recognised speech lies, in ms of audio pushed since the stream opened. */
  startMs?: number;
  endMs?: number;
  /** Final only: ms from flush() to this result, the STT share of the turn's latency. */
  latencyMs?: number;
  /** Final only: the provider that transcribed it (after a fallback, not the primary). */
  provider?: string;
  /**
   * Final only, from ResilientStt: no provider could transcribe this utterance (text is '').
   * The stream goes on; the agent can ask the caller to repeat.
   */
  error?: SttError;
}

/** One caller's audio, for the length of a call. */
export interface SttStream {
  /** Caller audio, in order. Ignored after close() or abort. */
  push(frame: Int16Array): void;
  /**
   * End of utterance (our VAD / turn detector decided): finalise what was pushed since the
   * previous flush. Its `final` result follows, even when the utterance was silence ('').
   */
  flush(): void;
  /**
   * Results in order. Iterate once. A raw adapter throws SttError when its connection fails
   * (the stream is then dead); aborting the signal makes it throw SttError('aborted') at once.
   */
  results(): AsyncIterable<SttResult>;
  /**
   * Graceful end: the finals of flushed utterances are still delivered, then results() ends and
   * the vendor connection is closed. Idempotent. Abort the signal to cut it short.
   */
  close(): Promise<void>;
}

export interface SttProvider {
  /** For logs and metrics: vendor and model, never a credential. */
  readonly name: string;
  /**
   * Starts a stream. The connection (if any) is made in the background: audio pushed meanwhile
   * is kept and sent once it is up. Aborting `signal` closes the connection at once.
   */
  open(options: SttOpenOptions, signal: AbortSignal): SttStream;
}
