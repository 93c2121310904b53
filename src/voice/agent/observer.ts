// What the voice agent reports while a call runs. The engine implements it (transcript rows,
// call log, latency figures); voice/ never imports the store. Calls are synchronous and must
// not throw: persistence queues its own writes, nothing on the audio path waits for it.

import type { CallToolKind } from '../tools/call-tools.ts';

export interface AgentTurnRecord {
  role: 'user' | 'assistant';
  /** For the agent: only what was actually played (barge-in cuts it). */
  text: string;
  /** ms from the start of the call's media (the answer), as the recording counts. */
  startMs: number;
  endMs: number;
  /** Wall-clock time of startMs, ISO 8601. */
  wallClock: string;
  /** The agent was cut off by the caller (or the call ended) before finishing. Always false for the caller. */
  interrupted: boolean;
}

export interface AgentToolCallRecord {
  kind: CallToolKind | 'unknown';
  /** The function name the model called. */
  name: string;
  arguments: Record<string, unknown>;
  status: 'success' | 'error' | 'cancelled';
  /** What the model was told. */
  result: string;
  payload: Record<string, unknown>;
  atMs: number;
  wallClock: string;
}

/**
 * One agent reply's timings, in ms. A field is null when that stage did not happen (a greeting
 * has no STT or LLM; a reply cut before its first audio has no TTS first byte).
 */
export interface AgentLatencyRecord {
  /** 0-based agent reply number in this call. */
  turn: number;
  /** Silence the end-of-turn detector waited for after the caller stopped. */
  endpointingMs: number | null;
  /** End of turn decided → final transcript. */
  sttMs: number | null;
  /** LLM request sent → first token. */
  llmFirstTokenMs: number | null;
  /** LLM request sent → its first complete sentence, which is what TTS waits for. */
  llmFirstSentenceMs?: number | null;
  /** First sentence sent to TTS → first audio chunk. */
  ttsFirstByteMs: number | null;
  /** End of the caller's speech → the agent's first audio handed to playout. */
  voiceToVoiceMs: number | null;
  /**
   * voiceToVoice minus endpointing, STT, the LLM's first sentence and the TTS first byte: what
   * Habla's own pipeline added (VAD decision lag, hand-offs, queueing).
   */
  overheadMs: number | null;
}

export interface AgentObserver {
  onTurn?(turn: AgentTurnRecord): void;
  onToolCall?(call: AgentToolCallRecord): void;
  onLatency?(latency: AgentLatencyRecord): void;
}

export interface AgentLogger {
  warn(fields: object, message: string): void;
  debug?(fields: object, message: string): void;
}

// --- tracing -----------------------------------------------------------------------------------
// The agent's spans (turn.user, turn.agent, llm, tts, tool; docs/traces.md) go to whatever the
// engine hands in: the call's CallTrace (src/observability/call-trace.ts) is structurally one.
// voice/ knows only this shape. Attributes carry sizes, counts, ids and timings, never
// transcripts, prompts, tool arguments, phone numbers or DTMF digits.

/** Span attribute values; undefined values are left out. */
export type AgentSpanAttributes = Record<string, string | number | boolean | undefined>;

export interface AgentSpan {
  setAttributes(attributes: AgentSpanAttributes): void;
  /** A point in time inside the span (exported to OTLP; not in the API's tags). */
  addEvent(name: string, attributes?: AgentSpanAttributes): void;
  /** Idempotent. Status OK unless `error`. Times are epoch ms (fractions allowed). */
  end(end?: { error?: unknown; attributes?: AgentSpanAttributes; endTime?: number }): void;
}

export interface AgentTracer {
  /** Default parent: the call's root span. */
  startSpan(name: string, attributes?: AgentSpanAttributes, options?: { parent?: AgentSpan; startTime?: number }): AgentSpan;
}

const NOOP_AGENT_SPAN: AgentSpan = { setAttributes: () => {}, addEvent: () => {}, end: () => {} };

/** A call that is not traced (tests, tools): accepts everything, records nothing. */
export const NOOP_AGENT_TRACER: AgentTracer = { startSpan: () => NOOP_AGENT_SPAN };
