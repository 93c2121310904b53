// The audio of one utterance, kept until its transcript is final: a batch provider uploads it
// on flush, and ResilientStt replays it to another connection or provider when the first one
// failed, so the caller's words are not lost with the connection.

import { STT_SAMPLE_RATE } from './types.ts';

export class UtteranceAudio {
  readonly #frames: Int16Array[] = [];
  #samples = 0;
  /** Stream position (in samples) of the first sample held. */
  #startSample: number;
  readonly #maxSamples: number;

  /** `maxMs` bounds memory when nobody flushes: the oldest audio is dropped first. */
  constructor(startSample = 0, maxMs = 60_000) {
    this.#startSample = startSample;
    this.#maxSamples = Math.max(1, Math.round((maxMs * STT_SAMPLE_RATE) / 1000));
  }

  append(frame: Int16Array): void {
    if (frame.length === 0) return;
    this.#frames.push(frame);
    this.#samples += frame.length;
    while (this.#samples - this.#frames[0].length >= this.#maxSamples) {
      const dropped = this.#frames.shift()!;
      this.#samples -= dropped.length;
      this.#startSample += dropped.length;
    }
  }

  get frames(): readonly Int16Array[] {
    return this.#frames;
  }

  get samples(): number {
    return this.#samples;
  }

  get startSample(): number {
    return this.#startSample;
  }

  get durationMs(): number {
    return (this.#samples * 1000) / STT_SAMPLE_RATE;
  }

  /** All samples in one array (for a WAV upload). */
  concat(): Int16Array {
    const out = new Int16Array(this.#samples);
    let at = 0;
    for (const frame of this.#frames) {
      out.set(frame, at);
      at += frame.length;
    }
    return out;
  }
}

/** Level of a frame in dBFS (RMS against full scale); -Infinity for digital silence. */
export function levelDbfs(frame: Int16Array): number {
  if (frame.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i] * frame[i];
  return 10 * Math.log10(sum / frame.length / (32768 * 32768));
}

export function samplesToMs(samples: number): number {
  return (samples * 1000) / STT_SAMPLE_RATE;
}
