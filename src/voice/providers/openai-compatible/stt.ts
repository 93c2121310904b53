// STT adapter for any server speaking OpenAI's transcription API (OpenAI's whisper-1 and
// gpt-4o-transcribe, Groq, and the self-hosted Whisper servers: faster-whisper-server /
// speaches, LocalAI, whisper.cpp's server with --inference-path /v1/audio/transcriptions).
// It is not a streaming API: the utterance's audio is kept while the caller speaks and, on
// flush(), uploaded as one WAV (POST {baseUrl}/audio/transcriptions, multipart/form-data).
// No interims. No retries or timeouts here: ResilientStt adds them around any provider.

import { resample } from '../../../lib/audio/resampler.ts';
import { pcmWavHeader } from '../../../lib/audio/wav.ts';
import { scrubSecret, sttAbortedError, sttCodeForStatus, SttError, vendorMessage } from '../../stt/errors.ts';
import { ResultQueue } from '../../stt/result-queue.ts';
import type { SttOpenOptions, SttProvider, SttResult, SttStream } from '../../stt/types.ts';
import { samplesToMs, UtteranceAudio } from '../../stt/utterance-audio.ts';
import { retryAfterFrom } from './http-errors.ts';

export interface OpenAiCompatibleSttOptions {
  /** Up to and including the version: `https://api.openai.com/v1`, `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; optional for local servers. */
  apiKey?: string;
  /** `whisper-1`, `gpt-4o-transcribe`, `whisper-large-v3-turbo`, `Systran/faster-whisper-small`, … */
  model: string;
  /**
   * Sample rate of the uploaded WAV (default 16000: Whisper's own rate, and whisper.cpp's server
   * refuses any other unless started with --convert). 8000 halves the upload for servers that resample.
   */
  uploadSampleRate?: 8000 | 16000;
  /** Shorter utterances are final ('') without a request: OpenAI refuses audio under 0.1 s (default 100). */
  minAudioMs?: number;
  /** Words to steer spelling (names, products), sent as `prompt`. */
  prompt?: string;
}

const MAX_ERROR_BODY = 16 * 1024;

export class OpenAiCompatibleStt implements SttProvider {
  readonly name: string;
  readonly #url: string;
  readonly #options: Omit<OpenAiCompatibleSttOptions, 'apiKey'>;
  // A private field: logging or inspecting the provider cannot reveal the key.
  readonly #apiKey: string | undefined;

  constructor(options: OpenAiCompatibleSttOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('baseUrl must be an http(s) URL');
    const { apiKey, ...rest } = options;
    this.#url = `${options.baseUrl.replace(/\/+$/, '')}/audio/transcriptions`;
    this.#apiKey = apiKey || undefined;
    this.#options = rest;
    this.name = `openai-compatible-stt:${options.model}@${base.host}`;
  }

