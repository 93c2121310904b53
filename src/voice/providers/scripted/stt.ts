// A scripted SttProvider for tests and the offline demo: no recognition, each utterance the
// caller speaks is "heard" as the next line of a script. It still listens to the audio: an
// utterance with no sound in it (a VAD false alarm, a flush on silence) gets an empty final
// and does not use up a line, so the script stays in step with what the caller really said.

import { sleep } from '../sleep.ts';
import { sttAbortedError, SttError } from '../../stt/errors.ts';
import { ResultQueue } from '../../stt/result-queue.ts';
import type { SttOpenOptions, SttProvider, SttResult, SttStream } from '../../stt/types.ts';
import { levelDbfs, samplesToMs } from '../../stt/utterance-audio.ts';

export interface ScriptedUtterance {
  text: string;
  /** flush() → final, in ms (default: the provider's delayMs). */
  delayMs?: number;
  /** Default 1. */
  confidence?: number;
  /** Fail the stream with this instead of answering (tests of retries and fallbacks). */
  error?: SttError;
}

export interface ScriptedSttOptions {
  name?: string;
  /** flush() → final for lines that set none (default 0). */
  delayMs?: number;
  /** Heard once the script is used up (default: '', i.e. nothing understood). */
  otherwise?: string | ScriptedUtterance;
  /** A 20 ms frame at least this loud is speech (default -45 dBFS; espeak-ng speech is ~-20). */
  speechDbfs?: number;
  /** With interim results on: the line's first word as an interim after this much speech (default 200 ms). */
  interimAfterMs?: number;
  /** Every open() fails with this (a provider that is down). */
  openError?: SttError;
  /**
   * One script for all streams, each line used once (default false: every stream, i.e. every
   * call, starts at the first line). For a scripted provider behind a failing one, whose
   * utterances arrive on several streams.
   */
  shared?: boolean;
}

/** What one flushed utterance contained, for tests to assert on. */
export interface HeardUtterance {
  stream: number;
  durationMs: number;
  speechMs: number;
  text: string;
}

/** Lines the offline demo hears, in turn, when no script is configured: greeting, question, goodbye. */
export const OFFLINE_DEMO_UTTERANCES: readonly string[] = ['Hola, buenos días.', '¿Qué puedes hacer?', 'Nada más, gracias. Adiós.'];

export class ScriptedStt implements SttProvider {
  readonly name: string;
  /** Every flushed utterance of every stream, in flush order. */
  readonly heard: HeardUtterance[] = [];
  /** Streams opened so far. */
  opened = 0;
  readonly #script: readonly ScriptedUtterance[];
  readonly #options: ScriptedSttOptions;
  /** The next line when the script is shared. */
  readonly cursor = { line: 0 };

  constructor(script: readonly (string | ScriptedUtterance)[], options: ScriptedSttOptions = {}) {
    this.#script = script.map(toUtterance);
    this.#options = options;
    this.name = options.name ?? 'scripted';
  }

  open(options: SttOpenOptions, signal: AbortSignal): SttStream {
    const index = this.opened++;
    return new ScriptedSttStream(this, index, this.#script, this.#options, options, signal);
  }
}

class ScriptedSttStream implements SttStream {
  readonly #queue = new ResultQueue<SttResult>();
  readonly #provider: ScriptedStt;
  readonly #index: number;
  readonly #script: readonly ScriptedUtterance[];
  readonly #options: ScriptedSttOptions;
  readonly #interim: boolean;
  readonly #signal: AbortSignal;
  readonly #cursor: { line: number };
  #position = 0; // samples pushed since open
  #utterance = { samples: 0, speechSamples: 0, firstSpeech: -1, lastSpeechEnd: -1, interimSent: false };
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    provider: ScriptedStt, index: number, script: readonly ScriptedUtterance[], options: ScriptedSttOptions,
    openOptions: SttOpenOptions, signal: AbortSignal,
  ) {
    this.#provider = provider;
    this.#index = index;
    this.#script = script;
    this.#options = options;
    this.#interim = openOptions.interimResults ?? true;
    this.#signal = signal;
    this.#cursor = options.shared ? provider.cursor : { line: 0 };
    if (options.openError) this.#queue.fail(options.openError);
    if (signal.aborted) this.#abort();
    else signal.addEventListener('abort', () => this.#abort(), { once: true });
  }

  push(frame: Int16Array): void {
    if (this.#closed || this.#queue.settled) return;
    const u = this.#utterance;
    if (levelDbfs(frame) >= (this.#options.speechDbfs ?? -45)) {
      if (u.firstSpeech < 0) u.firstSpeech = this.#position;
      u.lastSpeechEnd = this.#position + frame.length;
      u.speechSamples += frame.length;
    }
    u.samples += frame.length;
    this.#position += frame.length;
    if (this.#interim && !u.interimSent && samplesToMs(u.speechSamples) >= (this.#options.interimAfterMs ?? 200)) {
      u.interimSent = true;
      const firstWord = this.#upcoming()?.text.match(/\S+/)?.[0];
      if (firstWord) this.#queue.push({ type: 'interim', text: firstWord, startMs: samplesToMs(u.firstSpeech) });
    }
  }

  flush(): void {
    if (this.#closed || this.#queue.settled) return;
    const flushedAt = performance.now();
    const u = this.#utterance;
    this.#utterance = { samples: 0, speechSamples: 0, firstSpeech: -1, lastSpeechEnd: -1, interimSent: false };
    const line = u.speechSamples > 0 ? this.#take() : { text: '' };
    this.#provider.heard.push({ stream: this.#index, durationMs: samplesToMs(u.samples), speechMs: samplesToMs(u.speechSamples), text: line.text });
    const delayMs = u.speechSamples > 0 ? (line.delayMs ?? this.#options.delayMs ?? 0) : 0;
    const answer = sleep(delayMs, this.#signal);
    answer.catch(() => {}); // the abort is reported through the queue
    this.#chain = this.#chain.then(async () => {
      await answer;
      if (line.error) return this.#queue.fail(line.error);
      const timing = u.firstSpeech >= 0 ? { startMs: samplesToMs(u.firstSpeech), endMs: samplesToMs(u.lastSpeechEnd) } : {};
      this.#queue.push({
        type: 'final', text: line.text, confidence: line.text ? (line.confidence ?? 1) : undefined, ...timing,
        latencyMs: performance.now() - flushedAt, provider: this.#provider.name,
      });
    }).catch(() => {});
  }

  results(): AsyncIterable<SttResult> {
    return this.#queue.iterate();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#chain;
    this.#queue.end();
  }

  #upcoming(): ScriptedUtterance | undefined {
    return this.#script[this.#cursor.line] ?? toOptional(this.#options.otherwise);
  }

  #take(): ScriptedUtterance {
    const line = this.#upcoming() ?? { text: '' };
    if (this.#cursor.line < this.#script.length) this.#cursor.line++;
    return line;
  }

  #abort(): void {
    this.#closed = true;
    this.#queue.fail(sttAbortedError(this.#signal), { discard: true });
  }
}

function toUtterance(line: string | ScriptedUtterance): ScriptedUtterance {
  return typeof line === 'string' ? { text: line } : line;
}

function toOptional(line: string | ScriptedUtterance | undefined): ScriptedUtterance | undefined {
  return line === undefined ? undefined : toUtterance(line);
}
