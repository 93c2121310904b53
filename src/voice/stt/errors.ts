// Every STT failure is an SttError with a code the resilience layer and the agent can act on.

import { ProviderError } from '../providers/provider-error.ts';

export type SttErrorCode =
  | 'auth' // 401/403 (or the vendor's close code for a bad key): wrong or missing key
  | 'rate_limited' // 429 / too many concurrent streams; retryAfterMs when the vendor said
  | 'server' // 5xx, or the vendor closed the stream reporting its own failure
  | 'bad_request' // other 4xx: unknown model or language, audio format refused
  | 'timeout' // our final/total timers, or HTTP 408
  | 'aborted' // the caller's signal fired
  | 'network' // refused, reset, or the connection dropped without the vendor saying why
  | 'protocol'; // an answer that is not the vendor's format, or a stream that ended early

const RETRYABLE: ReadonlySet<SttErrorCode> = new Set(['rate_limited', 'server', 'timeout', 'network', 'protocol']);

export class SttError extends ProviderError<SttErrorCode> {
  override readonly name = 'SttError';
  protected readonly retryableCodes = RETRYABLE;
}

/** The SttError for an aborted signal: 'timeout' when the reason is a TimeoutError (AbortSignal.timeout). */
export function sttAbortedError(signal: AbortSignal): SttError {
  const reason: unknown = signal.reason;
  if (reason instanceof SttError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return new SttError('timeout', 'STT timed out', { cause: reason });
  return new SttError('aborted', 'STT aborted', { cause: reason });
}

export function sttCodeForStatus(status: number): SttErrorCode {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  return 'bad_request';
}

const MAX_MESSAGE = 300;

/**
 * The vendor's own words from an error body (OpenAI `{error:{message}}`, Deepgram
 * `{err_code, err_msg}`, FastAPI `{detail}`, or plain text), trimmed and scrubbed of the key:
 * some servers echo the key they refused.
 */
export function vendorMessage(body: string, secret: string | undefined): string {
  let text = body.trim();
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const error = parsed.error as { message?: unknown } | string | undefined;
    const candidates = [typeof error === 'string' ? error : error?.message, parsed.err_msg, parsed.message, parsed.detail, parsed.reason];
    const found = candidates.find((c) => typeof c === 'string' && c.trim() !== '');
    if (typeof found === 'string') text = typeof parsed.err_code === 'string' ? `${parsed.err_code}: ${found}` : found;
  } catch {
    // Not JSON (a proxy's HTML page, plain text): keep the text.
  }
  text = scrubSecret(text, secret).replace(/\s+/g, ' ').trim();
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

export function scrubSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}
