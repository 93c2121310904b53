import type { VadEvent, VadOptions } from './vad.ts';

/**
 * Turns per-window speech probabilities into speech_start / speech_end boundaries. Pure: it
 * is fed each analysis window's probability and stream times, and returns the event (if
 * any) that window completes. Both detectors use it, so they mean the same by an event.
 *
 * Hysteresis as in Silero's VADIterator: a window ≥ threshold is speech, < negativeThreshold
 * is silence, and anything between keeps whatever is being timed going. A start is confirmed
 * after minSpeechMs of not-silence beginning with a speech window; an end after minSilenceMs
 * that began with a silence window and saw no speech window since.
 */
export class SpeechSegmenter {
  private readonly options: VadOptions;
  private speaking = false;
  /** Start of the speech being confirmed (not speaking) or of the silence being timed (speaking). */
  private pendingSinceMs: number | null = null;
  /** Where the last segment ended, so a padded start never reaches back into it. */
  private lastEndMs = 0;

  constructor(options: VadOptions) {
    this.options = options;
  }

  get isSpeaking(): boolean {
    return this.speaking;
  }

  /** One analysis window covering [startMs, endMs) of the stream. */
  push(probability: number, startMs: number, endMs: number): VadEvent | null {
    return this.speaking ? this.whileSpeaking(probability, startMs, endMs) : this.whileSilent(probability, startMs, endMs);
  }

  reset(): void {
    this.speaking = false;
    this.pendingSinceMs = null;
    this.lastEndMs = 0;
  }

  private whileSilent(probability: number, startMs: number, endMs: number): VadEvent | null {
    const { threshold, negativeThreshold, minSpeechMs, speechPadMs } = this.options;
    if (this.pendingSinceMs === null) {
      if (probability < threshold) return null;
      this.pendingSinceMs = startMs;
    } else if (probability < negativeThreshold) {
      this.pendingSinceMs = null; // too short: a click, not speech
      return null;
    }
    if (endMs - this.pendingSinceMs < minSpeechMs) return null;
    const atMs = Math.max(this.lastEndMs, this.pendingSinceMs - speechPadMs);
    this.speaking = true;
    this.pendingSinceMs = null;
    return { type: 'speech_start', atMs, detectedAtMs: endMs, probability };
  }

  private whileSpeaking(probability: number, startMs: number, endMs: number): VadEvent | null {
    const { threshold, negativeThreshold, minSilenceMs, speechPadMs } = this.options;
    if (probability >= threshold) {
      this.pendingSinceMs = null; // speech resumed: the pause was part of the turn
      return null;
    }
    if (this.pendingSinceMs === null) {
      if (probability >= negativeThreshold) return null;
      this.pendingSinceMs = startMs;
    }
    if (endMs - this.pendingSinceMs < minSilenceMs) return null;
    const atMs = Math.min(endMs, this.pendingSinceMs + speechPadMs);
    this.speaking = false;
    this.pendingSinceMs = null;
    this.lastEndMs = atMs;
    return { type: 'speech_end', atMs, detectedAtMs: endMs, probability };
  }
}
