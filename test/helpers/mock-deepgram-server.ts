import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { levelDbfs } from '../../src/voice/stt/utterance-audio.ts';

// A real local WebSocket server speaking Deepgram's live transcription protocol
// (GET /v1/listen upgraded to a WebSocket), for tests of anything that streams audio to it.
// It checks what Deepgram checks (the `Authorization: Token <key>` header, encoding and
// sample rate in the query), receives binary linear16 audio, and "recognises" speech by its
// energy: each stretch of speech is one utterance whose text is the next scripted line.
// While it lasts it sends interim Results revealing the words one by one; Finalize (or its
// own endpointing, when the client asked for it) sends the is_final Results; CloseStream
// finalises, sends Metadata and closes with 1000. Audio timing in Results (`start`,
// `duration`) is exact: seconds of audio received on that connection.

export interface MockDeepgramConnectionBehaviour {
  /** Refuse the upgrade with this HTTP status (and body). */
  refuseStatus?: number;
  refuseBody?: unknown;
  refuseHeaders?: Record<string, string>;
  /** Destroy the TCP connection (no close frame) once this much audio arrived. */
  dropAfterAudioMs?: number;
  /** Close with this code and reason once this much audio arrived. */
  closeAfterAudioMs?: number;
  closeWith?: { code: number; reason: string };
  /** Destroy the TCP connection when Finalize arrives (the answer is lost with it). */
  dropOnFinalize?: boolean;
  /** Never answer Finalize (a server that takes too long, or Deepgram with too little audio). */
  ignoreFinalize?: boolean;
  /** Wait this long before answering Finalize (default: the server's finalizeDelayMs). */
  finalizeDelayMs?: number;
}

export interface MockDeepgramOptions {
  /** The key clients must send as `Authorization: Token <key>` (default 'test-deepgram-key'). */
  apiKey?: string;
  /** Lines recognised, one per utterance, across all connections in order; then `otherwise`. */
  texts?: string[];
  /** The text of an utterance once `texts` is used up (default ''). */
  otherwise?: (utterance: { connection: number; index: number }) => string;
  /** A 20 ms window at least this loud is speech (default -45 dBFS). */
  speechDbfs?: number;
  /** Interim Results are sent every this much audio during speech (default 200 ms). */
  interimEveryMs?: number;
  /** Processing time before the answer to Finalize / CloseStream (default 20 ms). */
  finalizeDelayMs?: number;
  /** Close with NET-0001 after this long with neither audio nor KeepAlive (default 10 000, as Deepgram). */
  idleTimeoutMs?: number;
}

export interface RecordedDeepgramConnection {
  index: number;
  url: URL;
  headers: http.IncomingHttpHeaders;
  refused: boolean;
  /** Every audio byte received, in order. */
  audio: Buffer[];
  audioBytes: number;
  /** Text (JSON) messages received, parsed. */
  controls: { type?: string; [key: string]: unknown }[];
  /** Messages sent to the client, parsed. */
  sent: Record<string, any>[];
  /** Texts assigned to the utterances heard on this connection. */
  utterances: string[];
  openedAt: number;
  /** performance.now() when the connection closed, and how. */
  closedAt?: number;
  closeCode?: number;
  /** Settles when the connection is gone. */
  closed: Promise<void>;
}

export interface MockDeepgramServer {
  /** `ws://127.0.0.1:<port>/v1`: the base URL a client is configured with. */
  baseUrl: string;
  apiKey: string;
  connections: RecordedDeepgramConnection[];
  /** How the next connections behave, in order (one entry each). */
  nextConnections(...behaviours: MockDeepgramConnectionBehaviour[]): void;
  /** Lines for the next utterances (appended to the script). */
  addTexts(...texts: string[]): void;
  close(): Promise<void>;
}

const WINDOW_MS = 20;

