import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readWav } from '../../src/lib/audio/wav.ts';
import { levelDbfs } from '../../src/voice/stt/utterance-audio.ts';

// A real local HTTP server speaking OpenAI's transcription API (POST
// /v1/audio/transcriptions, multipart/form-data), for tests of anything that uploads an
// utterance to it. It parses the upload as a server would (Node's own multipart parser),
// refuses what OpenAI refuses (no file, no model, a file that is not a 16-bit PCM WAV, audio
// under 0.1 s), checks the WAV's sample rate when told which one to expect, and answers
// `{"text": …}` with the next scripted line, or '' for an upload with no speech in it.

export interface MockTranscriptionReply {
  text?: string;
  /** Before answering. */
  delayMs?: number;
  /** An HTTP error instead of a transcript. */
  status?: number;
  errorBody?: unknown;
  headers?: Record<string, string>;
  /** Never answer. */
  hang?: boolean;
}

export interface RecordedTranscription {
  index: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The form's text fields (model, language, response_format, prompt, …). */
  fields: Record<string, string>;
  fileName?: string;
  fileType?: string;
  /** The uploaded WAV as read. */
  wav?: { sampleRate: number; channels: number; durationMs: number; speechMs: number };
  receivedAt: number;
  /** The client hung up before the answer was sent. */
  closedEarly: boolean;
  closedAt?: number;
  /** Settles when the exchange is over, either way. */
  ended: Promise<void>;
}

export interface MockTranscriptionOptions {
  /** When set, a request without `Authorization: Bearer <key>` gets a 401 that echoes the key it sent. */
  requireKey?: string;
  /** Refuse uploads at another sample rate with 400. */
  expectSampleRate?: number;
  /** Lines answered to uploads with speech, in order; then `otherwise` (default ''). */
  texts?: string[];
  otherwise?: string;
  /** A 20 ms window at least this loud is speech (default -45 dBFS). */
  speechDbfs?: number;
}

export interface MockTranscriptionServer {
  /** `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  requests: RecordedTranscription[];
  /** Queues replies for the next requests (they override the script). */
  reply(...replies: MockTranscriptionReply[]): void;
  close(): Promise<void>;
}

export async function startMockOpenAiTranscription(options: MockTranscriptionOptions = {}): Promise<MockTranscriptionServer> {
  const replies: MockTranscriptionReply[] = [];
  const texts = [...(options.texts ?? [])];
  const requests: RecordedTranscription[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let settle!: () => void;
    const record: RecordedTranscription = {
      index: requests.length, path: req.url ?? '', headers: req.headers, fields: {}, receivedAt: performance.now(), closedEarly: false,
      ended: new Promise((resolve) => (settle = resolve)),
    };
    requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) {
        record.closedEarly = true;
        record.closedAt = performance.now();
      }
      settle();
    });
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('aborted', () => {
      record.closedEarly = true;
      record.closedAt ??= performance.now();
    });
    req.on('end', () => void answer(record, req, res, Buffer.concat(chunks)));
  });

  async function answer(record: RecordedTranscription, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    if (req.method !== 'POST' || record.path !== '/v1/audio/transcriptions') return sendError(res, 404, `no route ${req.method} ${record.path}`);
    if (options.requireKey !== undefined && req.headers.authorization !== `Bearer ${options.requireKey}`) {
      const sent = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      return sendJson(res, 401, { error: { message: `Incorrect API key provided: ${sent}.`, type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    let form: FormData;
    try {
      form = await new Request('http://mock/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: Uint8Array.from(body) }).formData();
    } catch {
      return sendError(res, 400, 'Could not parse multipart form');
    }
    for (const [name, value] of form.entries()) if (typeof value === 'string') record.fields[name] = value;
    const file = form.get('file');
    if (!(file instanceof Blob)) return sendError(res, 400, "Missing required parameter: 'file'.");
    if (!record.fields.model) return sendError(res, 400, "Missing required parameter: 'model'.");
    record.fileName = (file as File).name;
    record.fileType = file.type;
    let wav;
    try {
      wav = readWav(Buffer.from(await file.arrayBuffer()));
    } catch (error) {
      return sendError(res, 400, `Invalid file format: ${(error as Error).message}`);
    }
    const pcm = wav.channels[0];
    const durationMs = (pcm.length * 1000) / wav.sampleRate;
    record.wav = { sampleRate: wav.sampleRate, channels: wav.channels.length, durationMs, speechMs: speechMs(pcm, wav.sampleRate, options.speechDbfs ?? -45) };
    if (options.expectSampleRate !== undefined && wav.sampleRate !== options.expectSampleRate) {
      return sendError(res, 400, `expected a ${options.expectSampleRate} Hz WAV, got ${wav.sampleRate} Hz`);
    }
    if (durationMs < 100) return sendError(res, 400, 'Audio file is too short. Minimum audio length is 0.1 seconds.');
    const reply = replies.shift() ?? { text: record.wav.speechMs > 0 ? (texts.shift() ?? options.otherwise ?? '') : '' };
    if (reply.hang) return;
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    if (reply.status !== undefined && reply.status >= 400) {
      return sendJson(res, reply.status, reply.errorBody ?? { error: { message: `mock failure ${reply.status}`, type: 'server_error' } }, reply.headers);
    }
    sendJson(res, 200, { text: reply.text ?? '' }, reply.headers);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply: (...r) => void replies.push(...r),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function speechMs(pcm: Int16Array, sampleRate: number, thresholdDbfs: number): number {
  const window = Math.round(sampleRate / 50);
  let ms = 0;
  for (let i = 0; i + window <= pcm.length; i += window) if (levelDbfs(pcm.subarray(i, i + window)) >= thresholdDbfs) ms += 20;
  return ms;
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { message, type: 'invalid_request_error', param: null, code: null } });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
