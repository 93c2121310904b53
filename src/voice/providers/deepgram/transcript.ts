// Sans-I/O core of the Deepgram adapter: turns the Results messages of a live stream into our
// contract (cumulative interims; exactly one final per flush, in order). No socket, no timer:
// the adapter feeds it what it sent and received and sends what it is told to.
//
// Deepgram finalises on its own schedule: while the caller speaks it sends `is_final` pieces
// of the utterance, and after our {"type":"Finalize"} a last piece marked `from_finalize`.
// Every Results message says which stretch of the audio it covers (`start`, `duration`, in
// seconds of the audio we sent), so each piece is attributed to an utterance by where it
// lies, and an utterance is complete when:
//  - the finalised pieces already reach its flush point (nothing left: no Finalize needed),
//  - the `from_finalize` answer arrives,
//  - a result about later audio arrives (the server moved on), or
//  - the adapter's grace period after Finalize expires: Deepgram documents that a Finalize
//    with little audio left may get no answer at all.

import type { SttResult } from '../../stt/types.ts';

/** Audio within 50 ms of a flush point counts as reaching it (no word fits in 50 ms). */
const EPSILON_S = 0.05;

export interface DeepgramResults {
  type: 'Results';
  start: number;
  duration: number;
  is_final: boolean;
  speech_final?: boolean;
  from_finalize?: boolean;
  channel: { alternatives: { transcript: string; confidence?: number }[] };
}

interface Piece {
  text: string;
  confidence: number | undefined;
  start: number;
  end: number;
}

interface PendingFlush {
  /** Seconds of audio sent when flush() was called. */
  point: number;
  flushedAt: number;
  done: boolean;
}

export class DeepgramTranscript {
  readonly #sampleRate: number;
  readonly #interimResults: boolean;
  readonly #provider: string;
  #sentSamples = 0;
  /** Audio before this point (s) belongs to utterances already finalised. */
  #completedPoint = 0;
  /** How far the `is_final` pieces reach (s). */
  #finalEnd = 0;
  #pieces: Piece[] = [];
  #interim: Piece | undefined;
  #lastInterimText = '';
  readonly #pending: PendingFlush[] = [];

  constructor(options: { sampleRate: number; interimResults: boolean; provider: string }) {
    this.#sampleRate = options.sampleRate;
    this.#interimResults = options.interimResults;
    this.#provider = options.provider;
  }

  /** Audio went to the server. */
  sent(samples: number): void {
    this.#sentSamples += samples;
  }

  get pendingFlushes(): number {
    return this.#pending.length;
  }

  /**
   * End of utterance. `finalize`: send {"type":"Finalize"} and call expire(point) after the
   * grace period; otherwise the finalised pieces already cover it and `results` holds its final.
   */
  flush(now: number): { finalize: boolean; point: number; results: SttResult[] } {
    const point = this.#sentSamples / this.#sampleRate;
    this.#pending.push({ point, flushedAt: now, done: false });
    const finalize = point > this.#finalEnd + EPSILON_S;
    return { finalize, point, results: this.#settle(now) };
  }

  /** A Results message arrived. */
  results(message: DeepgramResults, now: number): SttResult[] {
    const start = Number(message.start) || 0;
    const end = start + (Number(message.duration) || 0);
    const alternative = message.channel?.alternatives?.[0];
    const text = String(alternative?.transcript ?? '').trim();
    // The server is past these flush points: whatever it did not finalise there, it will not.
    for (const flush of this.#pending) if (start >= flush.point - EPSILON_S) flush.done = true;
    const out = this.#settle(now);
    if (message.is_final) {
      if (end <= this.#completedPoint + EPSILON_S && this.#completedPoint > 0) return out; // a late piece of a finished utterance
      if (text) this.#pieces.push({ text, confidence: alternative?.confidence, start, end });
      this.#finalEnd = Math.max(this.#finalEnd, end);
      this.#interim = undefined;
      if (message.from_finalize && this.#pending.length > 0) this.#pending[0].done = true;
    } else {
      this.#interim = text ? { text, confidence: alternative?.confidence, start, end } : undefined;
    }
    out.push(...this.#settle(now));
    const interim = this.#interimResult();
    if (interim) out.push(interim);
    return out;
  }

  /** The grace period after the Finalize for `point` ran out: finalise with what arrived. */
  expire(point: number, now: number): SttResult[] {
    for (const flush of this.#pending) if (flush.point <= point) flush.done = true;
    return this.#settle(now);
  }

  /** The server closed the stream: every pending utterance is final with what arrived. */
  drain(now: number): SttResult[] {
    for (const flush of this.#pending) flush.done = true;
    return this.#settle(now);
  }

  #settle(now: number): SttResult[] {
    const out: SttResult[] = [];
    while (this.#pending.length > 0) {
      const head = this.#pending[0];
      if (!head.done && this.#finalEnd < head.point - EPSILON_S) break;
      out.push(this.#complete(head, now));
    }
    return out;
  }

  #complete(head: PendingFlush, now: number): SttResult {
    this.#pending.shift();
    const pieces = [...this.#pieces];
    // An interim the server never finalised (it moved on): still the best we know of that audio.
    if (this.#interim && this.#interim.start < head.point - EPSILON_S) pieces.push(this.#interim);
    this.#pieces = [];
    this.#interim = undefined;
    this.#lastInterimText = '';
    this.#completedPoint = head.point;
    const result: SttResult = {
      type: 'final', text: joinText(pieces), latencyMs: Math.max(0, now - head.flushedAt), provider: this.#provider,
    };
    if (pieces.length > 0) {
      const confidences = pieces.map((p) => p.confidence).filter((c): c is number => typeof c === 'number');
      if (confidences.length > 0) result.confidence = confidences.reduce((a, b) => a + b, 0) / confidences.length;
      result.startMs = Math.round(pieces[0].start * 1000);
      result.endMs = Math.round(pieces.at(-1)!.end * 1000);
    }
    return result;
  }

  /** The utterance so far (finalised pieces + the current hypothesis), when it changed. */
  #interimResult(): SttResult | undefined {
    if (!this.#interimResults || this.#pending.length > 0) return undefined;
    const pieces = this.#interim ? [...this.#pieces, this.#interim] : this.#pieces;
    const text = joinText(pieces);
    if (!text || text === this.#lastInterimText) return undefined;
    this.#lastInterimText = text;
    return { type: 'interim', text, confidence: this.#interim?.confidence, startMs: Math.round(pieces[0].start * 1000) };
  }
}

function joinText(pieces: readonly Piece[]): string {
  return pieces.map((p) => p.text).join(' ').replace(/\s+/g, ' ').trim();
}
