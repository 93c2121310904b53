// HTTP failures of an OpenAI-compatible server → LlmError. The vendor's message is kept (it
// is what tells an operator "model not found"), but trimmed and scrubbed of the API key:
// some servers echo the key they refused.

import { LlmError, type LlmErrorCode } from '../../llm/errors.ts';
import type { WireError } from './wire.ts';

const MAX_ERROR_BODY = 16 * 1024;
const MAX_MESSAGE = 300;

export async function errorFromResponse(response: Response, secret: string | undefined): Promise<LlmError> {
  const code = codeForStatus(response.status);
  const retryAfterMs = code === 'rate_limited' || response.status === 503 ? retryAfterFrom(response.headers) : undefined;
  const detail = vendorMessage(await readBounded(response), secret);
  const message = `LLM server answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
  return new LlmError(code, message, { status: response.status, retryAfterMs });
}

export function codeForStatus(status: number): LlmErrorCode {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** `retry-after-ms` (Azure, OpenAI) wins over `Retry-After` (seconds or an HTTP date). */
export function retryAfterFrom(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The message of an in-stream `{"error": {...}}` event. */
export function streamError(error: WireError, secret: string | undefined): LlmError {
  const text = scrub(String(error.message ?? error.type ?? 'unknown error'), secret).slice(0, MAX_MESSAGE);
  const rateLimited = /rate.?limit/i.test(`${error.type ?? ''} ${error.code ?? ''}`);
  return new LlmError(rateLimited ? 'rate_limited' : 'server', `LLM stream reported an error: ${text}`);
}

export function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/** At most MAX_ERROR_BODY characters: a proxy's error page can be large, and is not needed whole. */
export async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < MAX_ERROR_BODY) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // The body broke off: the status alone still says what happened.
  } finally {
    reader.cancel().catch(() => {});
  }
  return text.slice(0, MAX_ERROR_BODY);
}

function vendorMessage(body: string, secret: string | undefined): string {
  let text = body.trim();
  try {
    const parsed = JSON.parse(text) as { error?: WireError | string; message?: string; detail?: string };
    const error = parsed.error;
    text = (typeof error === 'string' ? error : error?.message) ?? parsed.message ?? parsed.detail ?? text;
  } catch {
    // Not JSON (an HTML page from a proxy, plain text): keep the text.
  }
  text = scrub(String(text), secret).replace(/\s+/g, ' ').trim();
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}