export async function startMockDeepgram(options: MockDeepgramOptions = {}): Promise<MockDeepgramServer> {
  const apiKey = options.apiKey ?? 'test-deepgram-key';
  const texts = [...(options.texts ?? [])];
  const behaviours: MockDeepgramConnectionBehaviour[] = [];
  const connections: RecordedDeepgramConnection[] = [];
  let utteranceCount = 0;
  const nextText = (connection: number) => texts.shift() ?? options.otherwise?.({ connection, index: utteranceCount }) ?? '';

  const server = http.createServer((_req, res) => {
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'ws://127.0.0.1');
    let settle!: () => void;
    const record: RecordedDeepgramConnection = {
      index: connections.length, url, headers: req.headers, refused: false, audio: [], audioBytes: 0, controls: [], sent: [],
      utterances: [], openedAt: performance.now(), closed: new Promise((resolve) => (settle = resolve)),
    };
    connections.push(record);
    const behaviour = behaviours.shift() ?? {};
    const refusal = refusalFor(req, url, apiKey, behaviour);
    if (refusal) {
      record.refused = true;
      record.closedAt = performance.now();
      settle();
      return refuse(socket, refusal);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      new MockListenSession(ws, record, behaviour, options, () => {
        utteranceCount++;
        return nextText(record.index);
      }, settle).start();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `ws://127.0.0.1:${port}/v1`,
    apiKey,
    connections,
    nextConnections: (...b) => void behaviours.push(...b),
    addTexts: (...t) => void texts.push(...t),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Refusal {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function refusalFor(req: http.IncomingMessage, url: URL, apiKey: string, behaviour: MockDeepgramConnectionBehaviour): Refusal | undefined {
  if (url.pathname !== '/v1/listen') return { status: 404, body: { err_code: 'NOT_FOUND', err_msg: `no route ${url.pathname}` } };
  if (behaviour.refuseStatus) return { status: behaviour.refuseStatus, body: behaviour.refuseBody ?? { err_code: 'MOCK', err_msg: 'refused by the test' }, headers: behaviour.refuseHeaders };
  const auth = req.headers.authorization ?? '';
  if (auth !== `Token ${apiKey}`) {
    // Deepgram answers a bad key with 401 and a JSON body; this one echoes what it got, as some servers do.
    return { status: 401, body: { err_code: 'INVALID_AUTH', err_msg: `Invalid credentials: ${auth.replace(/^Token /, '')}`, request_id: 'mock' } };
  }
  const rate = Number(url.searchParams.get('sample_rate'));
  if (url.searchParams.get('encoding') !== 'linear16' || !Number.isInteger(rate) || rate <= 0 || (url.searchParams.get('channels') ?? '1') !== '1') {
    return { status: 400, body: { err_code: 'Bad Request', err_msg: 'encoding=linear16, sample_rate and channels=1 are required by this mock' } };
  }
  return undefined;
}

function refuse(socket: Duplex, refusal: Refusal): void {
  const body = JSON.stringify(refusal.body);
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...refusal.headers };
  const head = [`HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status] ?? 'Error'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** One /v1/listen connection: audio in, Results out. */
class MockListenSession {
  readonly #ws: WebSocket;
  readonly #record: RecordedDeepgramConnection;
  readonly #behaviour: MockDeepgramConnectionBehaviour;
  readonly #options: MockDeepgramOptions;
  readonly #takeText: () => string;
  readonly #settle: () => void;
  readonly #sampleRate: number;
  readonly #interim: boolean;
  readonly #endpointingMs: number | undefined;
  readonly #windowBytes: number;
  #partial = Buffer.alloc(0);
  #samples = 0;
  /** Audio before this (s) has been answered with is_final Results. */
  #finalizedUntil = 0;
  #utterance: { text: string; words: string[]; speechMs: number; silenceMs: number; lastInterimAt: number } | undefined;
  #idle: NodeJS.Timeout | undefined;
  #closing = false;

  constructor(
    ws: WebSocket, record: RecordedDeepgramConnection, behaviour: MockDeepgramConnectionBehaviour, options: MockDeepgramOptions,
    takeText: () => string, settle: () => void,
  ) {
    this.#ws = ws;
    this.#record = record;
    this.#behaviour = behaviour;
    this.#options = options;
    this.#takeText = takeText;
    this.#settle = settle;
    this.#sampleRate = Number(record.url.searchParams.get('sample_rate'));
    this.#interim = record.url.searchParams.get('interim_results') === 'true';
    const endpointing = record.url.searchParams.get('endpointing');
    this.#endpointingMs = endpointing && endpointing !== 'false' ? Number(endpointing) : undefined;
    this.#windowBytes = Math.round((this.#sampleRate * WINDOW_MS) / 1000) * 2;
  }

  start(): void {
    this.#ws.on('message', (data, isBinary) => {
      this.#touch();
      if (isBinary) this.#onAudio(data as Buffer);
      else this.#onControl(data.toString());
    });
    this.#ws.on('close', (code) => {
      clearTimeout(this.#idle);
      this.#record.closedAt = performance.now();
      this.#record.closeCode = code;
      this.#settle();
    });
    this.#touch();
  }

  get #seconds(): number {
    return this.#samples / this.#sampleRate;
  }

  #touch(): void {
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.#ws.close(1011, 'NET-0001: no audio received within the timeout window'), this.#options.idleTimeoutMs ?? 10_000);
  }

  #onAudio(data: Buffer): void {
    if (this.#closing) return;
    this.#record.audio.push(Buffer.from(data));
    this.#record.audioBytes += data.length;
    const receivedMs = (this.#record.audioBytes / 2 / this.#sampleRate) * 1000;
    const b = this.#behaviour;
    if (b.dropAfterAudioMs !== undefined && receivedMs >= b.dropAfterAudioMs) return void this.#ws.terminate();
    if (b.closeAfterAudioMs !== undefined && receivedMs >= b.closeAfterAudioMs) {
      const { code, reason } = b.closeWith ?? { code: 1011, reason: 'NET-0000: internal server error' };
      return void this.#ws.close(code, reason);
    }
    this.#partial = Buffer.concat([this.#partial, data]);
    while (this.#partial.length >= this.#windowBytes) {
      const window = this.#partial.subarray(0, this.#windowBytes);
      this.#partial = this.#partial.subarray(this.#windowBytes);
      this.#onWindow(new Int16Array(window.buffer.slice(window.byteOffset, window.byteOffset + window.length)));
    }
  }

  #onWindow(window: Int16Array): void {
    this.#samples += window.length;
    const speech = levelDbfs(window) >= (this.#options.speechDbfs ?? -45);
    if (speech && !this.#utterance) {
      const text = this.#takeText();
      this.#record.utterances.push(text);
      this.#utterance = { text, words: text.split(/\s+/).filter(Boolean), speechMs: 0, silenceMs: 0, lastInterimAt: this.#seconds };
    }
    const u = this.#utterance;
    if (!u) return;
    if (speech) {
      u.speechMs += WINDOW_MS;
      u.silenceMs = 0;
    } else u.silenceMs += WINDOW_MS;
    if (this.#endpointingMs !== undefined && u.silenceMs >= this.#endpointingMs) {
      this.#sendFinal({ speech_final: true });
      return;
    }
    if (this.#interim && (this.#seconds - u.lastInterimAt) * 1000 >= (this.#options.interimEveryMs ?? 200)) {
      u.lastInterimAt = this.#seconds;
      // One more word per interim, never the whole line: the final is what completes it.
      const shown = Math.min(Math.max(1, u.words.length - 1), Math.ceil(u.speechMs / 250));
      this.#sendResults({ is_final: false, transcript: u.words.slice(0, shown).join(' '), start: this.#finalizedUntil, end: this.#seconds });
    }
  }

  #onControl(raw: string): void {
    let message: { type?: string };
    try {
      message = JSON.parse(raw);
    } catch {
      return void this.#ws.close(1008, 'DATA-0000: a text message that is not JSON');
    }
    this.#record.controls.push(message);
    if (message.type === 'Finalize') {
      if (this.#behaviour.dropOnFinalize) return void this.#ws.terminate();
      if (this.#behaviour.ignoreFinalize) return;
      // Like Deepgram: no answer when there is no audio left to finalise.
      if (this.#seconds <= this.#finalizedUntil && !this.#utterance) return;
      const delay = this.#behaviour.finalizeDelayMs ?? this.#options.finalizeDelayMs ?? 20;
      const end = this.#seconds;
      setTimeout(() => this.#sendFinal({ from_finalize: true }, end), delay);
    } else if (message.type === 'CloseStream') {
      this.#closing = true;
      setTimeout(() => {
        if (this.#utterance || this.#seconds > this.#finalizedUntil) this.#sendFinal({});
        this.#send({
          type: 'Metadata', transaction_key: 'deprecated', request_id: `mock-${this.#record.index}`, sha256: '0'.repeat(64),
          created: new Date().toISOString(), duration: this.#seconds, channels: 1,
        });
        this.#ws.close(1000);
      }, this.#options.finalizeDelayMs ?? 20);
    }
  }

  #sendFinal(flags: { from_finalize?: boolean; speech_final?: boolean }, end = this.#seconds): void {
    if (this.#ws.readyState !== this.#ws.OPEN || end <= this.#finalizedUntil) return;
    const text = this.#utterance?.text ?? '';
    this.#sendResults({ is_final: true, transcript: text, start: this.#finalizedUntil, end, ...flags });
    this.#finalizedUntil = end;
    this.#utterance = undefined;
  }

  #sendResults(r: { is_final: boolean; transcript: string; start: number; end: number; from_finalize?: boolean; speech_final?: boolean }): void {
    this.#send({
      type: 'Results', channel_index: [0, 1], duration: round(r.end - r.start), start: round(r.start), is_final: r.is_final,
      speech_final: r.speech_final ?? false, from_finalize: r.from_finalize ?? false,
      channel: { alternatives: [{ transcript: r.transcript, confidence: r.transcript ? 0.97 : 0, words: [] }] },
      metadata: { request_id: `mock-${this.#record.index}`, model_info: { name: 'mock' } },
    });
  }

  #send(message: Record<string, unknown>): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#record.sent.push(message);
    this.#ws.send(JSON.stringify(message));
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
