import { putStateRow, SileroModel, SILERO_INPUT_SAMPLES, SILERO_STATE_FLOATS, takeStateRow, type SileroModelOptions, type SileroModelStats } from './silero-model.ts';
import { SileroStream, type SileroWindow } from './silero-stream.ts';
import { resolveVadOptions, type Vad, type VadEvent, type VadOptions } from './vad.ts';

/**
 * Silero v5 for many concurrent calls through one ONNX session: windows pending from
 * different streams are evaluated in one model call ([B, 288] input, [2, B, 128] state).
 * Per window that costs a fraction of B separate calls (see README.md), which is what lets
 * one Node process run the model for 100+ calls without starving its media path.
 *
 * When: windows queued during one event-loop turn (all RTP packets read in one poll phase)
 * run together on the next turn; while a batch runs, new windows queue up for the next.
 * A stream contributes at most one window per batch, since its next window needs the state
 * this one produces. Streams with more pending windows go round-robin.
 */

export interface SileroVadPoolOptions {
  /** A loaded model to use (the caller releases it); without it the pool loads and owns one. */
  model?: SileroModel;
  modelOptions?: SileroModelOptions;
  /**
   * Most windows per model call (default 32, ~1 ms on these machines). Bigger batches are a
   * little cheaper per window but hold the event loop longer in one piece.
   */
  maxBatch?: number;
  /** Wait this long for more windows before a run; 0 (default) means the next event-loop turn. */
  batchDelayMs?: number;
}

interface Job {
  stream: PooledStream;
  window: SileroWindow;
  resolve(event: VadEvent | null): void;
  reject(error: unknown): void;
}

interface PooledStream {
  readonly silero: SileroStream;
  readonly queue: Job[];
}

export class SileroVadPool {
  private readonly maxBatch: number;
  private readonly batchDelayMs: number;
  /** Streams with queued windows, in the order they get their next turn. */
  private readonly ready = new Set<PooledStream>();
  private readonly streams = new Set<PooledStream>();
  private scheduled = false;
  private draining: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly model: SileroModel,
    private readonly ownsModel: boolean,
    options: SileroVadPoolOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 32;
    this.batchDelayMs = options.batchDelayMs ?? 0;
    if (!(Number.isInteger(this.maxBatch) && this.maxBatch >= 1)) throw new RangeError('maxBatch must be an integer ≥ 1');
    if (!(this.batchDelayMs >= 0)) throw new RangeError('batchDelayMs must be ≥ 0');
  }

  static async create(options: SileroVadPoolOptions = {}): Promise<SileroVadPool> {
    if (options.model) return new SileroVadPool(options.model, false, options);
    return new SileroVadPool(await SileroModel.load(options.modelOptions), true, options);
  }

  /** Inference counters: mean batch = windows / runs. */
  get stats(): Readonly<SileroModelStats> {
    return this.model.stats;
  }

  /** Streams created and not yet closed. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** A detector for one call's audio, evaluated in this pool's batches. */
  createVad(options: Partial<VadOptions> = {}): Vad {
    if (this.closed) throw new Error('Silero VAD pool closed');
    const stream: PooledStream = { silero: new SileroStream(resolveVadOptions(options)), queue: [] };
    this.streams.add(stream);
    return new PooledSileroVad(this, stream);
  }

  /** Waits for the batch in flight, fails what is still queued, releases an owned model. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.draining;
    for (const stream of this.streams) {
      for (const job of stream.queue.splice(0)) job.reject(new Error('Silero VAD pool closed'));
    }
    this.ready.clear();
    this.streams.clear();
    if (this.ownsModel) await this.model.release();
  }

  /** @internal Queues one window of `stream`; resolves with the boundary it completes. */
  enqueue(stream: PooledStream, window: SileroWindow): Promise<VadEvent | null> {
    if (this.closed) return Promise.reject(new Error('Silero VAD pool closed'));
    return new Promise((resolve, reject) => {
      stream.queue.push({ stream, window, resolve, reject });
      this.ready.add(stream);
      this.schedule();
    });
  }

  /** @internal */
  detach(stream: PooledStream): void {
    this.streams.delete(stream);
  }

  private schedule(): void {
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      this.draining = this.drain().finally(() => {
        this.draining = null;
        if (this.ready.size > 0 && !this.closed) this.schedule();
      });
    };
    if (this.batchDelayMs > 0) setTimeout(start, this.batchDelayMs);
    else setImmediate(start);
  }

  private async drain(): Promise<void> {
    while (this.ready.size > 0 && !this.closed) {
      const batch = this.takeBatch();
      if (batch.length > 0) await this.runBatch(batch);
    }
  }

  /** The head window of up to maxBatch streams; windows cut before a reset are dropped. */
  private takeBatch(): Job[] {
    const batch: Job[] = [];
    for (const stream of [...this.ready]) {
      if (batch.length === this.maxBatch) break;
      this.ready.delete(stream);
      let job = stream.queue.shift();
      while (job && job.window.generation !== stream.silero.generation) {
        job.resolve(null);
        job = stream.queue.shift();
      }
      if (job) batch.push(job);
      if (stream.queue.length > 0) this.ready.add(stream); // to the back of the line
    }
    return batch;
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const size = batch.length;
    const input = new Float32Array(size * SILERO_INPUT_SAMPLES);
    const state = new Float32Array(size * SILERO_STATE_FLOATS);
    batch.forEach((job, row) => {
      input.set(job.window.input, row * SILERO_INPUT_SAMPLES);
      putStateRow(state, size, row, job.stream.silero.state);
    });
    let result;
    try {
      result = await this.model.run(input, state, size);
    } catch (error) {
      for (const job of batch) {
        if (job.window.generation === job.stream.silero.generation) job.stream.silero.skip();
        job.reject(error);
      }
      return;
    }
    batch.forEach((job, row) => {
      const silero = job.stream.silero;
      if (job.window.generation !== silero.generation) return job.resolve(null); // reset meanwhile
      takeStateRow(result.state, size, row, silero.state);
      job.resolve(silero.accept(result.probabilities[row]));
    });
  }
}

class PooledSileroVad implements Vad {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly pool: SileroVadPool,
    private readonly stream: PooledStream,
  ) {}

  process(frame: Int16Array): Promise<VadEvent[]> {
    if (this.closed) return Promise.reject(new Error('VAD closed'));
    const jobs = this.stream.silero.cut(frame).map((window) => this.pool.enqueue(this.stream, window));
    // Chained on the previous call, so overlapping calls resolve in call order.
    const result = Promise.all([this.tail, ...jobs]).then(([, ...events]) =>
      (events as (VadEvent | null)[]).filter((event): event is VadEvent => event !== null),
    );
    this.tail = result.catch(() => undefined);
    return result;
  }

  reset(): void {
    this.stream.silero.reset();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    this.pool.detach(this.stream);
  }
}
