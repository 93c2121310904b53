// Offline recognition with sherpa-onnx (k2-fsa's next-gen Kaldi runtime, npm `sherpa-onnx-node`)
// and a streaming model the operator puts in a directory: no cloud, no key, the caller's words
// never leave the machine. Built at boot: the directory is checked (model-dir.ts), the model is
// loaded once in a child process (probe.ts: a model sherpa-onnx cannot run crashes the loader,
// and that must not be this process), then loaded for good in a worker thread that decodes
// every call's audio (worker.ts, decoder.ts). Interims come as chunks are decoded; flush()
// finishes the utterance. No retries here: ResilientStt adds them around any provider.

import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { sttAbortedError, type SttError } from '../../stt/errors.ts';
import { ResultQueue } from '../../stt/result-queue.ts';
import type { SttOpenOptions, SttProvider, SttResult, SttStream } from '../../stt/types.ts';
import { findSherpaModel, type SherpaModel } from './model-dir.ts';
import { probeSherpaModel, type SherpaProbeResult } from './probe.ts';
import type { DecodeCounters, FromWorker } from './protocol.ts';
import { recognizerConfig, sherpaAddonPath, tailPaddingMs } from './recognizer.ts';
import { SherpaWorkerHost, type WorkerStreamSink } from './worker-host.ts';

export interface SherpaOnnxSttOptions {
  /** The operator's model directory (see model-dir.ts for what it must hold)… */
  modelDir?: string;
  /** …or the model findSherpaModel() already found there (configuration does that at boot). */
  model?: SherpaModel;
  /** onnxruntime threads per decode step (default 1: the process has other work for the other cores). */
  numThreads?: number;
  /** Load and time the model in a child process before loading it here (default true). */
  probe?: boolean;
  logger?: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'info'>>;
}

export interface SherpaOnnxStats {
  /** The worker's model load, once it is loaded. */
  loadMs: number | undefined;
  decode: DecodeCounters;
}

export class SherpaOnnxStt implements SttProvider {
  readonly name: string;
  readonly model: SherpaModel;
  /** The boot check's figures (undefined when probe: false). */
  readonly probe: SherpaProbeResult | undefined;
  readonly #host: SherpaWorkerHost;

  /** Throws SherpaModelError (the directory) or SherpaLoadError (the model does not load). */
  constructor(options: SherpaOnnxSttOptions) {
    if (!options.model && options.modelDir === undefined) throw new TypeError('SherpaOnnxStt needs modelDir or model');
    this.model = options.model ?? findSherpaModel(options.modelDir!);
    this.name = `sherpa-onnx:${basename(dirname(this.model.tokens))}`;
    const config = recognizerConfig(this.model, options.numThreads ?? 1);
    if (options.probe !== false) {
      this.probe = probeSherpaModel(config);
      const { loadMs, meanStepMs, maxStepMs, steps } = this.probe;
      options.logger?.info?.({ provider: this.name, family: this.model.family, loadMs: round(loadMs), meanStepMs: round(meanStepMs), maxStepMs: round(maxStepMs), steps }, 'sherpa-onnx model loads and decodes');
    }
    this.#host = new SherpaWorkerHost({ addonPath: sherpaAddonPath(), config, tailPaddingMs: tailPaddingMs(this.model) }, options.logger);
  }

  open(options: SttOpenOptions, signal: AbortSignal): SttStream {
    return new SherpaOnnxSttStream(this.#host, this.name, options, signal);
  }

  /** Resolves when the worker has loaded the model (calls opened before then wait in its queue). */
  ready(): Promise<void> {
    return this.#host.ready();
  }

  stats(): SherpaOnnxStats {
    return { loadMs: this.#host.loadMs, decode: { ...this.#host.counters } };
  }

  /** Stops the worker; open streams fail with SttError('aborted'). */
  close(): Promise<void> {
    return this.#host.close();
  }
}

class SherpaOnnxSttStream implements SttStream, WorkerStreamSink {
  readonly #queue = new ResultQueue<SttResult>();
  readonly #host: SherpaWorkerHost;
  readonly #provider: string;
  readonly #signal: AbortSignal;
  /** performance.now() of each flush whose final has not come. */
  readonly #flushedAt: number[] = [];
  readonly #id: number = 0;
  readonly #closed: Promise<void>;
  #markClosed!: () => void;
  #closing = false;
  #onAbort = () => this.#abort();

  constructor(host: SherpaWorkerHost, provider: string, options: SttOpenOptions, signal: AbortSignal) {
    this.#host = host;
    this.#provider = provider;
    this.#signal = signal;
    this.#closed = new Promise((resolve) => (this.#markClosed = resolve));
    if (signal.aborted) {
      this.#abort();
      return;
    }
    try {
      this.#id = host.open(this, options.interimResults ?? true);
      signal.addEventListener('abort', this.#onAbort, { once: true });
    } catch (error) {
      this.onFailure(error as SttError); // the provider was closed
    }
  }

  push(frame: Int16Array): void {
    if (this.#closing || this.#queue.settled || frame.length === 0) return;
    this.#host.send({ t: 'audio', id: this.#id, pcm: frame });
  }

  flush(): void {
    if (this.#closing || this.#queue.settled) return;
    this.#flushedAt.push(performance.now());
    this.#host.send({ t: 'flush', id: this.#id });
  }

  results(): AsyncIterable<SttResult> {
    return this.#queue.iterate();
  }

  close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      if (this.#flushedAt.length === 0 || this.#queue.settled) this.#end();
    }
    return this.#closed;
  }

  onInterim(message: Extract<FromWorker, { t: 'interim' }>): void {
    this.#queue.push({ type: 'interim', text: message.text, ...(message.startMs !== undefined ? { startMs: message.startMs } : {}) });
  }

  onFinal(message: Extract<FromWorker, { t: 'final' }>): void {
    const flushedAt = this.#flushedAt.shift() ?? performance.now();
    const { text, confidence, startMs, endMs } = message;
    this.#queue.push({
      type: 'final', text, ...(confidence !== undefined ? { confidence } : {}), ...(startMs !== undefined ? { startMs, endMs } : {}),
      latencyMs: performance.now() - flushedAt, provider: this.#provider,
    });
    if (this.#closing && this.#flushedAt.length === 0) this.#end();
  }

  onFailure(error: SttError): void {
    this.#queue.fail(error);
    this.#settle();
  }

  #end(): void {
    this.#queue.end();
    this.#settle();
  }

  #abort(): void {
    this.#queue.fail(sttAbortedError(this.#signal), { discard: true });
    this.#settle();
  }

  #settle(): void {
    this.#closing = true;
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#host.release(this.#id);
    this.#markClosed();
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
