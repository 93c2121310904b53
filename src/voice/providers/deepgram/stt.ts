// Deepgram live transcription over its WebSocket API (wss://api.deepgram.com/v1/listen):
// caller audio as binary linear16 frames, JSON control messages (Finalize when our turn
// detector ends an utterance, KeepAlive while the line is quiet, CloseStream at the end) and
// JSON Results back. The protocol bookkeeping is in transcript.ts; this is the socket shell.
// No retries or timeouts here: ResilientStt adds them around any provider.

import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { scrubSecret, sttAbortedError, sttCodeForStatus, SttError, vendorMessage } from '../../stt/errors.ts';
import { ResultQueue } from '../../stt/result-queue.ts';
import type { SttOpenOptions, SttProvider, SttResult, SttStream } from '../../stt/types.ts';
import { DeepgramTranscript, type DeepgramResults } from './transcript.ts';

export interface DeepgramSttOptions {
  /** Sent as `Authorization: Token <key>`; a self-hosted Deepgram may need none. */
  apiKey?: string;
  /** Up to and including the version (default `wss://api.deepgram.com/v1`); http(s) is taken as ws(s). */
  baseUrl?: string;
  /** Default `nova-3` (Spanish, English and `multi` among its languages). */
  model?: string;
  /**
   * Deepgram's own end-of-speech detection in ms, or false (default): our VAD and turn detector
   * decide when an utterance ends and say so with flush().
   */
  endpointing?: number | false;
  /** Default true: numbers, dates and amounts written as such ("15 euros"). */
  smartFormat?: boolean;
  /** Default true. */
  punctuate?: boolean;
  /** Deepgram closes a stream that hears nothing for 10 s: a KeepAlive goes out after this much quiet (default 3000). */
  keepAliveMs?: number;
  /**
   * Deepgram may not answer a Finalize when little audio was left: after this long without an
   * answer the utterance is final with what arrived (default 1000). Keep it below ResilientStt's
   * finalTimeoutMs, or a silent server is taken for a failed one.
   */
  finalizeGraceMs?: number;
  /** Further query parameters (`keyterm`, `numerals`, …), sent as given. */
  extraParams?: Record<string, string>;
}

const DEFAULT_BASE_URL = 'wss://api.deepgram.com/v1';
const MAX_ERROR_BODY = 16 * 1024;
/** Audio queued while the socket connects is bounded (the caller may talk through a slow connect). */
const MAX_QUEUED_MESSAGES = 3000; // 60 s of 20 ms frames

export class DeepgramStt implements SttProvider {
  readonly name: string;
  readonly #options: DeepgramSttOptions;
  // A private field: logging or inspecting the provider cannot reveal the key.
  readonly #apiKey: string | undefined;

  constructor(options: DeepgramSttOptions) {
    deepgramListenUrl(options.baseUrl ?? DEFAULT_BASE_URL, {}); // refuses a bad URL now, not at the first call
    this.#apiKey = options.apiKey || undefined;
    this.#options = { ...options, apiKey: undefined };
    this.name = `deepgram:${options.model ?? 'nova-3'}`;
  }

