// Every LLM failure is an LlmError with a code the resilience layer and the agent can act on.

import { ProviderError } from '../providers/provider-error.ts';

export type LlmErrorCode =
  | 'auth' // 401/403: wrong or missing key
  | 'rate_limited' // 429; retryAfterMs when the server said how long
  | 'server' // 5xx, or an error event inside the stream
  | 'bad_request' // other 4xx: unknown model, context too long, bad tool schema
  | 'timeout' // first token, idle gap or overall deadline exceeded (or HTTP 408)
  | 'aborted' // the caller's signal fired
  | 'network' // connection refused/reset before an HTTP answer
  | 'protocol'; // not the chat-completions stream format, or the stream ended early

const RETRYABLE: ReadonlySet<LlmErrorCode> = new Set(['rate_limited', 'server', 'timeout', 'network', 'protocol']);

export class LlmError extends ProviderError<LlmErrorCode> {
  override readonly name = 'LlmError';
  protected readonly retryableCodes = RETRYABLE;
}

/** The LlmError for an aborted signal: 'timeout' when the reason is a TimeoutError (AbortSignal.timeout). */
export function abortedError(signal: AbortSignal): LlmError {
  const reason: unknown = signal.reason;
  if (reason instanceof LlmError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new LlmError('timeout', 'LLM request timed out', { cause: reason });
  }
  return new LlmError('aborted', 'LLM request aborted', { cause: reason });
}
