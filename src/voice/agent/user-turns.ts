// Turn-taking on the caller's side: VAD boundaries decide when the caller starts (barge-in)
// and stops (end of turn); the audio in between goes to STT, with a pre-roll so the syllable
// that preceded the VAD's decision is not lost; each end of turn flushes STT and its final
// transcript is matched back to the turn. One strategy (VAD silence endpointing) behind a
// small listener interface, so a semantic turn detector can replace it.

import type { SttResult, SttStream } from '../stt/types.ts';
import type { Vad, VadEvent } from '../vad/vad.ts';
import type { AgentClock } from './clock.ts';
import type { AgentLogger } from './observer.ts';

export interface UserSpeechEvent {
  /** Call ms of the boundary itself (speech onset, or end of speech), from the VAD. */
  atMs: number;
  /** Call ms at which the VAD decided it (later: its confirmation or endpointing delay). */
  detectedAtMs: number;
}

export interface UserTranscript {
  /** '' when nothing was understood (noise, a cough). */
  text: string;
  startMs: number;
  endMs: number;
  /** The endpointing silence the VAD waited for before calling the turn over. */
  endpointingMs: number;
  /** Flush → final transcript. */
  sttMs: number;
}

export interface UserTurnListener {
  onSpeechStart(event: UserSpeechEvent): void;
  onSpeechEnd(event: UserSpeechEvent): void;
  onTranscript(transcript: UserTranscript): void;
}

export interface UserTurnOptions {
  /** Caller audio before the VAD's speech onset that is sent to STT too (default 300 ms). */
  preRollMs?: number;
  callId?: string;
  logger?: AgentLogger;
  /** The call's signal: STT failing because it aborted is the call ending, not worth a warning. */
  signal?: AbortSignal;
}

interface RingFrame {
  frame: Int16Array;
  /** Stream position of its first sample. */
  start: number;
  /** Call ms when it arrived (when its last sample had been spoken). */
  arrivedAt: number;
}

const SAMPLES_PER_MS = 8;
const RING_MS = 2000;

export class VadTurnDetector {
  readonly #vad: Vad;
  readonly #stt: SttStream;
  readonly #clock: AgentClock;
  readonly #listener: UserTurnListener;
  readonly #preRollSamples: number;
  readonly #options: UserTurnOptions;
  readonly #ring: RingFrame[] = [];
  readonly #awaitingFinal: Array<{ startMs: number; endMs: number; endpointingMs: number; flushedAt: number }> = [];
  #position = 0; // samples fed to the VAD
  #pushedTo = 0; // samples sent to STT
  #speaking = false;
  #speechStartMs = 0;
  #closed = false;

  constructor(vad: Vad, stt: SttStream, clock: AgentClock, listener: UserTurnListener, options: UserTurnOptions = {}) {
    this.#vad = vad;
    this.#stt = stt;
    this.#clock = clock;
    this.#listener = listener;
    this.#options = options;
    this.#preRollSamples = Math.round((options.preRollMs ?? 300) * SAMPLES_PER_MS);
  }

  /** The caller is mid-turn (between the VAD's speech_start and speech_end). */
  get speaking(): boolean {
    return this.#speaking;
  }

  /** One frame of caller audio (copied: the media session may reuse its buffers). */
  pushFrame(pcm: Int16Array): void {
    if (this.#closed) return;
    const frame = pcm.slice();
    this.#ring.push({ frame, start: this.#position, arrivedAt: this.#clock.now() });
    this.#position += frame.length;
    while (this.#ring.length > 1 && this.#position - this.#ring[0].start > RING_MS * SAMPLES_PER_MS) this.#ring.shift();
    if (this.#speaking) this.#sendToStt(frame, this.#position);
    this.#vad.process(frame).then(
      (events) => events.forEach((event) => this.#onVadEvent(event)),
      (error: unknown) => {
        if (!this.#closed) this.#options.logger?.warn({ err: error, call_id: this.#options.callId }, 'VAD failed on a frame');
      },
    );
  }

  /** Reads STT results until the stream ends; resolves then (or on its failure, logged). */
  async consume(): Promise<void> {
    try {
      for await (const result of this.#stt.results()) this.#onSttResult(result);
    } catch (error) {
      if (!this.#closed && !this.#options.signal?.aborted) this.#options.logger?.warn({ err: error, call_id: this.#options.callId }, 'STT stream failed');
    }
    // Turns that will never get a transcript still end, as turns nobody understood.
    for (const turn of this.#awaitingFinal.splice(0)) this.#emitTranscript(turn, '', 0);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([this.#vad.close(), this.#stt.close()]);
  }

  #onVadEvent(event: VadEvent): void {
    if (this.#closed) return;
    const boundary = { atMs: this.#callMs(event.atMs), detectedAtMs: this.#callMs(event.detectedAtMs) };
    if (event.type === 'speech_start') {
      this.#speaking = true;
      this.#speechStartMs = boundary.atMs;
      this.#sendPreRoll(Math.round(event.atMs * SAMPLES_PER_MS) - this.#preRollSamples);
      this.#listener.onSpeechStart(boundary);
      return;
    }
    this.#speaking = false;
    this.#stt.flush();
    const endpointingMs = event.detectedAtMs - event.atMs;
    this.#awaitingFinal.push({ startMs: this.#speechStartMs, endMs: boundary.atMs, endpointingMs, flushedAt: this.#clock.now() });
    this.#listener.onSpeechEnd(boundary);
  }

  /** From `fromSample` (clamped to what STT already has) up to the newest frame. */
  #sendPreRoll(fromSample: number): void {
    const from = Math.max(this.#pushedTo, fromSample);
    for (const { frame, start } of this.#ring) {
      const end = start + frame.length;
      if (end <= from) continue;
      this.#sendToStt(start >= from ? frame : frame.subarray(from - start), end);
    }
  }

  #sendToStt(frame: Int16Array, end: number): void {
    this.#stt.push(frame);
    this.#pushedTo = end;
  }

  #onSttResult(result: SttResult): void {
    if (result.type !== 'final') return;
    const turn = this.#awaitingFinal.shift();
    if (!turn) return; // a final we did not flush for (a provider's own endpointing): the VAD decides turns
    const sttMs = result.latencyMs ?? this.#clock.now() - turn.flushedAt;
    this.#emitTranscript(turn, result.text.trim(), sttMs);
  }

  #emitTranscript(turn: { startMs: number; endMs: number; endpointingMs: number }, text: string, sttMs: number): void {
    this.#listener.onTranscript({ text, startMs: turn.startMs, endMs: turn.endMs, endpointingMs: turn.endpointingMs, sttMs });
  }

  /**
   * Stream ms → call ms, through the arrival time of the frame holding that sample (frames
   * arrive in real time, so the last one known stands in for older or newer positions).
   */
  #callMs(streamMs: number): number {
    const sample = streamMs * SAMPLES_PER_MS;
    const frame = this.#ring.find((f) => sample < f.start + f.frame.length) ?? this.#ring.at(-1);
    if (!frame) return this.#clock.now();
    return frame.arrivedAt - (frame.start + frame.frame.length - sample) / SAMPLES_PER_MS;
  }
}
