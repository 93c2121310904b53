import { SileroModel, type SileroModelOptions, type SileroModelStats } from './silero-model.ts';
import { SileroStream, type SileroWindow } from './silero-stream.ts';
import { resolveVadOptions, type Vad, type VadEvent, type VadOptions } from './vad.ts';

export interface SileroVadOptions extends Partial<VadOptions> {
  /**
   * A loaded model to share between detectors (one session, ~2 MB, instead of one each);
   * the caller keeps ownership and releases it. Without it the detector loads and owns one.
   */
  model?: SileroModel;
  modelOptions?: SileroModelOptions;
}

/**
 * Silero v5 for one stream, one 32 ms window per model call. For many concurrent calls
 * SileroVadPool batches windows across streams into one call, which is several times cheaper
 * per window (see README.md); this is the plain reference it is tested against.
 */
export class SileroVad implements Vad {
  private readonly stream: SileroStream;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly model: SileroModel,
    private readonly ownsModel: boolean,
    options: VadOptions,
  ) {
    this.stream = new SileroStream(options);
  }

  static async create(options: SileroVadOptions = {}): Promise<SileroVad> {
    const { model, modelOptions, ...vadOptions } = options;
    const resolved = resolveVadOptions(vadOptions); // before loading: bad options fail fast
    if (model) return new SileroVad(model, false, resolved);
    return new SileroVad(await SileroModel.load(modelOptions), true, resolved);
  }

  /** Inference counters of the model (shared by every detector using it). */
  get stats(): Readonly<SileroModelStats> {
    return this.model.stats;
  }

  process(frame: Int16Array): Promise<VadEvent[]> {
    if (this.closed) return Promise.reject(new Error('VAD closed'));
    const windows = this.stream.cut(frame);
    if (windows.length === 0) return this.tail.then(() => []);
    const result = this.tail.then(() => this.evaluate(windows));
    this.tail = result.catch(() => undefined);
    return result;
  }

  reset(): void {
    this.stream.reset();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    if (this.ownsModel) await this.model.release();
  }

  /**
   * Runs windows one at a time: each needs the state the previous one produced. If the model
   * fails, the rest of these windows are skipped (the stream clock still counts them) and
   * the promise rejects.
   */
  private async evaluate(windows: SileroWindow[]): Promise<VadEvent[]> {
    const events: VadEvent[] = [];
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i];
      if (window.generation !== this.stream.generation) continue; // cut before a reset
      let result;
      try {
        result = await this.model.run(window.input, this.stream.state, 1);
      } catch (error) {
        for (const skipped of windows.slice(i)) if (skipped.generation === this.stream.generation) this.stream.skip();
        throw error;
      }
      if (window.generation !== this.stream.generation) continue;
      this.stream.state.set(result.state); // [2, 1, 128] is the stream's own layout
      const event = this.stream.accept(result.probabilities[0]);
      if (event) events.push(event);
    }
    return events;
  }
}
