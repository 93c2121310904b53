/**
 * The engine's AgentObserver (src/voice/agent/observer.ts): what the voice agent says, hears
 * and does on a call becomes the call's transcript (messages, in the contract's shape) and its
 * latency figures, AS IT HAPPENS. Every write goes on the call session's ordered write queue,
 * so turns are stored in the order they were reported, before the call's end is, and the audio
 * path never waits for the database. The session is the one writer of its call's transcript:
 * the recorder counts `seq` itself instead of reading max(seq) per turn.
 */
import type { TurnLatency } from '../domain/call-analysis.ts';
import type { TurnLatencyStage } from '../lib/metrics.ts';
import type { CallAnalysisRepository } from '../store/repositories/call-analysis.ts';
import type { CallToolRecord, FunctionCallRecord, MessageRepository, MessageRole, ToolCallRecord } from '../store/repositories/messages.ts';
import type { AgentObserver } from '../voice/agent/observer.ts';

// What the recorder accepts: the voice agent's records (src/voice/agent/observer.ts; `implements
// AgentObserver` below keeps the two in step), lenient where it costs nothing: a Date or an ISO
// string for wall-clock times, optional tool kind/status/result and latency figures.

export interface RecordedTurn {
  role: 'user' | 'assistant' | 'agent';
  /** For the agent: only what was actually played. */
  text: string;
  /** ms from the call's answer. */
  startMs: number;
  endMs: number;
  /** Wall-clock time of startMs. */
  wallClock: string | Date;
  interrupted: boolean;
}

export interface RecordedToolCall {
  /** The call tool behind the function (hang_up, transfer_call, detect_answering_machine, send_dtmf) or 'unknown'. */
  kind?: string;
  /** The function name the model called. */
  name: string;
  arguments: Record<string, unknown>;
  status?: 'success' | 'error' | 'cancelled';
  /** What the model was told. */
  result?: string;
  /** What mattered in the call (target number, digits, error). */
  payload?: Record<string, unknown>;
  atMs: number;
  wallClock?: string | Date;
}

export interface RecordedLatency {
  turn?: number;
  endpointingMs?: number | null;
  sttMs?: number | null;
  llmFirstTokenMs?: number | null;
  llmFirstSentenceMs?: number | null;
  ttsFirstByteMs?: number | null;
  voiceToVoiceMs?: number | null;
  overheadMs?: number | null;
}

export interface TranscriptRecorderDeps {
  messages: Pick<MessageRepository, 'insert' | 'lastSeq'>;
  analysis: Pick<CallAnalysisRepository, 'markPending' | 'setLatency'>;
  /** The session's ordered write queue (CallSession.enqueue): runs writes one after another, logs failures. */
  enqueue(what: string, write: () => Promise<unknown>): void;
  now?: () => number;
  /** The process-wide turn-latency histogram (CallMetrics.turnLatency, habla_turn_latency_seconds). */
  latencyMetrics?: TurnLatencySink;
}

/** What feeds the latency histogram: prom-client's Histogram<'stage'> is one. */
export interface TurnLatencySink {
  observe(labels: { stage: TurnLatencyStage }, seconds: number): void;
}

/** Diga's call tools as the contract's CallToolSchema names them; other functions are FunctionSchema. */
const CONTRACT_TOOL_NAMES: Record<string, CallToolRecord['tool_name']> = {
  hang_up: 'hangup',
  transfer_call: 'transfer',
  detect_answering_machine: 'detect_answering_machine',
  add_participant: 'add_participant',
};

export class TranscriptRecorder implements AgentObserver {
  private nextSeq: number | undefined;
  private readonly latency: TurnLatency[] = [];
  private callerSpoke = false;
  private readonly now: () => number;

