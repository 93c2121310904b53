/**
 * Voice activity detection on caller audio: 16-bit PCM at 8 kHz, normally one 20 ms frame
 * (160 samples) at a time, as `CallAudio.onAudio` delivers it. Two implementations share
 * these types and one segmenter (segmenter.ts): Silero v5 on onnxruntime-node, and an
 * energy detector as the fallback that needs no model.
 */

export const VAD_SAMPLE_RATE = 8000;

export type VadEventType = 'speech_start' | 'speech_end';

export interface VadEvent {
  type: VadEventType;
  /**
   * Stream time of the boundary in ms since the stream began (or the last reset), padding
   * included: speech starts `speechPadMs` before the first speech window, and ends
   * `speechPadMs` after the last one.
   */
  atMs: number;
  /**
   * Stream time at which the decision was made (the end of the window that confirmed it).
   * `detectedAtMs - atMs` is what the detector cost: minSpeechMs-ish for a start, the
   * endpointing silence for an end.
   */
  detectedAtMs: number;
  /** Speech probability (0–1) of the window that decided; a pseudo-probability for EnergyVad. */
  probability: number;
}

export interface Vad {
  /**
   * Feeds caller audio (any length; 20 ms frames in practice). Resolves with the boundaries
   * this audio completed, in stream order. Calls may overlap: results resolve in call order.
   */
  process(frame: Int16Array): Promise<VadEvent[]>;
  /** Forgets all audio and model state; stream time restarts at 0. No event is emitted. */
  reset(): void;
  /** Releases what this detector owns. Idempotent; `process` afterwards rejects. */
  close(): Promise<void>;
}

export interface VadOptions {
  /** A window at or above this probability is speech. */
  threshold: number;
  /** Below this a window is silence; between the two the current state holds (hysteresis). */
  negativeThreshold: number;
  /** Speech must last this long before speech_start is emitted (filters clicks and coughs). */
  minSpeechMs: number;
  /** Endpointing: silence this long after speech emits speech_end. */
  minSilenceMs: number;
  /** Widens each segment by this much on both sides, so cut audio does not clip phonemes. */
  speechPadMs: number;
}

/**
 * Silero's own streaming defaults for the thresholds and padding. minSpeechMs is low so a
 * caller's barge-in is noticed quickly; minSilenceMs is the end-of-turn silence most voice
 * agents ship with (LiveKit's Silero plugin uses 550 ms).
 */
export const DEFAULT_VAD_OPTIONS: Readonly<VadOptions> = Object.freeze({
  threshold: 0.5,
  negativeThreshold: 0.35,
  minSpeechMs: 100,
  minSilenceMs: 500,
  speechPadMs: 30,
});

/** Fills defaults and refuses values the segmenter cannot work with. */
export function resolveVadOptions(options: Partial<VadOptions> = {}): VadOptions {
  const resolved: VadOptions = { ...DEFAULT_VAD_OPTIONS };
  for (const [key, value] of Object.entries(options) as [keyof VadOptions, number | undefined][]) {
    if (value !== undefined) resolved[key] = value;
  }
  const { threshold, negativeThreshold } = resolved;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`VAD threshold must be in (0, 1], got ${threshold}`);
  if (!(negativeThreshold >= 0 && negativeThreshold <= threshold)) {
    throw new RangeError(`VAD negativeThreshold must be in [0, threshold], got ${negativeThreshold}`);
  }
  for (const key of ['minSpeechMs', 'minSilenceMs', 'speechPadMs'] as const) {
    const v = resolved[key];
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`VAD ${key} must be a finite number ≥ 0, got ${v}`);
  }
  if (resolved.speechPadMs > resolved.minSilenceMs) {
    // An end padded past the silence that confirmed it would lie in the future.
    throw new RangeError('VAD speechPadMs must not exceed minSilenceMs');
  }
  return resolved;
}

/** Stream time in ms of a sample index at 8 kHz. */
export function samplesToMs(samples: number): number {
  return (samples * 1000) / VAD_SAMPLE_RATE;
}
