// LLM adapter for any server speaking OpenAI's chat-completions API (OpenAI, Groq, vLLM,
// Ollama, llama.cpp server, …): one fetch POST with `stream: true`, the SSE answer parsed as
// it arrives. Text deltas are yielded the moment they are parsed (no buffering: the first
// words reach TTS while the model is still writing); tool calls are yielded once complete.
// No retries or timeouts here: ResilientLlm adds them around any provider.

import { abortedError, LlmError } from '../../llm/errors.ts';
import type { FinishReason, LlmChunk, LlmProvider, LlmRequest, LlmUsage } from '../../llm/types.ts';
import { SseParser, type SseEvent } from '../sse.ts';
import { errorFromResponse, scrub, streamError } from './http-errors.ts';
import { ToolCallAssembler } from './tool-calls.ts';
import { requestBody, usageFrom, type WireChunk, type WireCompletion } from './wire.ts';

export interface OpenAiCompatibleOptions {
  /** Up to and including the version: `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; optional for local servers. */
  apiKey?: string;
  model: string;
  /** Ask for token usage in a last chunk (`stream_options.include_usage`); default true. */
  includeUsage?: boolean;
}

export class OpenAiCompatibleLlm implements LlmProvider {
  readonly name: string;
  readonly #url: string;
  readonly #model: string;
  // A private field: logging or inspecting the provider object cannot reveal the key.
  readonly #apiKey: string | undefined;
  readonly #includeUsage: boolean;

  constructor(options: OpenAiCompatibleOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('baseUrl must be an http(s) URL');
    this.#url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.#model = options.model;
    this.#apiKey = options.apiKey || undefined;
    this.#includeUsage = options.includeUsage ?? true;
    this.name = `openai-compatible:${options.model}@${base.host}`;
  }

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmChunk> {
    if (signal.aborted) throw abortedError(signal);
    // Our own controller also fires when the consumer stops iterating (break, barge-in),
    // so the HTTP request never outlives interest in it.
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.#post(request, controller.signal, signal);
      const type = response.headers.get('content-type') ?? '';
      // A server that ignores `stream: true` answers with one JSON completion.
      if (type.includes('application/json')) yield* completionChunks(await readJson(response, signal), this.#apiKey);
      else yield* this.#readStream(response, signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }

  async #post(request: LlmRequest, fetchSignal: AbortSignal, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    const body = JSON.stringify(requestBody(request, { model: this.#model, includeUsage: this.#includeUsage }));
    let response: Response;
    try {
      response = await fetch(this.#url, { method: 'POST', headers, body, signal: fetchSignal });
    } catch (error) {
      if (signal.aborted) throw abortedError(signal);
      throw new LlmError('network', `LLM server unreachable: ${scrub(causeMessage(error), this.#apiKey)}`, { cause: error });
    }
    if (!response.ok) {
      const error = await errorFromResponse(response, this.#apiKey);
      if (signal.aborted) throw abortedError(signal);
      throw error;
    }
    return response;
  }

  async *#readStream(response: Response, signal: AbortSignal): AsyncGenerator<LlmChunk> {
    if (!response.body) throw new LlmError('protocol', 'LLM server answered without a body');
    const reader = response.body.getReader();
    const parser = new SseParser();
    const state = new StreamState(this.#apiKey);
    try {
      for (;;) {
        let read: ReadableStreamReadResult<Uint8Array>;
        try {
          read = await reader.read();
        } catch (error) {
          if (signal.aborted) throw abortedError(signal);
          throw new LlmError('network', 'connection to the LLM server broke mid-stream', { cause: error });
        }
        const events = read.done ? parser.end() : parser.push(read.value);
        for (const event of events) {
          yield* state.onEvent(event);
          if (state.finished) {
            yield state.doneChunk();
            return;
          }
        }
        if (read.done) break;
      }
      // Some servers close without `[DONE]`; a reported finish_reason still makes it complete.
      if (!state.finishReason) throw new LlmError('protocol', 'LLM stream ended before a finish_reason or [DONE]');
      yield* state.flushToolCalls();
      yield state.doneChunk();
    } finally {
      reader.cancel().catch(() => {});
    }
  }
}

/** What one stream has said so far. */
class StreamState {
  readonly #toolCalls = new ToolCallAssembler();
  readonly #secret: string | undefined;
  finishReason: FinishReason | undefined;
  usage: LlmUsage | undefined;
  finished = false;

  constructor(secret: string | undefined) {
    this.#secret = secret;
  }

  *onEvent(event: SseEvent): Generator<LlmChunk> {
    if (event.data === '[DONE]') {
      yield* this.flushToolCalls();
      this.finished = true;
      return;
    }
    let chunk: WireChunk;
    try {
      chunk = JSON.parse(event.data) as WireChunk;
    } catch (error) {
      throw new LlmError('protocol', 'LLM stream sent an event that is not JSON', { cause: error });
    }
    if (chunk.error || event.event === 'error') throw streamError(chunk.error ?? {}, this.#secret);
    if (chunk.usage) this.usage = usageFrom(chunk.usage);
    // We never ask for n > 1: only the first choice exists.
    const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
    if (!choice) return;
    const content = choice.delta?.content;
    if (typeof content === 'string' && content.length > 0) yield { type: 'text', text: content };
    if (choice.delta?.tool_calls) this.#toolCalls.add(choice.delta.tool_calls);
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      // The calls are complete now; usage (if asked for) still follows before [DONE].
      yield* this.flushToolCalls();
    }
  }

  *flushToolCalls(): Generator<LlmChunk> {
    yield* this.#toolCalls.flush();
  }

  doneChunk(): LlmChunk {
    const chunk: LlmChunk = { type: 'done', finishReason: this.finishReason ?? 'stop' };
    if (this.usage) chunk.usage = this.usage;
    return chunk;
  }
}

function* completionChunks(completion: WireCompletion, secret: string | undefined): Generator<LlmChunk> {
  if (completion.error) throw streamError(completion.error, secret);
  const choice = completion.choices?.[0];
  if (!choice) throw new LlmError('protocol', 'LLM completion has no choices');
  const content = choice.message?.content;
  if (typeof content === 'string' && content.length > 0) yield { type: 'text', text: content };
  const toolCalls = new ToolCallAssembler();
  toolCalls.add((choice.message?.tool_calls ?? []).map((call, index) => ({ index, ...call })));
  yield* toolCalls.flush();
  const done: LlmChunk = { type: 'done', finishReason: choice.finish_reason ?? 'stop' };
  const usage = usageFrom(completion.usage);
  if (usage) done.usage = usage;
  yield done;
}

async function readJson(response: Response, signal: AbortSignal): Promise<WireCompletion> {
  try {
    return (await response.json()) as WireCompletion;
  } catch (error) {
    if (signal.aborted) throw abortedError(signal);
    throw new LlmError('protocol', 'LLM server sent JSON that could not be parsed', { cause: error });
  }
}

function causeMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