  constructor(
    private readonly call: { id: string; projectId: string },
    /** Epoch ms of the answer: turn offsets count from it. */
    private readonly answeredAt: number,
    private readonly deps: TranscriptRecorderDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** Whether the caller said anything: only then is there something to analyse. */
  get hasCallerTurn(): boolean {
    return this.callerSpoke;
  }

  onTurn(turn: RecordedTurn): void {
    const text = typeof turn.text === 'string' ? turn.text.trim() : '';
    // An agent reply cut before a word was played left nothing said.
    if (text === '') return;
    const role: MessageRole = turn.role === 'user' ? 'user' : 'assistant';
    const startMs = finiteOrNull(turn.startMs);
    this.store('transcript turn', {
      role, content: text, toolCall: null, startMs, endMs: finiteOrNull(turn.endMs),
      createdDate: this.isoAt(turn.wallClock, startMs),
      interrupted: role === 'assistant' && turn.interrupted === true,
    });
    if (role === 'user' && !this.callerSpoke) {
      this.callerSpoke = true;
      this.deps.enqueue('analysis pending', () => this.deps.analysis.markPending(this.call.id));
    }
  }

  onToolCall(call: RecordedToolCall): void {
    const atMs = finiteOrNull(call.atMs);
    this.store('transcript tool call', {
      role: 'tool', content: null, toolCall: toolCallRecord(call), startMs: atMs, endMs: atMs,
      createdDate: this.isoAt(call.wallClock, atMs), interrupted: false,
    });
  }

  onLatency(figures: RecordedLatency): void {
    this.latency.push({
      turn: figures.turn ?? this.latency.length,
      at_ms: Math.max(0, Math.round(this.now() - this.answeredAt)),
      endpointing_ms: roundedOrNull(figures.endpointingMs),
      stt_ms: roundedOrNull(figures.sttMs),
      llm_first_token_ms: roundedOrNull(figures.llmFirstTokenMs),
      llm_first_sentence_ms: roundedOrNull(figures.llmFirstSentenceMs),
      tts_first_byte_ms: roundedOrNull(figures.ttsFirstByteMs),
      voice_to_voice_ms: roundedOrNull(figures.voiceToVoiceMs),
      overhead_ms: roundedOrNull(figures.overheadMs),
    });
    const snapshot = [...this.latency];
    this.deps.enqueue('turn latency', () => this.deps.analysis.setLatency(this.call.id, snapshot));
    this.observeLatency(figures);
  }

  /** Each measured stage into the histogram; a stage that did not happen (null) is not observed. */
  private observeLatency(figures: RecordedLatency): void {
    const sink = this.deps.latencyMetrics;
    if (!sink) return;
    const stages: Array<[TurnLatencyStage, number | null | undefined]> = [
      ['endpointing', figures.endpointingMs], ['stt', figures.sttMs], ['llm_first_token', figures.llmFirstTokenMs],
      ['llm_first_sentence', figures.llmFirstSentenceMs], ['tts_first_byte', figures.ttsFirstByteMs],
      ['voice_to_voice', figures.voiceToVoiceMs], ['overhead', figures.overheadMs],
    ];
    for (const [stage, ms] of stages) {
      const finite = finiteOrNull(ms);
      // Overhead is a difference of measures and can come out a hair below zero: it counts as none.
      if (finite !== null) sink.observe({ stage }, Math.max(0, finite) / 1000);
    }
  }

  private store(what: string, message: { role: MessageRole; content: string | null; toolCall: ToolCallRecord | null; startMs: number | null; endMs: number | null; createdDate: string; interrupted: boolean }): void {
    this.deps.enqueue(what, async () => {
      // Read once, on the queue: a call normally starts with no messages, but one resumed by
      // tooling may not, and counting from its last position keeps the order.
      this.nextSeq ??= (await this.deps.messages.lastSeq(this.call.id)) + 1;
      const seq = this.nextSeq++;
      await this.deps.messages.insert({ callId: this.call.id, projectId: this.call.projectId, seq, ...message });
    });
  }

  /** The reported wall-clock time, or the answer time plus the offset when none (or an invalid one) came. */
  private isoAt(wallClock: string | Date | undefined, offsetMs: number | null): string {
    const ms = wallClock instanceof Date ? wallClock.getTime() : wallClock ? Date.parse(wallClock) : Number.NaN;
    return new Date(Number.isFinite(ms) ? ms : this.answeredAt + (offsetMs ?? 0)).toISOString();
  }
}

function toolCallRecord(call: RecordedToolCall): ToolCallRecord {
  const status = call.status ?? 'success';
  const payload: Record<string, unknown> = { ...call.payload, arguments: call.arguments };
  if (call.result !== undefined) payload.result = call.result;
  const toolName = CONTRACT_TOOL_NAMES[call.kind ?? call.name];
  if (toolName) return { type: 'call_tool', tool_name: toolName, payload: { function_name: call.name, ...payload }, status } satisfies CallToolRecord;
  return { type: 'function', function_name: call.name, payload, status } satisfies FunctionCallRecord;
}

function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function roundedOrNull(value: number | null | undefined): number | null {
  const finite = finiteOrNull(value);
  return finite === null ? null : Math.round(finite);
}
