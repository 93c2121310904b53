// Retries, timeouts and fallback for any streaming provider call (LLM now; STT and TTS can
// use the same code). The rules that keep a phone conversation sane:
// - a source that says nothing for `firstItemTimeoutMs` is abandoned (the caller is waiting);
// - retries and fallbacks happen only BEFORE the first item went to the consumer: once words
//   were spoken, repeating them from another attempt would be worse than stopping;
// - every attempt runs under its own AbortController, aborted on timeout, on failure, on the
//   caller's abort and when the consumer stops iterating, so no request outlives its use.

import { sleep } from './sleep.ts';

/** One way of producing the stream: a provider bound to one request. */
export interface StreamSource<T> {
  readonly name: string;
  open(signal: AbortSignal): AsyncIterable<T>;
}

export type TimeoutKind = 'first_item' | 'idle' | 'total';

/** How a kind of stream reads and makes its errors. */
export interface FailurePolicy {
  timeoutError(kind: TimeoutKind, ms: number, source: string): Error;
  abortError(signal: AbortSignal): Error;
  /** Whether the same source may succeed if asked again. */
  retryable(error: unknown): boolean;
  /** How long the source asked us to wait (Retry-After), if it did. */
  retryAfterMs(error: unknown): number | undefined;
  /** Whether the next source should be tried after this failure (default: always). */
  fallback?(error: unknown): boolean;
}

export interface ResilienceOptions {
  /** Per attempt: from opening the source to its first item. */
  firstItemTimeoutMs?: number;
  /** Per attempt: the longest gap between two items after the first. */
  idleTimeoutMs?: number;
  /** The whole operation, every retry and fallback included. */
  totalTimeoutMs?: number;
  /** Further attempts on the same source after a retryable failure before any output (default 1). */
  retries?: number;
  /** Exponential backoff between attempts on one source (defaults 200 ms, ×2, capped at 2000 ms). */
  backoff?: { initialMs?: number; multiplier?: number; maxMs?: number };
  /** A Retry-After longer than this moves on to the next source instead of waiting (default 2000 ms). */
  maxRetryDelayMs?: number;
  /**
   * Whether a source that hit one of our timeouts is asked again (default false: it is likely
   * to be slow again while the caller waits, so the next source gets the turn).
   */
  retryTimeouts?: boolean;
}

export type ResilienceEvent =
  | { type: 'attempt_failed'; source: string; attempt: number; error: unknown; retryInMs: number | undefined }
  | { type: 'fallback'; from: string; to: string };

export interface ResilientStreamOptions extends ResilienceOptions {
  policy: FailurePolicy;
  onEvent?: (event: ResilienceEvent) => void;
}

export async function* resilientStream<T>(
  sources: readonly StreamSource<T>[], signal: AbortSignal, options: ResilientStreamOptions,
): AsyncGenerator<T> {
  if (sources.length === 0) throw new TypeError('resilientStream needs at least one source');
  const { policy } = options;
  const deadline = performance.now() + (options.totalTimeoutMs ?? Infinity);
  let lastError: unknown;
  for (const [index, source] of sources.entries()) {
    if (index > 0) options.onEvent?.({ type: 'fallback', from: sources[index - 1].name, to: source.name });
    for (let attempt = 1; ; attempt++) {
      let emitted = false;
      try {
        for await (const item of guardedAttempt(source, signal, deadline, options)) {
          emitted = true;
          yield item;
        }
        return;
      } catch (error) {
        if (signal.aborted) throw policy.abortError(signal);
        if (emitted) throw error;
        lastError = error;
        const retryInMs = retryDelay(error, attempt, deadline, options);
        options.onEvent?.({ type: 'attempt_failed', source: source.name, attempt, error, retryInMs });
        if (performance.now() >= deadline) throw error;
        if (retryInMs === undefined) break;
        await sleep(retryInMs, signal).catch(() => {
          throw policy.abortError(signal);
        });
      }
    }
    if (policy.fallback && !policy.fallback(lastError)) break;
  }
  throw lastError;
}

/** Milliseconds to wait before asking the same source again, or undefined to move on. */
function retryDelay(error: unknown, attempt: number, deadline: number, options: ResilientStreamOptions): number | undefined {
  if (attempt > (options.retries ?? 1) || !options.policy.retryable(error)) return undefined;
  if (OUR_TIMEOUTS.has(error as object) && !options.retryTimeouts) return undefined;
  const { initialMs = 200, multiplier = 2, maxMs = 2000 } = options.backoff ?? {};
  const backoff = Math.min(maxMs, initialMs * multiplier ** (attempt - 1));
  const delay = Math.max(backoff, options.policy.retryAfterMs(error) ?? 0);
  if (delay > (options.maxRetryDelayMs ?? 2000)) return undefined;
  if (performance.now() + delay >= deadline) return undefined;
  return delay;
}

/** Timeout errors raised by this layer (rather than reported by a source, like an HTTP 408). */
const OUR_TIMEOUTS = new WeakSet<object>();

/** One attempt on one source, with its timeouts, cancelled in every way out. */
async function* guardedAttempt<T>(
  source: StreamSource<T>, outer: AbortSignal, deadline: number, options: ResilientStreamOptions,
): AsyncGenerator<T> {
  const { policy } = options;
  if (outer.aborted) throw policy.abortError(outer);
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer.reason);
  outer.addEventListener('abort', onAbort, { once: true });
  let iterator: AsyncIterator<T> | undefined;
  try {
    iterator = source.open(controller.signal)[Symbol.asyncIterator]();
    for (let first = true; ; first = false) {
      // The caller may have aborted while holding the last item: ask the source for nothing more.
      if (outer.aborted) throw policy.abortError(outer);
      const limit = limitFor(first, deadline, options);
      const result = await nextWithin(iterator.next(), limit, outer, policy, source.name);
      if (result.done) return;
      yield result.value;
    }
  } finally {
    outer.removeEventListener('abort', onAbort);
    controller.abort();
    // Not awaited: a pending next() settles first (promptly, the signal just fired).
    iterator?.return?.()?.catch(() => {});
  }
}

function limitFor(first: boolean, deadline: number, options: ResilienceOptions): { ms: number; kind: TimeoutKind } {
  const own = first ? options.firstItemTimeoutMs : options.idleTimeoutMs;
  const remaining = deadline - performance.now();
  if (own !== undefined && own <= remaining) return { ms: own, kind: first ? 'first_item' : 'idle' };
  return { ms: remaining, kind: 'total' };
}

function nextWithin<T>(
  next: Promise<IteratorResult<T>>, limit: { ms: number; kind: TimeoutKind }, outer: AbortSignal, policy: FailurePolicy, name: string,
): Promise<IteratorResult<T>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = Number.isFinite(limit.ms)
      ? setTimeout(() => settle(() => reject(ownTimeout(policy.timeoutError(limit.kind, Math.round(limit.ms), name)))), Math.max(0, limit.ms))
      : undefined;
    const onAbort = () => settle(() => reject(policy.abortError(outer)));
    if (outer.aborted) onAbort();
    else outer.addEventListener('abort', onAbort, { once: true });
    function settle(action: () => void) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
      action();
    }
    next.then((result) => settle(() => resolve(result)), (error) => settle(() => reject(error)));
  });
}

function ownTimeout(error: Error): Error {
  OUR_TIMEOUTS.add(error);
  return error;
}
