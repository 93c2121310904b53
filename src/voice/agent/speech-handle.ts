// One agent utterance: text in (streamed from the LLM, or a fixed greeting/reminder), cut into
// sentences, synthesised one after another and queued for playout in order, so the first
// sentence plays while the next is synthesised and the model is still writing. interrupt()
// is the barge-in: it aborts the LLM and TTS work tied to `signal`, clears playout at once
// and the result reports only what the caller heard (ENGINEERING principle 7).

import { applyVolume } from '../audio/volume.ts';
import type { CallAudio, PlayoutResult } from '../call-audio.ts';
import type { Voice } from '../catalog.ts';
import { SentenceChunker, type SentenceChunkerOptions } from '../text/sentence-chunker.ts';
import type { TtsProvider } from '../tts/types.ts';
import { errorType, round, type TimedSpan } from './agent-spans.ts';
import type { AgentClock } from './clock.ts';
import type { AgentLogger } from './observer.ts';
import { playedSentences, type SentencePlayout } from './played-text.ts';

export interface SpeechDeps {
  audio: Pick<CallAudio, 'play' | 'clearPlayout'>;
  tts: TtsProvider;
  voice: Voice;
  language: string;
  /** Agent volume 0–100, 50 = as synthesised. */
  volume: number;
  clock: AgentClock;
  chunker?: SentenceChunkerOptions;
  logger?: AgentLogger;
  callId?: string;
}

export interface SpeechResult {
  /** What the caller heard: whole sentences, plus the heard words of the one cut. */
  text: string;
  /** Everything the utterance was given to say. */
  fullText: string;
  /** The played part of each sentence, in order ('' for those never heard). */
  sentences: string[];
  /** Cut by interrupt() (barge-in), the call ending, or playout cleared by someone else. */
  interrupted: boolean;
  /** When the first audio was queued (call ms), null if none ever was. */
  startMs: number | null;
  /** When playout finished or was cut. */
  endMs: number;
  /** Audio that went out on the line, ms (all of it unless cut). */
  playedMs: number;
  /** Audio synthesised and queued, ms. */
  audioMs: number;
  /** First sentence handed to TTS → its first audio chunk. */
  ttsFirstByteMs: number | null;
  /** Call ms when the first complete sentence was ready for TTS (the LLM's "first sentence" time). */
  firstSentenceAtMs: number | null;
}

interface SentenceEntry extends SentencePlayout {
  plays: Promise<PlayoutResult>[];
}

let nextId = 1;

export class SpeechHandle {
  readonly id = nextId++;
  /** Settles once the audio has played out, or was cut; never rejects. */
  readonly result: Promise<SpeechResult>;
  readonly #deps: SpeechDeps;
  readonly #controller = new AbortController();
  readonly #chunker: SentenceChunker;
  readonly #pending: string[] = [];
  readonly #entries: SentenceEntry[] = [];
  readonly #detach: () => void;
  readonly #span: TimedSpan | undefined;
  #wake: (() => void) | undefined;
  #textEnded = false;
  #interrupted = false;
  #settled = false;
  #startMs: number | null = null;
  #ttsFirstByteMs: number | null = null;
  #firstSentenceAtMs: number | null = null;

  /**
   * `parent` (the agent turn, the call) aborting interrupts this utterance too. Each sentence's
   * synthesis is a `tts` span under `span` (the agent turn's), when given.
   */
  constructor(deps: SpeechDeps, parent?: AbortSignal, span?: TimedSpan) {
    this.#deps = deps;
    this.#span = span;
    this.#chunker = new SentenceChunker(deps.chunker);
    const onParentAbort = () => this.interrupt();
    parent?.addEventListener('abort', onParentAbort, { once: true });
    this.#detach = () => parent?.removeEventListener('abort', onParentAbort);
    this.result = this.#run();
    if (parent?.aborted) this.interrupt();
  }

