import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A real local HTTP server speaking OpenAI's chat-completions protocol, for tests of anything
// that talks to an LLM. POST /v1/chat/completions answers with SSE when the body says
// `stream: true` (role chunk, token deltas, tool calls split into argument fragments exactly
// as OpenAI sends them, finish chunk, usage chunk when asked for, `data: [DONE]`) and with one
// JSON `chat.completion` otherwise. Each request takes the next queued reply; replies can
// delay, fail (429/500 with headers), hang, break the connection or bend the framing.

export interface MockToolCall {
  id?: string;
  name: string;
  /** An object is serialised; a string is sent as is (to test invalid JSON). */
  arguments: Record<string, unknown> | string;
  /** How many `arguments` fragments to split it into (default 3). */
  fragments?: number;
}

export interface MockReply {
  /** Split into word-sized deltas with their leading space, as OpenAI tokens come. */
  text?: string;
  /** Explicit deltas instead of `text`. */
  tokens?: string[];
  toolCalls?: MockToolCall[];
  /** Before the status line and headers. */
  headersDelayMs?: number;
  /** After the headers and role chunk, before the first content or tool delta. */
  firstTokenDelayMs?: number;
  /** Between deltas. */
  tokenDelayMs?: number;
  finishReason?: string;
  /** An HTTP error answer instead of a completion. */
  status?: number;
  errorBody?: unknown;
  headers?: Record<string, string>;
  /** Never finish: before the headers, after them, or after the first token delta. */
  hang?: 'before_headers' | 'after_headers' | 'after_first_token';
  /** Destroy the connection after this many deltas. */
  dropAfterDeltas?: number;
  /** End the response cleanly after this many deltas, with neither finish_reason nor [DONE]. */
  endEarlyAfterDeltas?: number;
  /** Keep the connection open after `data: [DONE]` (a client must stop reading at [DONE]). */
  holdOpenAfterDone?: boolean;
  /** Extra `data:` payloads written verbatim before the deltas (malformed JSON, odd events). */
  rawEvents?: string[];
  /** Send `data: {"error":…}` after the deltas instead of finishing. */
  streamError?: { message: string; type?: string; code?: string };
  omitDone?: boolean;
  /** Line ending of the SSE framing (default '\n'). */
  lineEnding?: '\n' | '\r\n';
  /** Send `: keep-alive` comments between events. */
  keepAliveComments?: boolean;
  /** Write every event in pieces of this many bytes, 1 ms apart (framing split anywhere). */
  splitBytes?: number;
  /** Answer with non-stream JSON even when the request asked for a stream. */
  forceJson?: boolean;
}

export type MockScript = (request: RecordedLlmRequest) => MockReply;

export interface RecordedLlmRequest {
  index: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  receivedAt: number;
  /** performance.now() when the response ended normally. */
  finishedAt?: number;
  /** The client closed the connection before the answer was complete. */
  closedEarly: boolean;
  closedAt?: number;
  /** Settles when the answer ends, either way. */
  ended: Promise<void>;
}

export interface MockOpenAiServer {
  /** `http://127.0.0.1:<port>/v1`, the base URL a client is configured with. */
  baseUrl: string;
  requests: RecordedLlmRequest[];
  /** Queues replies for the next requests, in order. */
  reply(...replies: MockReply[]): void;
  /** Answers every request not served by the queue. */
  script(fn: MockScript): void;
  close(): Promise<void>;
}

export interface MockOpenAiOptions {
  /** When set, a request without `Authorization: Bearer <key>` gets a 401 that echoes the key it sent. */
  requireKey?: string;
  model?: string;
}

const DEFAULT_REPLY: MockReply = { text: 'OK.' };