  open(options: SttOpenOptions, signal: AbortSignal): SttStream {
    const o = this.#options;
    const params: Record<string, string> = {
      model: o.model ?? 'nova-3',
      encoding: 'linear16',
      sample_rate: String(options.sampleRate),
      channels: '1',
      language: options.language,
      interim_results: String(options.interimResults ?? true),
      endpointing: o.endpointing === undefined || o.endpointing === false ? 'false' : String(o.endpointing),
      punctuate: String(o.punctuate ?? true),
      smart_format: String(o.smartFormat ?? true),
      ...o.extraParams,
    };
    const url = deepgramListenUrl(o.baseUrl ?? DEFAULT_BASE_URL, params);
    return new DeepgramSttStream(url, this.#apiKey, this.name, options, o, signal);
  }
}

/** `{base}/listen?…`, with http(s) taken as ws(s). */
export function deepgramListenUrl(baseUrl: string, params: Record<string, string>): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/listen`);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new TypeError('Deepgram baseUrl must be a ws(s) or http(s) URL');
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

class DeepgramSttStream implements SttStream {
  readonly #queue = new ResultQueue<SttResult>();
  readonly #socket: WebSocket;
  readonly #transcript: DeepgramTranscript;
  readonly #apiKey: string | undefined;
  readonly #signal: AbortSignal;
  readonly #keepAliveMs: number;
  readonly #graceMs: number;
  readonly #outbox: (Buffer | string)[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #keepAlive: NodeJS.Timeout | undefined;
  #lastSentAt = performance.now();
  #closing = false;
  #closed: Promise<void>;
  #onAbort = () => this.#abort();

  constructor(
    url: string, apiKey: string | undefined, provider: string, open: SttOpenOptions, options: DeepgramSttOptions, signal: AbortSignal,
  ) {
    this.#apiKey = apiKey;
    this.#signal = signal;
    this.#keepAliveMs = options.keepAliveMs ?? 3000;
    this.#graceMs = options.finalizeGraceMs ?? 1000;
    this.#transcript = new DeepgramTranscript({ sampleRate: open.sampleRate, interimResults: open.interimResults ?? true, provider });
    const headers: Record<string, string> = apiKey ? { authorization: `Token ${apiKey}` } : {};
    this.#socket = new WebSocket(url, { headers, perMessageDeflate: false });
    this.#closed = new Promise((resolve) => this.#socket.once('close', () => resolve()));
    this.#socket.binaryType = 'nodebuffer';
    this.#socket.on('open', () => this.#onOpen());
    this.#socket.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
    this.#socket.on('unexpected-response', (_req, res) => void this.#onRefused(res));
    this.#socket.on('error', (error) => this.#fail(new SttError('network', `Deepgram connection failed: ${this.#scrub(error.message)}`, { cause: error })));
    this.#socket.on('close', (code, reason) => this.#onClose(code, reason.toString()));
    if (signal.aborted) this.#abort();
    else signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  push(frame: Int16Array): void {
    if (this.#closing || this.#queue.settled || frame.length === 0) return;
    // Int16Array is little-endian on every platform Node runs on here, as linear16 wants.
    this.#send(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    this.#transcript.sent(frame.length);
  }

  flush(): void {
    if (this.#closing || this.#queue.settled) return;
    const { finalize, point, results } = this.#transcript.flush(performance.now());
    this.#emit(results);
    if (!finalize) return;
    this.#send(JSON.stringify({ type: 'Finalize' }));
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#emit(this.#transcript.expire(point, performance.now()));
    }, this.#graceMs);
    this.#timers.add(timer);
  }

  results(): AsyncIterable<SttResult> {
    return this.#queue.iterate();
  }

  async close(): Promise<void> {
    if (!this.#closing && !this.#queue.settled) {
      this.#closing = true;
      // Deepgram finalises what it holds, answers, sends Metadata and closes the socket itself.
      this.#send(JSON.stringify({ type: 'CloseStream' }));
    } else if (this.#queue.settled && this.#socket.readyState !== WebSocket.CLOSED) {
      this.#socket.terminate();
    }
    await this.#closed;
  }

  #send(message: Buffer | string): void {
    if (this.#socket.readyState === WebSocket.OPEN) {
      this.#socket.send(message);
      this.#lastSentAt = performance.now();
    } else if (this.#socket.readyState === WebSocket.CONNECTING) {
      if (this.#outbox.length >= MAX_QUEUED_MESSAGES) this.#outbox.splice(this.#outbox.findIndex((m) => typeof m !== 'string'), 1);
      this.#outbox.push(message);
    }
  }

  #onOpen(): void {
    for (const message of this.#outbox.splice(0)) this.#socket.send(message);
    this.#lastSentAt = performance.now();
    this.#keepAlive = setInterval(() => {
      if (this.#socket.readyState !== WebSocket.OPEN || performance.now() - this.#lastSentAt < this.#keepAliveMs) return;
      this.#send(JSON.stringify({ type: 'KeepAlive' }));
    }, Math.max(100, Math.round(this.#keepAliveMs / 2)));
    this.#keepAlive.unref();
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) return; // the listen API sends JSON text only
    let message: { type?: string; [key: string]: unknown };
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch (error) {
      return this.#fail(new SttError('protocol', 'Deepgram sent a message that is not JSON', { cause: error }));
    }
    if (message.type === 'Results') this.#emit(this.#transcript.results(message as unknown as DeepgramResults, performance.now()));
    else if (message.type === 'Error') {
      const detail = vendorMessage(JSON.stringify({ err_msg: message.description ?? message.message, err_code: message.variant }), this.#apiKey);
      this.#fail(new SttError('server', `Deepgram reported an error: ${detail}`));
    }
    // Metadata, SpeechStarted, UtteranceEnd: nothing the contract needs.
  }

  async #onRefused(response: IncomingMessage): Promise<void> {
    const status = response.statusCode ?? 0;
    const body = await readBody(response);
    const detail = vendorMessage(body, this.#apiKey);
    const retryAfter = Number(response.headers['retry-after']);
    this.#fail(new SttError(sttCodeForStatus(status), `Deepgram refused the stream: HTTP ${status}${detail ? `: ${detail}` : ''}`, {
      status, retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
    }));
  }

  #onClose(code: number, reason: string): void {
    this.#stopTimers();
    this.#signal.removeEventListener('abort', this.#onAbort);
    if (this.#queue.settled) return;
    if ((code === 1000 || code === 1005) && this.#closing) {
      this.#emit(this.#transcript.drain(performance.now()));
      return this.#queue.end();
    }
    this.#fail(closeError(code, this.#scrub(reason)));
  }

  #emit(results: SttResult[]): void {
    for (const result of results) this.#queue.push(result);
  }

  #fail(error: SttError): void {
    if (this.#queue.settled) return;
    this.#queue.fail(error);
    this.#stopTimers();
    if (this.#socket.readyState !== WebSocket.CLOSED) this.#socket.terminate();
  }

  #abort(): void {
    this.#queue.fail(sttAbortedError(this.#signal), { discard: true });
    this.#stopTimers();
    this.#socket.terminate();
  }

  #stopTimers(): void {
    clearInterval(this.#keepAlive);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #scrub(text: string): string {
    return scrubSecret(text, this.#apiKey);
  }
}

/**
 * Deepgram closes with 1008 for audio it cannot decode (DATA-0000) and 1011 for its own
 * failures (NET-0000) or a stream that heard nothing for 10 s (NET-0001). 1006 is a dropped
 * connection: no close frame at all.
 */
function closeError(code: number, reason: string): SttError {
  const what = `Deepgram closed the stream (${code}${reason ? ` ${reason}` : ''})`;
  if (code === 1008) return new SttError('bad_request', what);
  if (/NET-0001/.test(reason)) return new SttError('network', what);
  if (code === 1011) return new SttError('server', what);
  if (code === 1000) return new SttError('protocol', `${what} before CloseStream`);
  return new SttError('network', what);
}

async function readBody(response: IncomingMessage): Promise<string> {
  let text = '';
  try {
    for await (const chunk of response) {
      text += String(chunk);
      if (text.length >= MAX_ERROR_BODY) break;
    }
  } catch {
    // The body broke off: the status alone still says what happened.
  }
  response.destroy();
  return text.slice(0, MAX_ERROR_BODY);
}
