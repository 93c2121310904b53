// The main thread's end of the decoding worker: starts it (the model loads at once, at boot),
// numbers the streams, routes what the worker says to them, and when the worker dies fails
// every stream that depended on it (ResilientStt then replays their audio into a new stream,
// and the next open() starts a new worker). The worker only keeps the process alive while a
// stream is open or the model is loading: an idle recogniser never holds up the exit.

import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { SttError } from '../../stt/errors.ts';
import type { DecodeCounters, FromWorker, SherpaWorkerData, ToWorker } from './protocol.ts';
import { sherpaWorkerSource } from './worker-boot.ts';

export interface WorkerStreamSink {
  onInterim(message: Extract<FromWorker, { t: 'interim' }>): void;
  onFinal(message: Extract<FromWorker, { t: 'final' }>): void;
  onFailure(error: SttError): void;
}

export class SherpaWorkerHost {
  /** Decode work of the current worker (from its latest final). */
  counters: DecodeCounters = { steps: 0, streamSteps: 0, totalMs: 0, maxMs: 0 };
  /** Set once the current worker loaded the model. */
  loadMs: number | undefined;
  readonly #data: SherpaWorkerData;
  readonly #logger: Pick<Logger, 'warn'> | undefined;
  readonly #sinks = new Map<number, WorkerStreamSink>();
  #worker: Worker | undefined;
  #ready!: Promise<void>;
  #nextId = 1;
  #closed = false;

  constructor(data: SherpaWorkerData, logger?: Pick<Logger, 'warn'>) {
    this.#data = data;
    this.#logger = logger;
    this.#start();
  }

  /** Resolves once the worker loaded the model; rejects with its error if it could not. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** A new stream on the worker (started again if the last one died). */
  open(sink: WorkerStreamSink, interim: boolean): number {
    if (this.#closed) throw new SttError('aborted', 'sherpa-onnx recogniser closed');
    if (!this.#worker) {
      this.#logger?.warn({ provider: 'sherpa-onnx' }, 'sherpa-onnx worker restarting');
      this.#start();
    }
    const id = this.#nextId++;
    this.#sinks.set(id, sink);
    if (this.#sinks.size === 1 && this.loadMs !== undefined) this.#worker!.ref();
    this.send({ t: 'open', id, interim });
    return id;
  }

  send(message: ToWorker): void {
    this.#worker?.postMessage(message);
  }

  /** The stream is done with: the worker drops it. */
  release(id: number): void {
    if (!this.#sinks.delete(id)) return;
    this.send({ t: 'close', id });
    if (this.#sinks.size === 0 && this.loadMs !== undefined) this.#worker?.unref();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    this.#die(new SttError('aborted', 'sherpa-onnx recogniser closed'));
    await worker?.terminate();
  }

  #start(): void {
    const worker = new Worker(sherpaWorkerSource(), { eval: true, workerData: this.#data });
    this.#worker = worker;
    this.loadMs = undefined;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.t === 'ready') {
          this.loadMs = message.loadMs;
          if (this.#sinks.size === 0) worker.unref();
          resolve();
        } else if (message.t === 'failed') {
          const error = new SttError('server', `sherpa-onnx could not load the model: ${message.message}`);
          reject(error);
          this.#die(error, worker);
          void worker.terminate();
        } else this.#route(message);
      });
      worker.on('error', (error) => {
        const failure = new SttError('server', `sherpa-onnx worker failed: ${error.message}`, { cause: error });
        reject(failure);
        this.#die(failure, worker);
      });
      worker.on('exit', (code) => {
        const failure = new SttError('server', `sherpa-onnx worker exited with code ${code}`);
        reject(failure);
        this.#die(failure, worker);
      });
    });
    this.#ready.catch(() => {}); // reported to the streams; ready() callers see it too
  }

  #route(message: Extract<FromWorker, { t: 'interim' | 'final' }>): void {
    const sink = this.#sinks.get(message.id);
    if (message.t === 'final') this.counters = message.decode;
    if (!sink) return;
    if (message.t === 'interim') sink.onInterim(message);
    else sink.onFinal(message);
  }

  /** Every stream of `worker` (default: the current one) fails with `error`. */
  #die(error: SttError, worker = this.#worker): void {
    if (!worker || worker !== this.#worker) return;
    this.#worker = undefined;
    const sinks = [...this.#sinks.values()];
    this.#sinks.clear();
    for (const sink of sinks) sink.onFailure(error);
  }
}
