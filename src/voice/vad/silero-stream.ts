import { SpeechSegmenter } from './segmenter.ts';
import { SILERO_CONTEXT_SAMPLES, SILERO_INPUT_SAMPLES, SILERO_STATE_FLOATS, SILERO_WINDOW_SAMPLES } from './silero-model.ts';
import { samplesToMs, type VadEvent, type VadOptions } from './vad.ts';

/** One model input cut from a stream, tagged so a result for a reset stream can be dropped. */
export interface SileroWindow {
  /** Context + window, SILERO_INPUT_SAMPLES floats in [-1, 1]. */
  input: Float32Array;
  generation: number;
}

/**
 * Everything one caller's audio needs between model calls, whoever runs the model:
 * 20 ms frames gathered into 32 ms windows, the 32-sample context each window carries from
 * the one before, the recurrent state, the stream clock and the segmenter.
 * Windows are cut as audio arrives (the context depends only on audio); the state advances
 * only as results come back, in window order.
 */
export class SileroStream {
  /** Samples of the window being filled, plus the previous window's tail in front. */
  private readonly filling = new Float32Array(SILERO_INPUT_SAMPLES);
  private filled = 0;
  /** Recurrent state after the last evaluated window. */
  readonly state = new Float32Array(SILERO_STATE_FLOATS);
  private evaluatedWindows = 0;
  private readonly segmenter: SpeechSegmenter;
  /** Bumped by reset(): results for windows cut before it are ignored. */
  generation = 0;

  constructor(options: VadOptions) {
    this.segmenter = new SpeechSegmenter(options);
  }

  /** Appends audio; returns the model inputs it completed. */
  cut(frame: Int16Array): SileroWindow[] {
    const windows: SileroWindow[] = [];
    for (let i = 0; i < frame.length; i++) {
      this.filling[SILERO_CONTEXT_SAMPLES + this.filled++] = frame[i] / 32768;
      if (this.filled === SILERO_WINDOW_SAMPLES) {
        windows.push({ input: this.filling.slice(), generation: this.generation });
        // The next window's context is this window's last 32 samples.
        this.filling.copyWithin(0, SILERO_INPUT_SAMPLES - SILERO_CONTEXT_SAMPLES);
        this.filled = 0;
      }
    }
    return windows;
  }

  /**
   * Takes the result of the next window in order: its probability and the state after it
   * (already copied into `this.state` by the caller). Returns the boundary it completed.
   */
  accept(probability: number): VadEvent | null {
    const index = this.evaluatedWindows++;
    const startMs = samplesToMs(index * SILERO_WINDOW_SAMPLES);
    const endMs = samplesToMs((index + 1) * SILERO_WINDOW_SAMPLES);
    return this.segmenter.push(probability, startMs, endMs);
  }

  /** A window whose evaluation failed: the clock moves on, the segmenter learns nothing. */
  skip(): void {
    this.evaluatedWindows++;
  }

  reset(): void {
    this.generation++;
    this.filling.fill(0);
    this.filled = 0;
    this.state.fill(0);
    this.evaluatedWindows = 0;
    this.segmenter.reset();
  }
}
