// An SttProvider that puts the shared resilience rules (src/voice/providers/resilience.ts)
// around one or more providers: the first is primary, the others fallbacks in order.
//
// Caller audio streams to one live provider stream (interims, low-latency finals) and is also
// kept per utterance until that utterance's final arrived. Each flush() is one resilient
// operation: the live stream's final within `finalTimeoutMs`, else (it failed, stalled or
// dropped) the kept audio is transcribed on a fresh stream of the same provider (a retry) or
// of the next one (a fallback). Whatever happens, the consumer gets exactly one final per
// flush, in order: when no provider could transcribe an utterance its final is '' with
// `error`, and the stream goes on with the next one.
//
// A provider that took over stays in charge for the rest of the stream (the call): one that
// failed mid-call is likely to fail again, and every failure costs the caller a timeout of
// silence. A live stream is only (re)opened after a provider has just transcribed an
// utterance, so a provider that refuses every connection is not hammered with reconnects.

import type { Logger } from 'pino';
import { resilientStream, type FailurePolicy, type ResilienceEvent, type ResilienceOptions } from '../providers/resilience.ts';
import { sttAbortedError, SttError } from './errors.ts';
import { LiveSession } from './live-session.ts';
import { ResultQueue } from './result-queue.ts';
import type { SttOpenOptions, SttProvider, SttResult, SttStream } from './types.ts';
import { samplesToMs, UtteranceAudio } from './utterance-audio.ts';

export interface ResilientSttOptions extends Omit<ResilienceOptions, 'firstItemTimeoutMs' | 'idleTimeoutMs'> {
  /** flush() → final, per attempt (default 3000). A provider slower than this is abandoned for the next. */
  finalTimeoutMs?: number;
  /** Audio kept per utterance for a retry or fallback (default 60 000; older audio is dropped). */
  maxUtteranceMs?: number;
  /** close(): how long the live provider may take to hand over its last results and hang up (default 2000). */
  closeTimeoutMs?: number;
  /** Failed attempts, fallbacks and dropped live streams are logged at warn (names and codes only). */
  logger?: Pick<Logger, 'warn'>;
  onEvent?: (event: ResilienceEvent) => void;
}

export const STT_RESILIENCE_DEFAULTS = { finalTimeoutMs: 3000, totalTimeoutMs: 10_000, retries: 1, maxRetryDelayMs: 2000, maxUtteranceMs: 60_000, closeTimeoutMs: 2000 };

export const STT_FAILURE_POLICY: FailurePolicy = {
  timeoutError: (kind, ms, source) => new SttError('timeout', `${source}: ${kind === 'total' ? 'utterance not transcribed' : 'no final'} within ${ms} ms`),
  abortError: sttAbortedError,
  // Anything that is not an SttError is a bug of ours: asking again would not help.
  retryable: (error) => error instanceof SttError && error.retryable,
  retryAfterMs: (error) => (error instanceof SttError ? error.retryAfterMs : undefined),
};

export class ResilientStt implements SttProvider {
  readonly name: string;
  readonly #providers: readonly SttProvider[];
  readonly #options: ResilientSttOptions;

  constructor(providers: readonly SttProvider[], options: ResilientSttOptions = {}) {
    if (providers.length === 0) throw new TypeError('ResilientStt needs at least one provider');
    this.#providers = providers;
    this.#options = options;
    this.name = providers.map((p) => p.name).join(' → ');
  }

  open(options: SttOpenOptions, signal: AbortSignal): SttStream {
    return new ResilientSttStream(this.#providers, options, signal, this.#options);
  }
}

/** What an attempt produced, and where. */
interface Transcribed {
  result: SttResult;
  providerIndex: number;
}

class ResilientSttStream implements SttStream {
  readonly #out = new ResultQueue<SttResult>();
  readonly #controller = new AbortController();
  readonly #providers: readonly SttProvider[];
  readonly #open: SttOpenOptions;
  readonly #options: ResilientSttOptions;
  readonly #maxUtteranceMs: number;
  #position = 0;
  #utterance: UtteranceAudio;
  #preferred = 0;
  #live: LiveSession | undefined;
  #pendingFinals = 0;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(providers: readonly SttProvider[], open: SttOpenOptions, signal: AbortSignal, options: ResilientSttOptions) {
    this.#providers = providers;
    this.#open = open;
    this.#options = options;
    this.#maxUtteranceMs = options.maxUtteranceMs ?? STT_RESILIENCE_DEFAULTS.maxUtteranceMs;
    this.#utterance = new UtteranceAudio(0, this.#maxUtteranceMs);
    const onAbort = () => {
      this.#closed = true;
      this.#controller.abort(signal.reason);
      this.#out.fail(sttAbortedError(signal), { discard: true });
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      this.#live = this.#openLive(0);
    }
  }

  push(frame: Int16Array): void {
    if (this.#closed || frame.length === 0) return;
    this.#utterance.append(frame);
    this.#position += frame.length;
    this.#live?.push(frame);
  }

  flush(): void {
    if (this.#closed) return;
    const audio = this.#utterance;
    this.#utterance = new UtteranceAudio(this.#position, this.#maxUtteranceMs);
    const flushedAt = performance.now();
    const outcome: Promise<SttResult> = audio.samples === 0 ? Promise.resolve({ type: 'final', text: '' }) : this.#transcribe(audio);
    this.#pendingFinals++;
    this.#chain = this.#chain.then(async () => {
      const result = await outcome;
      this.#pendingFinals--;
      this.#out.push({ ...result, type: 'final', latencyMs: performance.now() - flushedAt });
    });
  }

