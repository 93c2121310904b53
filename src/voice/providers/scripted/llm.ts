// A scripted LlmProvider for tests and the offline demo: replies come from a list, not a
// model, but are streamed like a model's (word-sized text deltas, optional delays, tool
// calls, cancellation), so the pipeline in front of it runs exactly as in production.

import { abortedError, LlmError } from '../../llm/errors.ts';
import type { ChatMessage, FinishReason, LlmChunk, LlmProvider, LlmRequest } from '../../llm/types.ts';
import { sleep } from '../sleep.ts';

export interface ScriptContext {
  request: LlmRequest;
  /** The text of the most recent user message, if any. */
  lastUserText: string | undefined;
  lastMessage: ChatMessage | undefined;
  /** 0 for the first request this provider serves. */
  turn: number;
}

/**
 * A string (case-insensitive substring) or RegExp is tested against the last user message and
 * only matches when that message is the newest one (not after a tool result); a function
 * decides for itself.
 */
export type ScriptMatcher = string | RegExp | ((context: ScriptContext) => boolean);

export interface ScriptedToolCall {
  name: string;
  arguments?: Record<string, unknown>;
  id?: string;
}

export interface ReplyContent {
  text?: string;
  toolCalls?: ScriptedToolCall[];
}

export interface ScriptedReply extends ReplyContent {
  /** Without `when` replies are used in order; with it, whenever it matches (before ordered ones). */
  when?: ScriptMatcher;
  /** A matched `when` reply is used up after one use (default: reusable). */
  once?: boolean;
  /** A reply computed from the request (which tools exist, what was said); overrides text/toolCalls. */
  respond?: (context: ScriptContext) => ReplyContent;
  /** Fail this request instead of answering (tests of retries and fallbacks). */
  error?: LlmError;
  finishReason?: FinishReason;
  firstTokenDelayMs?: number;
  tokenDelayMs?: number;
}

export interface ScriptedLlmOptions {
  name?: string;
  /** Defaults for every reply that sets none. */
  firstTokenDelayMs?: number;
  tokenDelayMs?: number;
  /** Used when nothing matches and the ordered replies are used up; without it that is an error. */
  otherwise?: ScriptedReply;
}

export class ScriptedLlm implements LlmProvider {
  readonly name: string;
  /** Every request received, in order. */
  readonly requests: LlmRequest[] = [];
  readonly #keyed: ScriptedReply[];
  readonly #ordered: ScriptedReply[];
  readonly #options: ScriptedLlmOptions;

  constructor(replies: readonly ScriptedReply[], options: ScriptedLlmOptions = {}) {
    this.#keyed = replies.filter((r) => r.when !== undefined);
    this.#ordered = replies.filter((r) => r.when === undefined);
    this.#options = options;
    this.name = options.name ?? 'scripted';
  }

  /** Ordered replies not used yet. */
  get remaining(): number {
    return this.#ordered.length;
  }

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmChunk> {
    if (signal.aborted) throw abortedError(signal);
    const context = contextOf(request, this.requests.length);
    this.requests.push(request);
    const reply = this.#pick(context);
    const content = reply.respond ? reply.respond(context) : reply;
    const tokenDelay = reply.tokenDelayMs ?? this.#options.tokenDelayMs ?? 0;
    await this.#wait(reply.firstTokenDelayMs ?? this.#options.firstTokenDelayMs ?? 0, signal);
    if (reply.error) throw reply.error;
    for (const [index, text] of words(content.text ?? '').entries()) {
      if (index > 0) await this.#wait(tokenDelay, signal);
      if (signal.aborted) throw abortedError(signal);
      yield { type: 'text', text };
    }
    const calls = content.toolCalls ?? [];
    for (const [index, call] of calls.entries()) {
      const args = call.arguments ?? {};
      yield { type: 'tool_call', id: call.id ?? `call_scripted_${context.turn}_${index}`, name: call.name, arguments: args, rawArguments: JSON.stringify(args) };
    }
    yield { type: 'done', finishReason: reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop') };
  }

  #pick(context: ScriptContext): ScriptedReply {
    const keyed = this.#keyed.findIndex((reply) => matches(reply.when!, context));
    if (keyed !== -1) {
      const reply = this.#keyed[keyed];
      if (reply.once) this.#keyed.splice(keyed, 1);
      return reply;
    }
    const next = this.#ordered.shift() ?? this.#options.otherwise;
    if (!next) throw new LlmError('bad_request', `${this.name}: the script has no reply for request ${context.turn + 1}`);
    return next;
  }

  async #wait(ms: number, signal: AbortSignal): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch {
      throw abortedError(signal);
    }
  }
}

function contextOf(request: LlmRequest, turn: number): ScriptContext {
  let lastUserText: string | undefined;
  for (let i = request.messages.length - 1; i >= 0 && lastUserText === undefined; i--) {
    const message = request.messages[i];
    if (message.role === 'user') lastUserText = message.content;
  }
  return { request, lastUserText, lastMessage: request.messages.at(-1), turn };
}

function matches(matcher: ScriptMatcher, context: ScriptContext): boolean {
  if (typeof matcher === 'function') return matcher(context);
  if (context.lastMessage?.role !== 'user') return false;
  const text = context.lastMessage.content;
  if (typeof matcher === 'string') return text.toLowerCase().includes(matcher.toLowerCase());
  matcher.lastIndex = 0; // a /g or /y RegExp remembers where it stopped
  return matcher.test(text);
}

/** Word-sized deltas that keep their leading whitespace, as model tokens do. */
export function words(text: string): string[] {
  return text.match(/\s*\S+/g) ?? (text ? [text] : []);
}
