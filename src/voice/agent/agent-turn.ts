// One agent turn: a fixed text (greeting, reminder) or an LLM reply streamed into speech, with
// the tool calls the model makes run once what it said before them has played out, and the
// model asked again with their results (up to a few rounds). interrupt() is the barge-in for
// the whole turn: it aborts the LLM, the TTS and any tool waiting, and clears playout.

import type { ChatMessage, LlmChunk, LlmProvider, ToolSpec } from '../llm/types.ts';
import type { AgentToolSet } from '../tools/call-tools.ts';
import { runTool, type ToolContext } from '../tools/run-tool.ts';
import { AgentSpans, errorType, round, type TimedSpan } from './agent-spans.ts';
import type { AgentClock } from './clock.ts';
import type { AgentLogger, AgentObserver, AgentToolCallRecord } from './observer.ts';
import type { SpeechHandle, SpeechResult } from './speech-handle.ts';

export interface AgentTurnDeps {
  llm: LlmProvider;
  /** A new utterance whose parent signal is `parent`; its sentences' `tts` spans go under `span`. */
  newSpeech(parent: AbortSignal, span?: TimedSpan): SpeechHandle;
  tools: AgentToolSet;
  toolContext: Omit<ToolContext, 'signal'>;
  clock: AgentClock;
  observer?: AgentObserver;
  logger?: AgentLogger;
  callId?: string;
  /** Rounds of tool calls before the model must answer in words (default 3). */
  maxToolRounds?: number;
  temperature?: number;
}

export type AgentTurnRequest =
  /** Speak this text as is (greeting, fixed reminder). */
  | { kind: 'say'; text: string }
  /** Ask the model: `messages` is the whole request (system prompt, history, any instruction). */
  | { kind: 'generate'; messages: ChatMessage[]; tools: boolean };

export interface AgentTurnResult {
  /** What to append to the conversation history: the played text, tool calls and results. */
  messages: ChatMessage[];
  interrupted: boolean;
  /** The call is over: hang up (the goodbye has played), or it was transferred. */
  ends?: 'hang_up' | 'transferred';
  llmFirstTokenMs: number | null;
  /** LLM request → its first complete sentence (what TTS had to wait for). */
  llmFirstSentenceMs: number | null;
  ttsFirstByteMs: number | null;
  /** Call ms of the turn's first audio, null if it played none. */
  firstAudioAtMs: number | null;
  /** Who cut it: the caller (barge-in) or the end of the call; null when not interrupted by interrupt(). */
  interruptedBy: InterruptReason | null;
  /** Agent audio that went out on the line / that was synthesised and queued, ms. */
  playedMs: number;
  audioMs: number;
  /** LLM requests made, and tool calls the model asked for. */
  llmRounds: number;
  toolCalls: number;
}

export type InterruptReason = 'caller' | 'call_end';

export interface AgentTurnOptions {
  /**
   * false (the greeting): the caller's speech does not stop it, only the end of the call does
   * (through `parent`). The conversation checks the flag before interrupt(). Default true.
   */
  interruptible?: boolean;
  /** The turn's `turn.agent` span: llm, tts and tool spans are its children. */
  span?: TimedSpan;
}

type ToolCallChunk = Extract<LlmChunk, { type: 'tool_call' }>;

export class AgentTurn {
  readonly done: Promise<AgentTurnResult>;
  readonly interruptible: boolean;
  readonly #deps: AgentTurnDeps;
  readonly #span: TimedSpan;
  readonly #controller = new AbortController();
  readonly #detach: () => void;
  #llmFirstTokenMs: number | null = null;
  #llmFirstSentenceMs: number | null = null;
  #firstRequestAtMs: number | null = null;
  #ttsFirstByteMs: number | null = null;
  #firstAudioAtMs: number | null = null;
  #interruptedBy: InterruptReason | null = null;
  #playedMs = 0;
  #audioMs = 0;
  #llmRounds = 0;
  #toolCalls = 0;