  /** Aborts with interrupt(): pass it to the LLM request feeding this utterance. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get interrupted(): boolean {
    return this.#interrupted;
  }

  /** Playout finished or was cut. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Adds text as it streams in; complete sentences go to TTS at once. */
  pushText(delta: string): void {
    if (this.#textEnded || this.signal.aborted) return;
    for (const sentence of this.#chunker.push(delta)) this.#enqueue(sentence);
  }

  /** No more text: the rest is the last sentence; `result` settles after it has played. */
  endText(): void {
    if (this.#textEnded) return;
    this.#textEnded = true;
    if (!this.signal.aborted) for (const sentence of this.#chunker.flush()) this.#enqueue(sentence);
    this.#wakeUp();
  }

  say(text: string): this {
    this.pushText(text);
    this.endText();
    return this;
  }

  /** Barge-in: stop now. Clears playout synchronously; idempotent; a no-op once played out. */
  interrupt(): void {
    if (this.#settled || this.#interrupted) return;
    this.#interrupted = true;
    this.#controller.abort();
    this.#deps.audio.clearPlayout();
    this.#wakeUp();
  }

  #enqueue(sentence: string): void {
    this.#firstSentenceAtMs ??= this.#deps.clock.now();
    this.#pending.push(sentence);
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #run(): Promise<SpeechResult> {
    for (let sentence = await this.#next(); sentence !== undefined; sentence = await this.#next()) {
      await this.#synthesize(sentence);
    }
    const results = await Promise.all(this.#entries.map((entry) => Promise.all(entry.plays)));
    results.forEach((plays, i) => (this.#entries[i].playedMs = plays.reduce((ms, play) => ms + play.playedMs, 0)));
    const cutByOthers = results.some((plays) => plays.some((play) => play.interrupted));
    this.#settled = true;
    this.#detach();
    const sentences = playedSentences(this.#entries);
    return {
      text: sentences.filter(Boolean).join(' '),
      fullText: this.#entries.map((entry) => entry.text).join(' '),
      sentences,
      interrupted: this.#interrupted || cutByOthers,
      startMs: this.#startMs,
      endMs: this.#deps.clock.now(),
      playedMs: this.#entries.reduce((ms, entry) => ms + entry.playedMs, 0),
      audioMs: this.#entries.reduce((ms, entry) => ms + entry.audioMs, 0),
      ttsFirstByteMs: this.#ttsFirstByteMs,
      firstSentenceAtMs: this.#firstSentenceAtMs,
    };
  }

  /** The next sentence to speak, waiting for the LLM if needed; undefined when done or interrupted. */
  async #next(): Promise<string | undefined> {
    for (;;) {
      if (this.signal.aborted) return undefined;
      const sentence = this.#pending.shift();
      if (sentence !== undefined) return sentence;
      if (this.#textEnded) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async #synthesize(text: string): Promise<void> {
    const { tts, voice, language, volume, audio, clock } = this.#deps;
    const entry: SentenceEntry = { text, audioMs: 0, playedMs: 0, complete: false, plays: [] };
    this.#entries.push(entry);
    const sentAt = clock.now();
    // Request → last audio chunk (or the abort, or the failure); sizes and timings only.
    const span = this.#span?.child('tts', { 'tts.provider': tts.name, 'tts.voice_id': voice.id, 'tts.sentence': this.#entries.length - 1, 'tts.chars': text.length }, sentAt);
    let firstAudioMs: number | undefined;
    const endSpan = (outcome: 'completed' | 'aborted' | 'error', error?: unknown) =>
      span?.end(
        { 'tts.outcome': outcome, 'tts.time_to_first_audio_ms': firstAudioMs, 'tts.audio_ms': round(entry.audioMs), 'error.type': error === undefined ? undefined : errorType(error) },
        { error: error === undefined ? undefined : 'sentence synthesis failed' },
      );
    try {
      for await (const pcm of tts.synthesize({ text, voice, language }, this.signal)) {
        if (this.signal.aborted) break;
        const at = clock.now();
        firstAudioMs ??= round(at - sentAt);
        if (this.#entries.length === 1 && entry.plays.length === 0) this.#ttsFirstByteMs = at - sentAt;
        this.#startMs ??= at;
        const out = applyVolume(pcm, volume);
        entry.audioMs += out.length / 8;
        entry.plays.push(audio.play(out).done);
      }
      entry.complete = !this.signal.aborted;
      endSpan(entry.complete ? 'completed' : 'aborted');
    } catch (error) {
      if (this.signal.aborted) return void endSpan('aborted');
      // The sentence is skipped rather than the reply lost: the next one may synthesise fine.
      entry.failed = entry.plays.length === 0;
      entry.complete = true;
      endSpan('error', error);
      this.#deps.logger?.warn({ err: error, call_id: this.#deps.callId, tts: tts.name }, 'sentence synthesis failed');
    }
  }
}
