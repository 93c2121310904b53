// An LlmProvider that puts the shared resilience rules (src/voice/providers/resilience.ts)
// around one or more providers: the first is primary, the others are fallbacks in order.

import type { Logger } from 'pino';
import { resilientStream, type FailurePolicy, type ResilienceEvent, type ResilienceOptions } from '../providers/resilience.ts';
import { abortedError, LlmError } from './errors.ts';
import type { LlmChunk, LlmProvider, LlmRequest } from './types.ts';

/** Defaults for a phone conversation: a caller notices ~1 s of silence; 5 s without a word is a failure. */
export const LLM_RESILIENCE_DEFAULTS: Required<Omit<ResilienceOptions, 'backoff' | 'retryTimeouts'>> = {
  firstItemTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  totalTimeoutMs: 60_000,
  retries: 1,
  maxRetryDelayMs: 2_000,
};

export const LLM_FAILURE_POLICY: FailurePolicy = {
  timeoutError(kind, ms, source) {
    const what = kind === 'first_item' ? 'no first token' : kind === 'idle' ? 'stream stalled' : 'reply not finished';
    return new LlmError('timeout', `${source}: ${what} within ${ms} ms`);
  },
  abortError: abortedError,
  // Anything that is not an LlmError is a bug of ours: asking again would not help.
  retryable: (error) => error instanceof LlmError && error.retryable,
  retryAfterMs: (error) => (error instanceof LlmError ? error.retryAfterMs : undefined),
};

export interface ResilientLlmOptions extends ResilienceOptions {
  /** Failed attempts and fallbacks are logged at warn (provider names and error codes only). */
  logger?: Pick<Logger, 'warn'>;
  onEvent?: (event: ResilienceEvent) => void;
}

export class ResilientLlm implements LlmProvider {
  readonly name: string;
  readonly #providers: readonly LlmProvider[];
  readonly #options: ResilientLlmOptions;

  constructor(providers: readonly LlmProvider[], options: ResilientLlmOptions = {}) {
    if (providers.length === 0) throw new TypeError('ResilientLlm needs at least one provider');
    this.#providers = providers;
    this.#options = options;
    this.name = providers.map((p) => p.name).join(' → ');
  }

  stream(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmChunk> {
    const { logger, onEvent, ...timing } = this.#options;
    const sources = this.#providers.map((provider) => ({ name: provider.name, open: (s: AbortSignal) => provider.stream(request, s) }));
    return resilientStream(sources, signal, {
      ...LLM_RESILIENCE_DEFAULTS,
      // Alone, a provider that stalled gets one more chance; with a fallback, the fallback does.
      retryTimeouts: this.#providers.length === 1,
      ...timing,
      policy: LLM_FAILURE_POLICY,
      onEvent: (event) => {
        if (logger) logEvent(logger, event);
        onEvent?.(event);
      },
    });
  }
}

function logEvent(logger: Pick<Logger, 'warn'>, event: ResilienceEvent): void {
  if (event.type === 'fallback') {
    logger.warn({ from: event.from, to: event.to }, 'LLM falling back to the next provider');
    return;
  }
  const error = event.error;
  logger.warn(
    {
      provider: event.source,
      attempt: event.attempt,
      code: error instanceof LlmError ? error.code : 'internal',
      status: error instanceof LlmError ? error.status : undefined,
      retryInMs: event.retryInMs,
      err: error,
    },
    'LLM attempt failed',
  );
}