  constructor(deps: AgentTurnDeps, request: AgentTurnRequest, parent: AbortSignal, options: AgentTurnOptions = {}) {
    this.#deps = deps;
    this.interruptible = options.interruptible ?? true;
    this.#span = options.span ?? new AgentSpans(deps.clock).start('turn.agent', {});
    const onAbort = () => this.interrupt('call_end');
    parent.addEventListener('abort', onAbort, { once: true });
    this.#detach = () => parent.removeEventListener('abort', onAbort);
    if (parent.aborted) this.interrupt('call_end');
    this.done = (request.kind === 'say' ? this.#say(request.text) : this.#generate(request.messages, request.tools)).finally(this.#detach);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Barge-in: idempotent; playout is cleared before this returns. */
  interrupt(reason: InterruptReason = 'caller'): void {
    if (this.#controller.signal.aborted) return;
    this.#interruptedBy = reason;
    this.#span.addEvent('interrupted', { by: reason });
    this.#controller.abort();
  }

  async #say(text: string): Promise<AgentTurnResult> {
    const spoken = await this.#speak((speech) => speech.say(text));
    return this.#result(spoken.text ? [{ role: 'assistant', content: spoken.text }] : [], spoken.interrupted);
  }

  async #generate(request: ChatMessage[], offerTools: boolean): Promise<AgentTurnResult> {
    const { tools, maxToolRounds = 3 } = this.#deps;
    const messages = [...request];
    const out: ChatMessage[] = [];
    for (let round = 0; ; round++) {
      // The last round offers no tools, so a model stuck calling them still ends up speaking.
      const specs = offerTools && tools.specs.length > 0 && round < maxToolRounds ? tools.specs : undefined;
      let calls: ToolCallChunk[] = [];
      const spoken = await this.#speak(async (speech) => {
        calls = await this.#stream(messages, specs, speech, round);
        speech.endText();
      });
      if (spoken.interrupted || this.signal.aborted) {
        for (const call of calls) this.#cancelTool(call);
        if (spoken.text) out.push({ role: 'assistant', content: spoken.text });
        return this.#result(out, true);
      }
      if (calls.length === 0) {
        if (spoken.text) out.push({ role: 'assistant', content: spoken.text });
        return this.#result(out, false);
      }
      const asked: ChatMessage = { role: 'assistant', content: spoken.text || null, toolCalls: calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })) };
      messages.push(asked);
      out.push(asked);
      const ends = await this.#runTools(calls, messages, out);
      if (ends || this.signal.aborted) return this.#result(out, this.signal.aborted && !ends, ends);
    }
  }

  /** Runs the round's tool calls in order; stops at one that ends the call. */
  async #runTools(calls: ToolCallChunk[], messages: ChatMessage[], out: ChatMessage[]): Promise<'hang_up' | 'transferred' | undefined> {
    for (const call of calls) {
      const span = this.#toolSpan(call);
      const outcome = call.argumentsError
        ? { kind: 'unknown' as const, status: 'error' as const, result: `Invalid arguments: ${call.argumentsError}`, payload: {} }
        : await runTool(this.#deps.tools.find(call.name), call, { ...this.#deps.toolContext, signal: this.signal });
      span.end({ 'tool.status': outcome.status, 'tool.ends': 'ends' in outcome ? outcome.ends : undefined }, { error: outcome.status === 'error' ? 'tool call failed' : undefined });
      this.#reportTool(call, outcome.status, outcome.result, outcome.payload, outcome.kind);
      const answer: ChatMessage = { role: 'tool', toolCallId: call.id, content: outcome.result };
      messages.push(answer);
      out.push(answer);
      if ('ends' in outcome && outcome.ends) return outcome.ends;
      if (this.signal.aborted) return undefined;
    }
    return undefined;
  }

  /**
   * Streams one completion into `speech`; returns its tool calls. A failed request says nothing.
   * Its `llm` span runs from the request to the last token (or the abort, or the failure).
   */
  async #stream(messages: ChatMessage[], tools: ToolSpec[] | undefined, speech: SpeechHandle, round: number): Promise<ToolCallChunk[]> {
    const { llm, clock, temperature } = this.#deps;
    const calls: ToolCallChunk[] = [];
    const sentAt = clock.now();
    this.#firstRequestAtMs ??= sentAt;
    this.#llmRounds++;
    const span = this.#span.child('llm', { 'llm.provider': llm.name, 'llm.round': round, 'llm.messages': messages.length, 'llm.tools_offered': tools?.length ?? 0 }, sentAt);
    const figures = { firstTokenMs: null as number | null, chars: 0, done: undefined as Extract<LlmChunk, { type: 'done' }> | undefined };
    try {
      for await (const chunk of llm.stream({ messages: [...messages], tools, temperature }, speech.signal)) {
        figures.firstTokenMs ??= clock.now() - sentAt;
        if (chunk.type === 'text') {
          figures.chars += chunk.text.length;
          speech.pushText(chunk.text);
        } else if (chunk.type === 'tool_call') calls.push(chunk);
        else figures.done = chunk;
      }
      span.end(llmSpanEnd(figures, calls, figures.done || !speech.signal.aborted ? 'completed' : 'aborted'));
    } catch (error) {
      const aborted = speech.signal.aborted;
      if (!aborted) this.#deps.logger?.warn({ err: error, call_id: this.#deps.callId, llm: llm.name }, 'LLM reply failed');
      span.end({ ...llmSpanEnd(figures, calls, aborted ? 'aborted' : 'error'), 'error.type': aborted ? undefined : errorType(error) }, { error: aborted ? undefined : 'LLM request failed' });
    } finally {
      this.#llmFirstTokenMs ??= figures.firstTokenMs;
      this.#toolCalls += calls.length;
    }
    return calls;
  }

  /** Runs `feed` on a new utterance, waits for its playout, and reports it as an agent turn. */
  async #speak(feed: (speech: SpeechHandle) => unknown): Promise<SpeechResult> {
    const speech = this.#deps.newSpeech(this.signal, this.#span);
    await feed(speech);
    const spoken = await speech.result;
    this.#playedMs += spoken.playedMs;
    this.#audioMs += spoken.audioMs;
    this.#ttsFirstByteMs ??= spoken.ttsFirstByteMs;
    if (this.#firstRequestAtMs !== null && spoken.firstSentenceAtMs !== null) {
      this.#llmFirstSentenceMs ??= spoken.firstSentenceAtMs - this.#firstRequestAtMs;
    }
    this.#firstAudioAtMs ??= spoken.startMs;
    if (spoken.startMs !== null) {
      this.#deps.observer?.onTurn?.({
        role: 'assistant', text: spoken.text, startMs: spoken.startMs, endMs: spoken.endMs,
        wallClock: this.#deps.clock.wallClock(spoken.startMs), interrupted: spoken.interrupted,
      });
    }
    return spoken;
  }

  /** A tool call's span: the function's name and kind, never its arguments. */
  #toolSpan(call: ToolCallChunk): TimedSpan {
    const kind = call.argumentsError ? 'unknown' : this.#deps.tools.find(call.name)?.kind ?? 'unknown';
    return this.#span.child('tool', { 'tool.name': call.name.slice(0, 64), 'tool.kind': kind, 'tool.call_id': call.id });
  }

  /** A tool call the caller's barge-in cancelled before it ran: reported, and a zero-length span. */
  #cancelTool(call: ToolCallChunk): void {
    this.#toolSpan(call).end({ 'tool.status': 'cancelled' });
    this.#reportTool(call, 'cancelled', 'Cancelled: the caller interrupted.', {});
  }

  #reportTool(call: ToolCallChunk, status: 'success' | 'error' | 'cancelled', result: string, payload: Record<string, unknown>, kind?: AgentToolCallRecord['kind']): void {
    const atMs = this.#deps.clock.now();
    this.#deps.observer?.onToolCall?.({
      kind: kind ?? this.#deps.tools.find(call.name)?.kind ?? 'unknown', name: call.name, arguments: call.arguments,
      status, result, payload, atMs, wallClock: this.#deps.clock.wallClock(atMs),
    });
  }

  #result(messages: ChatMessage[], interrupted: boolean, ends?: 'hang_up' | 'transferred'): AgentTurnResult {
    return {
      messages, interrupted, ends, llmFirstTokenMs: this.#llmFirstTokenMs, llmFirstSentenceMs: this.#llmFirstSentenceMs, ttsFirstByteMs: this.#ttsFirstByteMs, firstAudioAtMs: this.#firstAudioAtMs,
      interruptedBy: this.#interruptedBy, playedMs: this.#playedMs, audioMs: this.#audioMs, llmRounds: this.#llmRounds, toolCalls: this.#toolCalls,
    };
  }
}

type LlmOutcome = 'completed' | 'aborted' | 'error';

/** The `llm` span's closing attributes: timings, sizes and counts, never the text. */
function llmSpanEnd(figures: { firstTokenMs: number | null; chars: number; done?: Extract<LlmChunk, { type: 'done' }> }, calls: ToolCallChunk[], outcome: LlmOutcome) {
  return {
    'llm.outcome': outcome,
    'llm.aborted': outcome === 'aborted',
    'llm.time_to_first_token_ms': figures.firstTokenMs === null ? undefined : round(figures.firstTokenMs),
    'llm.output_chars': figures.chars,
    'llm.tool_calls': calls.length,
    'llm.finish_reason': figures.done?.finishReason,
    'llm.prompt_tokens': figures.done?.usage?.promptTokens,
    'llm.completion_tokens': figures.done?.usage?.completionTokens,
  };
}
