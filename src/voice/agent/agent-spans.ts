// The voice agent's spans in the call's trace (docs/traces.md): turn.user, turn.agent and its
// llm, tts and tool children. Every time is read from the agent's clock and handed to the
// tracer explicitly, so the agent's spans share one time line (a child never starts before or
// ends after its parent) and back-dated starts (the VAD's speech onset) sit where they happened.
// Attributes are sizes, counts, ids and timings only: never what was said, prompts, tool
// arguments, numbers or digits.

import type { AgentClock } from './clock.ts';
import { NOOP_AGENT_TRACER, type AgentSpan, type AgentSpanAttributes, type AgentTracer } from './observer.ts';
import type { UserTranscript } from './user-turns.ts';

export interface SpanEndOptions {
  /** Call ms when it ended; default now. */
  atMs?: number;
  /** Marks the span failed; give a fixed message, never provider text that may echo content. */
  error?: string;
}

/** A span whose times are call ms on the agent's clock. */
export class TimedSpan {
  constructor(
    private readonly span: AgentSpan,
    private readonly spans: AgentSpans,
    /** Call ms it started at. */
    readonly startMs: number,
  ) {}

  /** A child span starting now (or at `atMs`). */
  child(name: string, attributes: AgentSpanAttributes = {}, atMs?: number): TimedSpan {
    return this.spans.start(name, attributes, { parent: this, atMs });
  }

  setAttributes(attributes: AgentSpanAttributes): void {
    this.span.setAttributes(attributes);
  }

  /** OTLP only (the API's tags do not show events). */
  addEvent(name: string, attributes?: AgentSpanAttributes): void {
    this.span.addEvent(name, attributes);
  }

  /** Idempotent (the tracer's span is). */
  end(attributes: AgentSpanAttributes = {}, options: SpanEndOptions = {}): void {
    this.span.end({ attributes, endTime: this.spans.epochMs(options.atMs), error: options.error });
  }

  /** For the tracer: the parent of a child span. */
  get tracerSpan(): AgentSpan {
    return this.span;
  }
}

interface OpenUserTurn {
  span: TimedSpan;
  index: number;
}

/** One call's agent spans. Without a tracer every span is a no-op. */
export class AgentSpans {
  readonly #tracer: AgentTracer;
  readonly #clock: AgentClock;
  readonly #sttProvider: string | undefined;
  /** Caller turns from their speech onset until their final transcript, oldest first. */
  readonly #openUserTurns: OpenUserTurn[] = [];
  #userTurns = 0;

  constructor(clock: AgentClock, tracer: AgentTracer = NOOP_AGENT_TRACER, providers: { stt?: string } = {}) {
    this.#clock = clock;
    this.#tracer = tracer;
    this.#sttProvider = providers.stt;
  }

  epochMs(atMs = this.#clock.now()): number {
    return this.#clock.epochMs(atMs);
  }

  start(name: string, attributes: AgentSpanAttributes, options: { parent?: TimedSpan; atMs?: number } = {}): TimedSpan {
    const atMs = options.atMs ?? this.#clock.now();
    const span = this.#tracer.startSpan(name, attributes, { parent: options.parent?.tracerSpan, startTime: this.#clock.epochMs(atMs) });
    return new TimedSpan(span, this, atMs);
  }

  /** The caller started speaking at `atMs` (the VAD's onset); `interruptedAgent`: it was a barge-in. */
  userSpeechStarted(atMs: number, interruptedAgent: boolean): void {
    const index = this.#userTurns++;
    const span = this.start('turn.user', { 'turn.index': index, 'turn.interrupted_agent': interruptedAgent }, { atMs });
    this.#openUserTurns.push({ span, index });
  }

  /**
   * The final transcript of the oldest open caller turn arrived (now): its span ends with the
   * STT and endpointing times. Returns the caller turn's index.
   */
  userTurnEnded(transcript: UserTranscript): number {
    const open = this.#openUserTurns.shift();
    const turn = open ?? { span: this.start('turn.user', { 'turn.index': this.#userTurns }, { atMs: transcript.startMs }), index: this.#userTurns++ };
    turn.span.end({
      'stt.provider': this.#sttProvider,
      'stt.ms': round(transcript.sttMs),
      'turn.endpointing_ms': round(transcript.endpointingMs),
      'turn.speech_ms': round(transcript.endMs - transcript.startMs),
      'turn.understood': transcript.text !== '',
      'transcript.chars': transcript.text.length,
    });
    return turn.index;
  }

  /** The call ended: caller turns still open (speaking as it ended) end now. */
  close(): void {
    for (const { span } of this.#openUserTurns.splice(0)) span.end({ 'habla.ended_with_call': true });
  }
}

/** Milliseconds with 0.1 ms resolution: what a trace view can show. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** A provider error's code (`timeout`, `rate_limited`…) or class name: safe to show, unlike its message. */
export function errorType(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : 'error';
}