  open(options: SttOpenOptions, signal: AbortSignal): SttStream {
    return new TranscriptionStream((audio, s) => this.#transcribe(audio, options, s), this.name, this.#options.minAudioMs ?? 100, signal);
  }

  async #transcribe(audio: Int16Array, open: SttOpenOptions, signal: AbortSignal): Promise<{ text: string }> {
    const rate = this.#options.uploadSampleRate ?? 16000;
    const pcm = rate === open.sampleRate ? audio : resample(audio, open.sampleRate, rate);
    const form = new FormData();
    form.append('file', new Blob([wavBytes(pcm, rate)], { type: 'audio/wav' }), 'utterance.wav');
    form.append('model', this.#options.model);
    const language = whisperLanguage(open.language);
    if (language) form.append('language', language);
    if (this.#options.prompt) form.append('prompt', this.#options.prompt);
    form.append('response_format', 'json');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    let response: Response;
    try {
      response = await fetch(this.#url, { method: 'POST', headers, body: form, signal });
    } catch (error) {
      if (signal.aborted) throw sttAbortedError(signal);
      throw new SttError('network', `transcription server unreachable: ${scrubSecret(causeMessage(error), this.#apiKey)}`, { cause: error });
    }
    try {
      if (!response.ok) throw await this.#httpError(response);
      return parseTranscription(await response.text(), response.headers.get('content-type') ?? '');
    } catch (error) {
      if (signal.aborted) throw sttAbortedError(signal);
      if (error instanceof SttError) throw error;
      throw new SttError('network', 'transcription answer broke off', { cause: error });
    }
  }

  async #httpError(response: Response): Promise<SttError> {
    const status = response.status;
    const code = sttCodeForStatus(status);
    const retryAfterMs = code === 'rate_limited' || status === 503 ? retryAfterFrom(response.headers) : undefined;
    const detail = vendorMessage((await response.text().catch(() => '')).slice(0, MAX_ERROR_BODY), this.#apiKey);
    return new SttError(code, `transcription server answered HTTP ${status}${detail ? `: ${detail}` : ''}`, { status, retryAfterMs });
  }
}

type Transcribe = (audio: Int16Array, signal: AbortSignal) => Promise<{ text: string }>;

/** Buffers each utterance, transcribes it on flush (requests may overlap), emits finals in flush order. */
class TranscriptionStream implements SttStream {
  readonly #queue = new ResultQueue<SttResult>();
  readonly #controller = new AbortController();
  readonly #transcribe: Transcribe;
  readonly #provider: string;
  readonly #minAudioMs: number;
  readonly #signal: AbortSignal;
  #position = 0;
  #utterance = new UtteranceAudio(0);
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(transcribe: Transcribe, provider: string, minAudioMs: number, signal: AbortSignal) {
    this.#transcribe = transcribe;
    this.#provider = provider;
    this.#minAudioMs = minAudioMs;
    this.#signal = signal;
    const onAbort = () => {
      this.#closed = true;
      this.#controller.abort(signal.reason);
      this.#queue.fail(sttAbortedError(signal), { discard: true });
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }

  push(frame: Int16Array): void {
    if (this.#closed || this.#queue.settled) return;
    this.#utterance.append(frame);
    this.#position += frame.length;
  }

  flush(): void {
    if (this.#closed || this.#queue.settled) return;
    const audio = this.#utterance;
    this.#utterance = new UtteranceAudio(this.#position);
    const flushedAt = performance.now();
    const span = { startMs: samplesToMs(audio.startSample), endMs: samplesToMs(audio.startSample + audio.samples) };
    // Started now, not when earlier ones are done: a second utterance does not wait for the first's request.
    const answer = audio.durationMs < this.#minAudioMs ? Promise.resolve({ text: '' }) : this.#transcribe(audio.concat(), this.#controller.signal);
    answer.catch(() => {}); // reported in order below
    this.#chain = this.#chain.then(async () => {
      if (this.#queue.settled) return;
      try {
        const { text } = await answer;
        this.#queue.push({ type: 'final', text, ...(text ? span : {}), latencyMs: performance.now() - flushedAt, provider: this.#provider });
      } catch (error) {
        this.#controller.abort(); // the stream is dead: no other request is still of use
        this.#queue.fail(error instanceof SttError ? error : new SttError('protocol', String(error), { cause: error }));
      }
    });
  }

  results(): AsyncIterable<SttResult> {
    return this.#queue.iterate();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#chain;
    this.#queue.end();
  }
}

/** Whisper takes ISO-639-1 codes; `multi` (and anything unknown) lets it detect the language. */
export function whisperLanguage(language: string): string | undefined {
  const primary = language.trim().toLowerCase().split(/[-_]/)[0];
  return /^[a-z]{2}$/.test(primary) ? primary : undefined;
}

function wavBytes(pcm: Int16Array, sampleRate: number): Uint8Array<ArrayBuffer> {
  const header = pcmWavHeader({ channels: 1, sampleRate }, pcm.byteLength);
  const out = new Uint8Array(header.length + pcm.byteLength);
  out.set(header);
  // Int16Array is little-endian on every platform Node runs on here, as WAV wants.
  out.set(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength), header.length);
  return out;
}

/** `{"text": …}` (json / verbose_json); a server that answers plain text anyway is taken at its word. */
function parseTranscription(body: string, contentType: string): { text: string } {
  try {
    const parsed = JSON.parse(body) as { text?: unknown };
    if (typeof parsed?.text === 'string') return { text: parsed.text.trim() };
  } catch {
    if (contentType.startsWith('text/plain')) return { text: body.trim() };
  }
  throw new SttError('protocol', 'transcription answer has no "text"');
}

function causeMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
