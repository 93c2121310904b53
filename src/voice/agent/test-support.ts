// Test doubles for the voice agent: a CallAudio that behaves like the RTP session's (one 20 ms
// frame of agent audio out and one of caller audio in per tick, in real time, playout results
// measured the same way), and a TTS that answers instantly with a tone as long as the text.
// Used by the agent's tests and bench; never by production code.

import type { CallAudio, PlayoutResult } from '../call-audio.ts';
import type { TtsProvider, TtsRequest } from '../tts/types.ts';
import { abortedError } from '../tts/errors.ts';

const FRAME = 160; // 20 ms at 8 kHz
const FRAME_MS = 20;

interface Queued {
  pcm: Int16Array;
  sent: number;
  resolve: (result: PlayoutResult) => void;
}

export interface PlayRecord {
  /** Caller-stream time (ms of caller audio fed so far) when play() was called. */
  callerMs: number;
  /** performance.now() when play() was called. */
  at: number;
  ms: number;
}

export class FakeCallAudio implements CallAudio {
  readonly plays: PlayRecord[] = [];
  /** Caller-stream times (ms) at which clearPlayout() was called. */
  readonly clears: number[] = [];
  readonly dtmfSent: string[] = [];
  /** One entry per tick: whether an agent frame went out (the agent channel of a recording). */
  readonly agentFrames: boolean[] = [];
  /** ms of caller audio fed to the listeners so far: the VAD's stream time. */
  callerMs = 0;
  readonly #queue: Queued[] = [];
  readonly #listeners: Array<(pcm: Int16Array) => void> = [];
  readonly #dtmfListeners: Array<(digit: string) => void> = [];
  #caller: Int16Array[] = [];
  #timer: NodeJS.Timeout | undefined;
  #ticks = 0;
  #startedAt = 0;
  #tickListeners: Array<() => void> = [];

  play(pcm: Int16Array): { done: Promise<PlayoutResult> } {
    this.plays.push({ callerMs: this.callerMs, at: performance.now(), ms: pcm.length / 8 });
    let resolve!: (result: PlayoutResult) => void;
    const done = new Promise<PlayoutResult>((r) => (resolve = r));
    if (pcm.length === 0) resolve({ playedMs: 0, interrupted: false });
    else this.#queue.push({ pcm, sent: 0, resolve });
    return { done };
  }

  clearPlayout(): void {
    this.clears.push(this.callerMs);
    for (const item of this.#queue.splice(0)) item.resolve({ playedMs: item.sent / 8, interrupted: true });
  }

  onAudio(listener: (pcm: Int16Array) => void): void {
    this.#listeners.push(listener);
  }

  onDtmf(listener: (digit: string) => void): void {
    this.#dtmfListeners.push(listener);
  }

  async sendDtmf(digits: string): Promise<void> {
    this.dtmfSent.push(digits);
  }

  /** Caller audio to feed after what is already queued (silence is fed whenever none is). */
  say(pcm: Int16Array): void {
    for (let i = 0; i < pcm.length; i += FRAME) {
      const frame = new Int16Array(FRAME);
      frame.set(pcm.subarray(i, Math.min(pcm.length, i + FRAME)));
      this.#caller.push(frame);
    }
  }

  /** ms of caller audio queued and not yet fed. */
  get callerPendingMs(): number {
    return this.#caller.length * FRAME_MS;
  }

  /** Queued agent audio not yet sent, in ms. */
  get agentPendingMs(): number {
    return this.#queue.reduce((ms, item) => ms + (item.pcm.length - item.sent) / 8, 0);
  }

  /** Starts the 20 ms media clock (drift-free). */
  start(): void {
    this.#startedAt = performance.now();
    const tick = () => {
      this.#tick();
      this.#ticks++;
      const due = this.#startedAt + this.#ticks * FRAME_MS;
      this.#timer = setTimeout(tick, Math.max(0, due - performance.now()));
    };
    this.#timer = setTimeout(tick, FRAME_MS);
  }

  /** Stops the clock; queued agent audio is cut, as when the call ends. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const item of this.#queue.splice(0)) item.resolve({ playedMs: item.sent / 8, interrupted: true });
  }

  /** Resolves at the first tick at which `condition` holds (checked after each tick). */
  until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`condition not met within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#tickListeners = this.#tickListeners.filter((l) => l !== check);
        resolve();
      };
      this.#tickListeners.push(check);
    });
  }

  #tick(): void {
    this.agentFrames.push(this.#sendAgentFrame());
    const frame = this.#caller.shift() ?? new Int16Array(FRAME);
    this.callerMs += FRAME_MS;
    for (const listener of this.#listeners) listener(frame);
    for (const check of [...this.#tickListeners]) check();
  }

  #sendAgentFrame(): boolean {
    const item = this.#queue[0];
    if (!item) return false;
    item.sent = Math.min(item.pcm.length, item.sent + FRAME);
    if (item.sent >= item.pcm.length) {
      this.#queue.shift();
      item.resolve({ playedMs: item.pcm.length / 8, interrupted: false });
    }
    return true;
  }
}

export interface ToneTtsOptions {
  /** Audio length per character of text (default 60 ms, about espeak's Spanish rate). */
  msPerChar?: number;
  /** Chunk size yielded (default 200 ms). */
  chunkMs?: number;
  /** Delay before the first chunk (default 0: a zero-latency engine). */
  firstByteDelayMs?: number;
}

/** A deterministic, instant TtsProvider: a 440 Hz tone as long as the text would take to say. */
export class ToneTts implements TtsProvider {
  readonly name = 'tone';
  readonly requests: TtsRequest[] = [];
  readonly #options: Required<ToneTtsOptions>;

  constructor(options: ToneTtsOptions = {}) {
    this.#options = { msPerChar: 60, chunkMs: 200, firstByteDelayMs: 0, ...options };
  }

  async *synthesize(request: TtsRequest, signal: AbortSignal): AsyncGenerator<Int16Array> {
    this.requests.push(request);
    if (this.#options.firstByteDelayMs > 0) await new Promise((r) => setTimeout(r, this.#options.firstByteDelayMs));
    if (signal.aborted) throw abortedError(signal);
    const total = Math.round(request.text.length * this.#options.msPerChar * 8);
    const chunk = this.#options.chunkMs * 8;
    for (let at = 0; at < total; at += chunk) {
      if (signal.aborted) throw abortedError(signal);
      const out = new Int16Array(Math.min(chunk, total - at));
      for (let i = 0; i < out.length; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (at + i)) / 8000));
      yield out;
    }
  }
}
