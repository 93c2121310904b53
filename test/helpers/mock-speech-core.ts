import http from 'node:http';
import type { AddressInfo } from 'node:net';

// What the mock TTS servers (mock-elevenlabs-server.ts, mock-openai-speech.ts) share: a real
// HTTP server that records each request and how its answer ended, and a writer that sends an
// audio body in chunks with pauses between them, as a TTS vendor streams what it generates.

/** How one synthesis request is answered. */
export interface MockSpeechReply {
  /** The tone the audio holds (default 1000 Hz). */
  toneHz?: number;
  /** Audio length (default 600 ms). */
  durationMs?: number;
  /** Bytes per network write (default 1001: odd, so 16-bit samples straddle chunks). */
  chunkBytes?: number;
  /** Pause between writes (default 15 ms). */
  chunkDelayMs?: number;
  /** Before the status line. */
  headersDelayMs?: number;
  /** An HTTP error answer instead of audio. */
  status?: number;
  errorBody?: unknown;
  headers?: Record<string, string>;
  /** Never finish: before the headers, after them, or after the first audio chunk. */
  hang?: 'before_headers' | 'after_headers' | 'after_first_chunk';
  /** Destroy the connection after this many chunks. */
  dropAfterChunks?: number;
  /** A 200 with this body and content type instead of audio (a proxy's error page). */
  rawBody?: { contentType: string; body: string };
}

export interface RecordedSpeechRequest {
  index: number;
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: any;
  receivedAt: number;
  /** performance.now() of the first audio write, and of the response's normal end. */
  firstChunkAt?: number;
  finishedAt?: number;
  /** Audio bytes written. */
  bytesSent: number;
  /** The client closed the connection before the answer was complete. */
  closedEarly: boolean;
  closedAt?: number;
  /** Settles when the answer ends, either way. */
  ended: Promise<void>;
}

export type SpeechHandler = (record: RecordedSpeechRequest, res: http.ServerResponse) => Promise<void> | void;

export interface RecordingServer {
  port: number;
  requests: RecordedSpeechRequest[];
  close(): Promise<void>;
}

export async function startRecordingServer(handler: SpeechHandler): Promise<RecordingServer> {
  const requests: RecordedSpeechRequest[] = [];
  const server = http.createServer((req, res) => {
    req.socket.setNoDelay(true);
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      let settle!: () => void;
      const ended = new Promise<void>((resolve) => (settle = resolve));
      const url = new URL(req.url ?? '/', 'http://mock');
      const record: RecordedSpeechRequest = {
        index: requests.length, method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers,
        body: parseJson(raw), receivedAt: performance.now(), bytesSent: 0, closedEarly: false, ended,
      };
      requests.push(record);
      res.on('close', () => {
        if (!res.writableFinished) {
          record.closedEarly = true;
          record.closedAt = performance.now();
        }
        settle();
      });
      res.on('finish', () => (record.finishedAt = performance.now()));
      void handler(record, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Answers with `audio` per `reply`: delays, failures, hangs and drops included. */
export async function sendAudio(
  record: RecordedSpeechRequest, res: http.ServerResponse, reply: MockSpeechReply, contentType: string, audio: () => Buffer,
): Promise<void> {
  const gone = () => res.destroyed || record.closedEarly;
  if (reply.hang === 'before_headers') return;
  await sleep(reply.headersDelayMs);
  if (gone()) return;
  if (reply.status !== undefined && reply.status >= 400) {
    return sendJson(res, reply.status, reply.errorBody ?? { detail: { status: 'mock_failure', message: `mock failure ${reply.status}` } }, reply.headers);
  }
  if (reply.rawBody) {
    res.writeHead(200, { 'content-type': reply.rawBody.contentType, ...reply.headers }).end(reply.rawBody.body);
    return;
  }
  res.writeHead(200, { 'content-type': contentType, 'transfer-encoding': 'chunked', ...reply.headers });
  res.flushHeaders();
  if (reply.hang === 'after_headers') return;
  const bytes = audio();
  const step = reply.chunkBytes ?? 1001;
  for (let at = 0, chunk = 0; at < bytes.length; at += step, chunk++) {
    if (gone()) return;
    if (reply.dropAfterChunks === chunk) return void res.socket?.destroy();
    if (chunk > 0) await sleep(reply.chunkDelayMs ?? 15);
    if (gone()) return;
    record.firstChunkAt ??= performance.now();
    const piece = bytes.subarray(at, at + step);
    res.write(piece);
    record.bytesSent += piece.length;
    if (chunk === 0 && reply.hang === 'after_first_chunk') return;
  }
  if (!gone()) res.end();
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function parseJson(raw: string): any {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function sleep(ms: number | undefined): Promise<void> {
  return ms ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** A queue of replies with a script for when it is empty, as both mocks take them. */
export class ReplyQueue {
  readonly #queue: MockSpeechReply[] = [];
  #script: (record: RecordedSpeechRequest) => MockSpeechReply = () => ({});

  push(...replies: MockSpeechReply[]): void {
    this.#queue.push(...replies);
  }

  script(fn: (record: RecordedSpeechRequest) => MockSpeechReply): void {
    this.#script = fn;
  }

  next(record: RecordedSpeechRequest): MockSpeechReply {
    return this.#queue.shift() ?? this.#script(record);
  }
}
