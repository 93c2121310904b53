// The decoding core the worker runs: every call's audio goes into sherpa-onnx OnlineStreams, one
// per utterance, and one loop advances all streams that have a chunk ready in a single batched
// recogniser call, then yields to the message queue before the next step. A flush finishes the
// utterance's stream (tail padding, inputFinished), decodes what is left and answers with its
// final; the next audio starts a fresh stream, so an utterance's timestamps, interims and memory
// are its own. Finals leave in flush order per call.

import { Resampler } from '../../../lib/audio/resampler.ts';
import { STT_SAMPLE_RATE } from '../../stt/types.ts';
import type { DecodeCounters, FromWorker, ToWorker } from './protocol.ts';
import { MODEL_SAMPLE_RATE, type SherpaOnlineRecognizer, type SherpaOnlineStream } from './recognizer.ts';

interface Utterance {
  /** Created at the utterance's first audio. */
  stream: SherpaOnlineStream | undefined;
  resampler: Resampler;
  /** Call position (8 kHz samples) of its first sample, and its length. */
  startSample: number;
  samples: number;
  finishing: boolean;
  lastText: string;
}

interface Call {
  id: number;
  interim: boolean;
  /** Samples received since open. */
  position: number;
  /** In flush order; only the last may still be taking audio (not finishing). */
  utterances: Utterance[];
}

/** A token's span after its timestamp: one encoder frame (4 × 10 ms) of the supported models. */
const TOKEN_MS = 40;

export class SherpaDecoder {
  readonly counters: DecodeCounters = { steps: 0, streamSteps: 0, totalMs: 0, maxMs: 0 };
  readonly #recognizer: SherpaOnlineRecognizer;
  readonly #paddingSamples: number;
  readonly #emit: (message: FromWorker) => void;
  readonly #calls = new Map<number, Call>();
  #scheduled = false;

  constructor(recognizer: SherpaOnlineRecognizer, tailPaddingMs: number, emit: (message: FromWorker) => void) {
    this.#recognizer = recognizer;
    this.#paddingSamples = Math.round((tailPaddingMs * MODEL_SAMPLE_RATE) / 1000);
    this.#emit = emit;
  }

  handle(message: ToWorker): void {
    if (message.t === 'open') this.#calls.set(message.id, { id: message.id, interim: message.interim, position: 0, utterances: [] });
    else if (message.t === 'audio') this.#audio(message.id, message.pcm);
    else if (message.t === 'flush') this.#flush(message.id);
    else this.#calls.delete(message.id); // its native streams go with the last reference
  }

  /** Streams still held (open calls' utterances), for tests. */
  get liveUtterances(): number {
    let n = 0;
    for (const call of this.#calls.values()) n += call.utterances.length;
    return n;
  }

  #audio(id: number, pcm: Int16Array): void {
    const call = this.#calls.get(id);
    if (!call || pcm.length === 0) return;
    let utterance = call.utterances.at(-1);
    if (!utterance || utterance.finishing) {
      utterance = { stream: undefined, resampler: new Resampler(STT_SAMPLE_RATE, MODEL_SAMPLE_RATE), startSample: call.position, samples: 0, finishing: false, lastText: '' };
      call.utterances.push(utterance);
    }
    utterance.stream ??= this.#recognizer.createStream();
    accept(utterance.stream, utterance.resampler.push(pcm));
    utterance.samples += pcm.length;
    call.position += pcm.length;
    this.#schedule();
  }

  #flush(id: number): void {
    const call = this.#calls.get(id);
    if (!call) return;
    const open = call.utterances.at(-1);
    if (!open || open.finishing) {
      // Nothing heard since the last flush: an empty final, in its turn.
      call.utterances.push({ stream: undefined, resampler: new Resampler(STT_SAMPLE_RATE, MODEL_SAMPLE_RATE), startSample: call.position, samples: 0, finishing: true, lastText: '' });
    } else {
      open.finishing = true;
      if (open.stream) {
        const tail = open.resampler.flush();
        const padded = new Int16Array(tail.length + this.#paddingSamples);
        padded.set(tail);
        accept(open.stream, padded);
        open.stream.inputFinished();
      }
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#step();
    });
  }

  /** One batched decode of every stream with a chunk ready, then the finals that became due. */
  #step(): void {
    const ready: { call: Call; utterance: Utterance; stream: SherpaOnlineStream }[] = [];
    for (const call of this.#calls.values()) {
      for (const utterance of call.utterances) {
        if (utterance.stream && this.#recognizer.isReady(utterance.stream)) ready.push({ call, utterance, stream: utterance.stream });
      }
    }
    if (ready.length > 0) {
      const started = performance.now();
      if (ready.length === 1) this.#recognizer.decode(ready[0].stream);
      else this.#recognizer.decodeStreams(ready.map((r) => r.stream));
      this.#count(performance.now() - started, ready.length);
      for (const { call, utterance } of ready) if (call.interim && !utterance.finishing) this.#interim(call, utterance);
    }
    for (const call of this.#calls.values()) this.#finals(call);
    if (ready.length > 0) this.#schedule(); // more may be ready; other messages get their turn first
  }

  #interim(call: Call, utterance: Utterance): void {
    const result = this.#recognizer.getResult(utterance.stream!);
    const text = result.text.trim();
    if (text === '' || text === utterance.lastText) return;
    utterance.lastText = text;
    const startMs = result.timestamps.length > 0 ? ms(utterance.startSample) + result.timestamps[0] * 1000 : undefined;
    this.#emit({ t: 'interim', id: call.id, text, ...(startMs !== undefined ? { startMs } : {}) });
  }

  #finals(call: Call): void {
    while (call.utterances.length > 0) {
      const head = call.utterances[0];
      if (!head.finishing || (head.stream && this.#recognizer.isReady(head.stream))) return;
      call.utterances.shift();
      this.#emit({ t: 'final', id: call.id, ...this.#transcript(head), decode: { ...this.counters } });
    }
  }

  #transcript(utterance: Utterance): { text: string; confidence?: number; startMs?: number; endMs?: number } {
    if (!utterance.stream) return { text: '' };
    const result = this.#recognizer.getResult(utterance.stream);
    const text = result.text.trim();
    if (text === '' || result.timestamps.length === 0) return { text };
    const offset = ms(utterance.startSample);
    const end = Math.min(offset + ms(utterance.samples), offset + result.timestamps.at(-1)! * 1000 + TOKEN_MS);
    const logProbs = result.ys_probs ?? [];
    const confidence = logProbs.length > 0 ? Math.exp(logProbs.reduce((a, b) => a + b, 0) / logProbs.length) : undefined;
    return { text, ...(confidence !== undefined ? { confidence } : {}), startMs: offset + result.timestamps[0] * 1000, endMs: end };
  }

  #count(elapsedMs: number, streams: number): void {
    const c = this.counters;
    c.steps++;
    c.streamSteps += streams;
    c.totalMs += elapsedMs;
    c.maxMs = Math.max(c.maxMs, elapsedMs);
  }
}

function accept(stream: SherpaOnlineStream, pcm: Int16Array): void {
  if (pcm.length === 0) return;
  const samples = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 32768;
  stream.acceptWaveform({ samples, sampleRate: MODEL_SAMPLE_RATE });
}

function ms(samples: number): number {
  return (samples * 1000) / STT_SAMPLE_RATE;
}