export async function startMockOpenAi(options: MockOpenAiOptions = {}): Promise<MockOpenAiServer> {
  const queue: MockReply[] = [];
  let fallback: MockScript = () => DEFAULT_REPLY;
  const requests: RecordedLlmRequest[] = [];
  const server = http.createServer((req, res) => {
    req.socket.setNoDelay(true);
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      let settle!: () => void;
      const ended = new Promise<void>((resolve) => (settle = resolve));
      const record: RecordedLlmRequest = {
        index: requests.length, path: req.url ?? '', headers: req.headers, body: parseJson(raw),
        receivedAt: performance.now(), closedEarly: false, ended,
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
      void answer(record, req, res, queue.shift() ?? fallback(record), options);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply: (...replies) => void queue.push(...replies),
    script: (fn) => void (fallback = fn),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function answer(
  record: RecordedLlmRequest, req: http.IncomingMessage, res: http.ServerResponse, reply: MockReply, options: MockOpenAiOptions,
): Promise<void> {
  const gone = () => res.destroyed || record.closedEarly;
  if (req.method !== 'POST' || record.path !== '/v1/chat/completions') {
    return void sendJson(res, 404, { error: { message: `no route ${req.method} ${record.path}`, type: 'invalid_request_error' } });
  }
  if (options.requireKey !== undefined && req.headers.authorization !== `Bearer ${options.requireKey}`) {
    const sent = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    return void sendJson(res, 401, { error: { message: `Incorrect API key provided: ${sent}.`, type: 'invalid_request_error', code: 'invalid_api_key' } });
  }
  if (reply.hang === 'before_headers') return;
  await sleep(reply.headersDelayMs);
  if (gone()) return;
  if (reply.status !== undefined && reply.status >= 400) {
    return void sendJson(res, reply.status, reply.errorBody ?? { error: { message: `mock failure ${reply.status}`, type: 'server_error' } }, reply.headers);
  }
  const model = record.body?.model ?? options.model ?? 'mock-model';
  if (record.body?.stream !== true || reply.forceJson) {
    await sleep(reply.firstTokenDelayMs);
    if (!gone()) sendJson(res, 200, completionJson(reply, model), reply.headers);
    return;
  }
  await streamReply(record, res, reply, model, gone);
}

async function streamReply(
  record: RecordedLlmRequest, res: http.ServerResponse, reply: MockReply, model: string, gone: () => boolean,
): Promise<void> {
  const eol = reply.lineEnding ?? '\n';
  const base = { id: `chatcmpl-mock${record.index}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const frame = (data: unknown) => `data: ${typeof data === 'string' ? data : JSON.stringify({ ...base, ...(data as object) })}${eol}${eol}`;
  const write = async (text: string) => {
    if (reply.keepAliveComments) res.write(`: keep-alive${eol}${eol}`);
    const bytes = Buffer.from(text);
    const step = reply.splitBytes ?? bytes.length;
    for (let i = 0; i < bytes.length && !gone(); i += step) {
      res.write(bytes.subarray(i, i + step));
      if (reply.splitBytes) await sleep(1);
    }
  };
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
  res.flushHeaders();
  if (reply.hang === 'after_headers') return;
  const toolCalls = reply.toolCalls ?? [];
  const onlyTools = toolCalls.length > 0 && !reply.text && !reply.tokens;
  await write(frame({ choices: [{ index: 0, delta: { role: 'assistant', content: onlyTools ? null : '' }, finish_reason: null }] }));
  for (const raw of reply.rawEvents ?? []) await write(`data: ${raw}${eol}${eol}`);
  await sleep(reply.firstTokenDelayMs);
  const deltas = [...textTokens(reply).map((content) => ({ content })), ...toolCallDeltas(toolCalls, record.index)];
  for (const [i, delta] of deltas.entries()) {
    if (gone()) return;
    if (i > 0) await sleep(reply.tokenDelayMs);
    if (gone()) return;
    if (reply.dropAfterDeltas === i) return void res.socket?.destroy();
    if (reply.endEarlyAfterDeltas === i) return void res.end();
    await write(frame({ choices: [{ index: 0, delta, finish_reason: null }] }));
    if (i === 0 && reply.hang === 'after_first_token') return;
  }
  if (gone()) return;
  if (reply.dropAfterDeltas !== undefined && reply.dropAfterDeltas >= deltas.length) return void res.socket?.destroy();
  if (reply.streamError) return void res.end(frame({ error: reply.streamError }));
  const finishReason = reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  await write(frame({ choices: [{ index: 0, delta: {}, finish_reason: finishReason }] }));
  if (record.body?.stream_options?.include_usage) await write(frame({ choices: [], usage: usage(reply) }));
  if (!reply.omitDone) await write(frame('[DONE]'));
  if (!gone() && !reply.holdOpenAfterDone) res.end();
}

/** Word-sized pieces with their leading whitespace: "Hola, ¿qué tal?" → ["Hola,", " ¿qué", " tal?"]. */
export function textTokens(reply: Pick<MockReply, 'text' | 'tokens'>): string[] {
  if (reply.tokens) return reply.tokens;
  return reply.text?.match(/\s*\S+\s*$|\s*\S+/g) ?? [];
}

function toolCallDeltas(calls: MockToolCall[], requestIndex: number): object[] {
  return calls.flatMap((call, index) => {
    const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
    const first = { tool_calls: [{ index, id: call.id ?? `call_mock${requestIndex}_${index}`, type: 'function', function: { name: call.name, arguments: '' } }] };
    return [first, ...split(args, call.fragments ?? 3).map((fragment) => ({ tool_calls: [{ index, function: { arguments: fragment } }] }))];
  });
}

function split(text: string, parts: number): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / parts));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

function completionJson(reply: MockReply, model: string): object {
  const text = textTokens(reply).join('');
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `call_mock_${index}`, type: 'function',
    function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) },
  }));
  const message: Record<string, unknown> = { role: 'assistant', content: text || null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const finishReason = reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  return {
    id: 'chatcmpl-mock', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
    choices: [{ index: 0, message, finish_reason: finishReason }], usage: usage(reply),
  };
}

function usage(reply: MockReply): object {
  const completion = textTokens(reply).length + (reply.toolCalls?.length ?? 0) * 5;
  return { prompt_tokens: 42, completion_tokens: completion, total_tokens: 42 + completion };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
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
