// The TtsProvider the voice pipeline uses: it routes each request to the engine of the
// request's voice (catalogue `provider`) and puts the shared resilience rules
// (src/voice/providers/resilience.ts) around it — a first-byte timeout, retries before any
// audio was yielded, and espeak-ng in the call's language as the last resort, because a
// robotic sentence is better than silence on a phone line.

import type { Logger } from 'pino';
import { resilientStream, type FailurePolicy, type ResilienceEvent, type ResilienceOptions, type StreamSource } from '../providers/resilience.ts';
import { espeakVoiceFor } from './espeak-tts.ts';
import { abortedError, TtsError } from './errors.ts';
import type { TtsProvider, TtsRequest } from './types.ts';

/** A caller notices ~1 s of silence; cloud TTS normally starts within 100–500 ms. */
export const TTS_RESILIENCE_DEFAULTS: Required<Omit<ResilienceOptions, 'backoff' | 'retryTimeouts'>> = {
  firstItemTimeoutMs: 3_000,
  idleTimeoutMs: 5_000,
  totalTimeoutMs: 60_000,
  retries: 1,
  maxRetryDelayMs: 1_000,
};

export const TTS_FAILURE_POLICY: FailurePolicy = {
  timeoutError(kind, ms, source) {
    const what = kind === 'first_item' ? 'no audio' : kind === 'idle' ? 'audio stalled' : 'speech not finished';
    return new TtsError('TIMEOUT', `${source}: ${what} within ${ms} ms`);
  },
  abortError: abortedError,
  retryable: (error) => error instanceof TtsError && error.retryable,
  retryAfterMs: (error) => (error instanceof TtsError ? error.retryAfterMs : undefined),
};

/** Engines by catalogue provider name: `espeak`, `elevenlabs`, `openai`. */
export type TtsEngines = Readonly<Partial<Record<string, TtsProvider>>>;

export interface ResilientTtsOptions extends ResilienceOptions {
  /** When another engine fails before any audio, speak with espeak-ng instead (default: when an `espeak` engine exists). */
  espeakFallback?: boolean;
  /** Failed attempts and fallbacks are logged at warn (engine names and error codes, never the text). */
  logger?: Pick<Logger, 'warn'>;
  onEvent?: (event: ResilienceEvent) => void;
}

export class ResilientTts implements TtsProvider {
  readonly name: string;
  readonly #engines: TtsEngines;
  readonly #options: ResilientTtsOptions;

  constructor(engines: TtsEngines, options: ResilientTtsOptions = {}) {
    this.#engines = engines;
    this.#options = options;
    this.name = `tts(${Object.keys(engines).join(',')})`;
  }

  /** Whether voices of this catalogue provider can be spoken. */
  speaks(provider: string): boolean {
    return this.#engines[provider] !== undefined;
  }

  synthesize(request: TtsRequest, signal: AbortSignal): AsyncIterable<Int16Array> {
    const { logger, onEvent, espeakFallback, ...timing } = this.#options;
    const sources = [this.#source(request)];
    const espeak = this.#engines.espeak;
    if (espeak && (espeakFallback ?? true) && request.voice.provider !== 'espeak') {
      const fallback = { ...request, voice: espeakVoiceFor(request.language) };
      sources.push({ name: espeak.name, open: (s) => espeak.synthesize(fallback, s) });
    }
    return resilientStream(sources, signal, {
      ...TTS_RESILIENCE_DEFAULTS,
      ...timing,
      policy: TTS_FAILURE_POLICY,
      onEvent: (event) => {
        if (logger) logEvent(logger, event);
        onEvent?.(event);
      },
    });
  }

  #source(request: TtsRequest): StreamSource<Int16Array> {
    const provider = request.voice.provider;
    const engine = this.#engines[provider];
    if (!engine) {
      return {
        name: provider,
        open: () => failing(new TtsError('NOT_CONFIGURED', `no TTS engine is configured for ${provider} voices`)),
      };
    }
    return { name: engine.name, open: (s) => engine.synthesize(request, s) };
  }
}

// eslint-disable-next-line require-yield
async function* failing(error: TtsError): AsyncGenerator<Int16Array> {
  throw error;
}

function logEvent(logger: Pick<Logger, 'warn'>, event: ResilienceEvent): void {
  if (event.type === 'fallback') {
    logger.warn({ from: event.from, to: event.to }, 'TTS falling back to the next engine');
    return;
  }
  const error = event.error;
  logger.warn(
    {
      engine: event.source,
      attempt: event.attempt,
      code: error instanceof TtsError ? error.code : 'internal',
      status: error instanceof TtsError ? error.status : undefined,
      retryInMs: event.retryInMs,
      err: error,
    },
    'TTS attempt failed',
  );
}
