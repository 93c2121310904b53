// The one HTTP exchange every cloud TTS adapter makes: POST a request, read the audio body as
// it streams and yield 8 kHz PCM as each network chunk decodes. Cancellation is wired so that
// the caller's abort, or the consumer leaving its loop, aborts the fetch: undici then drops
// the connection, which is what makes the vendor stop generating (and billing).

import { readBounded, retryAfterFrom, scrub } from '../providers/openai-compatible/http-errors.ts';
import { AudioStreamDecoder, type WireAudioFormat } from './audio-stream.ts';
import { abortedError, TtsError, type TtsErrorCode } from './errors.ts';

export interface AudioRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Names the engine in error messages: 'ElevenLabs', 'OpenAI-compatible TTS'. */
  vendor: string;
  /** Scrubbed from any error message (some servers echo the key they refused). */
  secret: string | undefined;
  format: WireAudioFormat;
}

const MAX_MESSAGE = 300;

export async function* streamAudio(request: AudioRequest, signal: AbortSignal): AsyncGenerator<Int16Array> {
  if (signal.aborted) throw abortedError(signal);
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await post(request, controller.signal, signal);
    const type = response.headers.get('content-type') ?? '';
    // A 200 with JSON is an error report from a proxy or an odd server, never audio.
    if (type.includes('json') || type.startsWith('text/')) {
      throw new TtsError('PROTOCOL', `${request.vendor} answered ${type} instead of audio: ${await errorDetail(response, request.secret)}`);
    }
    if (!response.body) throw new TtsError('PROTOCOL', `${request.vendor} answered without a body`);
    const decoder = new AudioStreamDecoder(request.format);
    const reader = response.body.getReader();
    try {
      for (;;) {
        const read = await readChunk(reader, request.vendor, signal);
        const pcm = read.done ? decoder.end() : decoder.push(read.value);
        if (pcm.length > 0) yield pcm;
        if (read.done) return;
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    controller.abort();
  }
}

async function post(request: AudioRequest, fetchSignal: AbortSignal, signal: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: JSON.stringify(request.body),
      signal: fetchSignal,
    });
  } catch (error) {
    if (signal.aborted) throw abortedError(signal);
    throw new TtsError('NETWORK', `${request.vendor} unreachable: ${scrub(causeMessage(error), request.secret)}`, { cause: error });
  }
  if (!response.ok) {
    const error = await errorFromResponse(response, request.vendor, request.secret);
    if (signal.aborted) throw abortedError(signal);
    throw error;
  }
  return response;
}

async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>, vendor: string, signal: AbortSignal,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch (error) {
    if (signal.aborted) throw abortedError(signal);
    throw new TtsError('NETWORK', `connection to ${vendor} broke mid-stream`, { cause: error });
  }
}

/** An HTTP failure as a TtsError carrying the vendor's own words (trimmed, key scrubbed). */
export async function errorFromResponse(response: Response, vendor: string, secret: string | undefined): Promise<TtsError> {
  const detail = await errorDetail(response, secret);
  const code = codeFor(response.status, detail);
  const retryAfterMs = code === 'RATE_LIMITED' || response.status === 503 ? retryAfterFrom(response.headers) : undefined;
  const message = `${vendor} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
  return new TtsError(code, message, { status: response.status, retryAfterMs });
}

function codeFor(status: number, detail: string): TtsErrorCode {
  if (status === 401 || status === 403) return 'AUTH';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 408) return 'TIMEOUT';
  if (status >= 500) return 'SERVER';
  // ElevenLabs answers 400 or 404 with detail.status voice_not_found / voice_does_not_exist.
  if ((status === 400 || status === 404) && /voice_not_found|voice_does_not_exist|voice .*not (found|exist)/i.test(detail)) return 'UNKNOWN_VOICE';
  return 'BAD_REQUEST';
}

async function errorDetail(response: Response, secret: string | undefined): Promise<string> {
  let text = (await readBounded(response)).trim();
  try {
    text = vendorMessage(JSON.parse(text)) ?? text;
  } catch {
    // Not JSON (a proxy's HTML page, plain text): keep the text.
  }
  text = scrub(text, secret).replace(/\s+/g, ' ').trim();
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/**
 * The message in the error shapes TTS servers use: ElevenLabs `{detail: {status, message}}`,
 * FastAPI `{detail: "…"}`, OpenAI `{error: {message}}`, and plain `{error: "…"}` / `{message}`.
 */
function vendorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { detail, error, message } = body as { detail?: unknown; error?: unknown; message?: unknown };
  for (const candidate of [detail, error]) {
    if (typeof candidate === 'string') return candidate;
    if (typeof candidate === 'object' && candidate !== null) {
      const inner = candidate as { status?: unknown; message?: unknown };
      const text = typeof inner.message === 'string' ? inner.message : undefined;
      const status = typeof inner.status === 'string' ? inner.status : undefined;
      if (text || status) return [status, text].filter(Boolean).join(': ');
    }
  }
  return typeof message === 'string' ? message : undefined;
}

function causeMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