  results(): AsyncIterable<SttResult> {
    return this.#out.iterate();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#chain; // every flushed utterance gets its final (each bounded by totalTimeoutMs)
    const live = this.#live;
    this.#live = undefined;
    await live?.close(this.#options.closeTimeoutMs ?? STT_RESILIENCE_DEFAULTS.closeTimeoutMs);
    this.#out.end();
    this.#controller.abort();
  }

  /** One utterance, resiliently; never rejects: a failure is an empty final with `error`. */
  async #transcribe(audio: UtteranceAudio): Promise<SttResult> {
    const live = this.#live && !this.#live.failed ? this.#live : undefined;
    // Sent now, so this utterance's end reaches the live provider before the next one's audio.
    const liveFinal = live?.flush();
    const order = [this.#preferred, ...this.#providers.keys()].filter((index, i, all) => all.indexOf(index) === i);
    let liveUsed = false;
    const sources = order.map((index) => ({
      name: this.#providers[index].name,
      open: (signal: AbortSignal) => {
        if (live && liveFinal && !liveUsed && live.providerIndex === index) {
          liveUsed = true;
          return this.#fromLive(live, liveFinal, signal);
        }
        return this.#fromFreshStream(index, audio, signal);
      },
    }));
    const { logger, onEvent, finalTimeoutMs, closeTimeoutMs: _c, maxUtteranceMs: _m, ...timing } = this.#options;
    try {
      let transcribed: Transcribed | undefined;
      const attempts = resilientStream(sources, this.#controller.signal, {
        ...STT_RESILIENCE_DEFAULTS,
        retryTimeouts: this.#providers.length === 1,
        ...timing,
        firstItemTimeoutMs: finalTimeoutMs ?? STT_RESILIENCE_DEFAULTS.finalTimeoutMs,
        policy: STT_FAILURE_POLICY,
        onEvent: (event) => {
          if (logger) logEvent(logger, event);
          onEvent?.(event);
        },
      });
      for await (const item of attempts) transcribed = item;
      if (!transcribed) throw new SttError('protocol', 'no final');
      this.#adopt(transcribed.providerIndex);
      return { ...transcribed.result, provider: transcribed.result.provider ?? this.#providers[transcribed.providerIndex].name };
    } catch (error) {
      const sttError = error instanceof SttError ? error : new SttError('protocol', 'STT failed', { cause: error });
      if (!this.#controller.signal.aborted) logger?.warn({ code: sttError.code, err: sttError }, 'STT could not transcribe an utterance');
      return { type: 'final', text: '', error: sttError };
    }
  }

  /** The live stream's answer to this utterance's flush. */
  async *#fromLive(session: LiveSession, final: Promise<SttResult>, signal: AbortSignal): AsyncGenerator<Transcribed> {
    let answered = false;
    // Given up on (timeout) before it answered: the session is no use for what follows either.
    const onAbort = () => answered || session.fail(new SttError('timeout', `${session.provider.name}: abandoned`));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await final;
      answered = true;
      yield { result: shift(result, session.offsetSamples), providerIndex: session.providerIndex };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** A retry or fallback: a stream of its own, given the kept audio, flushed, read to its final. */
  async *#fromFreshStream(index: number, audio: UtteranceAudio, signal: AbortSignal): AsyncGenerator<Transcribed> {
    const stream = this.#providers[index].open({ ...this.#open, interimResults: false }, signal);
    for (const frame of audio.frames) stream.push(frame);
    stream.flush();
    for await (const result of stream.results()) {
      if (result.type !== 'final') continue;
      yield { result: shift(result, audio.startSample), providerIndex: index };
      return; // the attempt's signal is aborted by the resilience layer once we return: the stream goes with it
    }
    throw new SttError('protocol', `${this.#providers[index].name}: stream ended without a final`);
  }

  /** After `index` transcribed an utterance: it leads from now on, with a working live stream. */
  #adopt(index: number): void {
    this.#preferred = index;
    if (this.#closed || (this.#live && !this.#live.failed && this.#live.providerIndex === index)) return;
    this.#live?.fail(new SttError('aborted', 'replaced'));
    this.#live = this.#openLive(index);
  }

  /** A live stream on `index`, given the current utterance's audio so far. */
  #openLive(index: number): LiveSession {
    const session = new LiveSession(this.#providers[index], index, this.#open, this.#utterance.startSample, this.#controller.signal, {
      onInterim: (result, from) => {
        // An interim while a final is outstanding would read as part of that utterance: interims are hints, drop it.
        if (from === this.#live && this.#pendingFinals === 0 && !this.#closed) this.#out.push(shift(result, from.offsetSamples));
      },
      onFailure: (error, from) => {
        const code = error instanceof SttError ? error.code : 'internal';
        this.#options.logger?.warn({ provider: from.provider.name, code, err: error }, 'STT live stream failed; the next utterance is transcribed from kept audio');
      },
    });
    for (const frame of this.#utterance.frames) session.push(frame);
    return session;
  }
}

/** Provider stream time → this stream's time. */
function shift(result: SttResult, offsetSamples: number): SttResult {
  if (offsetSamples === 0) return result;
  const offset = samplesToMs(offsetSamples);
  return {
    ...result,
    ...(result.startMs !== undefined ? { startMs: result.startMs + offset } : {}),
    ...(result.endMs !== undefined ? { endMs: result.endMs + offset } : {}),
  };
}

function logEvent(logger: Pick<Logger, 'warn'>, event: ResilienceEvent): void {
  if (event.type === 'fallback') {
    logger.warn({ from: event.from, to: event.to }, 'STT falling back to the next provider');
    return;
  }
  const error = event.error;
  logger.warn(
    {
      provider: event.source, attempt: event.attempt, code: error instanceof SttError ? error.code : 'internal',
      status: error instanceof SttError ? error.status : undefined, retryInMs: event.retryInMs, err: error,
    },
    'STT attempt failed',
  );
}
