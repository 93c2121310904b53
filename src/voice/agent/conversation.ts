// The conversation on one call: who speaks when. It listens to the caller's turns (barge-in on
// speech start, a reply once a transcript is final and the caller has stopped), runs one agent
// turn at a time, keeps the history the LLM sees, drives the inactivity reminders and ends the
// call when a turn says so. Sub-strategies do the work: VadTurnDetector, AgentTurn,
// InactivityReminders; this class only sequences them.

import type { ChatMessage } from '../llm/types.ts';
import { AgentSpans, round, type TimedSpan } from './agent-spans.ts';
import { AgentTurn, type AgentTurnDeps, type AgentTurnRequest, type AgentTurnResult } from './agent-turn.ts';
import type { AgentClock } from './clock.ts';
import type { AgentLatencyRecord, AgentObserver } from './observer.ts';
import { InactivityReminders, type ReminderAction, type ReminderOptions, type ReminderSettings } from './reminders.ts';
import type { UserSpeechEvent, UserTranscript, UserTurnListener } from './user-turns.ts';

export interface ConversationDeps {
  turn: AgentTurnDeps;
  clock: AgentClock;
  observer?: AgentObserver;
  /** The system prompt (rendered), or null for none. */
  systemPrompt: string | null;
  greeting: string | null;
  reminders: ReminderSettings;
  reminderOptions?: ReminderOptions;
  /** Ask the call to end: the agent hung up (hang_up tool, last reminder unanswered). */
  hangUp(): void;
  /** Whether the caller's speech may cut the greeting (default false: it is always heard whole). */
  interruptGreeting?: boolean;
  /** The call's signal: aborts every turn when the call ends. */
  signal: AbortSignal;
  /** The call's trace (turn.user, turn.agent and their children); default: not traced. */
  spans?: AgentSpans;
}

/** Why the agent speaks: the trace's `turn.kind`. */
export type AgentTurnKind = 'greeting' | 'reply' | 'reminder';

/** A caller turn, numbered as the trace numbers it (`turn.user`'s `turn.index`). */
type CallerTurn = UserTranscript & { index: number };

/** What the LLM is told when it must write a reminder itself (reminder_messages is empty). */
const REMINDER_INSTRUCTION =
  'The caller has been silent for a while. In one short sentence, in the language of the conversation, ' +
  'check whether they are still there. Do not repeat your previous words.';

export class Conversation implements UserTurnListener {
  readonly history: ChatMessage[] = [];
  readonly #deps: ConversationDeps;
  readonly #reminders: InactivityReminders;
  readonly #spans: AgentSpans;
  #turn: AgentTurn | undefined;
  #turnIndex = 0;
  #callerSpeaking = false;
  /** The caller's latest words the agent has not answered yet. */
  #unanswered: CallerTurn | undefined;
  #greetingPending = false;
  #ending = false;

  constructor(deps: ConversationDeps) {
    this.#deps = deps;
    this.#spans = deps.spans ?? new AgentSpans(deps.clock);
    this.#reminders = new InactivityReminders(deps.reminders, (action) => this.#onReminder(action), deps.reminderOptions);
  }

  /** The call ended or is ending: nothing new starts. */
  get ending(): boolean {
    return this.#ending;
  }

  /** Greets (after `delay`, which the caller may not interrupt) or waits for the caller. */
  start(greetingDelay: Promise<void>): void {
    if (!this.#deps.greeting?.trim()) {
      this.#reminders.quiet();
      return;
    }
    this.#greetingPending = true;
    void greetingDelay.then(() => {
      this.#greetingPending = false;
      if (!this.#ending) void this.#startTurn('greeting', { kind: 'say', text: this.#deps.greeting!.trim() }, undefined, this.#deps.interruptGreeting ?? false);
    });
  }

  onSpeechStart(event: UserSpeechEvent): void {
    this.#callerSpeaking = true;
    this.#reminders.busy();
    const turn = this.#turn;
    this.#spans.userSpeechStarted(event.atMs, turn?.interruptible === true && !turn.signal.aborted);
    // Barge-in: the agent stops within this call (playout cleared synchronously).
    if (turn?.interruptible) turn.interrupt('caller');
  }

  onSpeechEnd(_event: UserSpeechEvent): void {
    this.#callerSpeaking = false;
  }

  onTranscript(transcript: UserTranscript): void {
    const index = this.#spans.userTurnEnded(transcript);
    if (this.#ending) return;
    if (transcript.text) {
      this.#deps.observer?.onTurn?.({
        role: 'user', text: transcript.text, startMs: transcript.startMs, endMs: transcript.endMs,
        wallClock: this.#deps.clock.wallClock(transcript.startMs), interrupted: false,
      });
      this.history.push({ role: 'user', content: transcript.text });
      this.#reminders.answered();
      this.#unanswered = { ...transcript, index };
    }
    // Still talking (a pause, not the end), or the greeting is still to come or playing: answer later.
    if (this.#callerSpeaking || this.#greetingPending || this.#turn?.interruptible === false) return;
    if (this.#unanswered) void this.#reply();
    else if (!this.#turn) this.#reminders.quiet();
  }

  /** The call ended: stop the current turn, the reminders, everything. */
  close(): void {
    this.#ending = true;
    this.#reminders.close();
    this.#turn?.interrupt('call_end'); // even the greeting: the call is over
  }

  /** Settles when the current turn has (so its cut-off words were reported). */
  async settled(): Promise<void> {
    await this.#turn?.done;
  }

  #reply(): Promise<void> {
    const user = this.#unanswered!;
    this.#unanswered = undefined;
    return this.#startTurn('reply', { kind: 'generate', messages: [], tools: true }, user);
  }

  async #startTurn(kind: AgentTurnKind, request: AgentTurnRequest, user?: CallerTurn, interruptible = true): Promise<void> {
    const requestedAtMs = this.#deps.clock.now(); // a reply: the end of the caller's turn
    this.#reminders.busy();
    const previous = this.#turn;
    if (previous?.interruptible) previous.interrupt('caller');
    if (previous) await previous.done; // its played words belong in the history first
    if (this.#ending) return;
    const full = request.kind === 'generate' ? { ...request, messages: [...this.#requestMessages(), ...request.messages] } : request;
    const index = this.#turnIndex++;
    const span = this.#spans.start('turn.agent', { 'turn.index': index, 'turn.kind': kind, 'turn.user_index': user?.index, 'turn.interruptible': interruptible }, { atMs: requestedAtMs });
    const turn = new AgentTurn(this.#deps.turn, full, this.#deps.signal, { interruptible, span });
    this.#turn = turn;
    const result = await turn.done;
    this.history.push(...result.messages);
    const latency = user ? this.#reportLatency(index, result, user) : undefined;
    endTurnSpan(span, result, latency?.voiceToVoiceMs ?? null);
    if (result.ends) return this.#end(result.ends);
    if (this.#turn !== turn) return;
    this.#turn = undefined;
    if (this.#unanswered && !this.#callerSpeaking) return this.#reply(); // the caller spoke while this turn ran
    if (!this.#callerSpeaking) this.#reminders.quiet();
  }

  #requestMessages(): ChatMessage[] {
    const system: ChatMessage[] = this.#deps.systemPrompt ? [{ role: 'system', content: this.#deps.systemPrompt }] : [];
    return [...system, ...this.history];
  }

  #onReminder(action: ReminderAction): void {
    if (this.#ending || this.#turn || this.#callerSpeaking) return;
    if (action.kind === 'give_up') return this.#end('hang_up');
    const request: AgentTurnRequest = action.message
      ? { kind: 'say', text: action.message }
      : { kind: 'generate', messages: [{ role: 'system', content: REMINDER_INSTRUCTION }], tools: false };
    void this.#startTurn('reminder', request);
  }

  #end(reason: 'hang_up' | 'transferred'): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#reminders.close();
    // A transfer hands the call over; the engine ends our leg with `transferred`.
    if (reason === 'hang_up') this.#deps.hangUp();
  }

  #reportLatency(turn: number, result: AgentTurnResult, user: UserTranscript): AgentLatencyRecord {
    const voiceToVoiceMs = result.firstAudioAtMs === null ? null : result.firstAudioAtMs - user.endMs;
    const stages = [user.endpointingMs, user.sttMs, result.llmFirstSentenceMs, result.ttsFirstByteMs];
    const overheadMs = voiceToVoiceMs === null || stages.some((s) => s === null) ? null : voiceToVoiceMs - stages.reduce((a: number, s) => a + s!, 0);
    const latency: AgentLatencyRecord = {
      turn, endpointingMs: user.endpointingMs, sttMs: user.sttMs, llmFirstTokenMs: result.llmFirstTokenMs,
      llmFirstSentenceMs: result.llmFirstSentenceMs, ttsFirstByteMs: result.ttsFirstByteMs, voiceToVoiceMs, overheadMs,
    };
    this.#deps.observer?.onLatency?.(latency);
    return latency;
  }
}

/** The agent turn's span ends once the turn has: spoken, cut, or its tools done. */
function endTurnSpan(span: TimedSpan, result: AgentTurnResult, voiceToVoiceMs: number | null): void {
  const optional = (ms: number | null) => (ms === null ? undefined : round(ms));
  span.end({
    'turn.interrupted': result.interrupted,
    'turn.interrupted_by': result.interrupted ? result.interruptedBy ?? undefined : undefined,
    'turn.ends': result.ends,
    'speech.played_ms': round(result.playedMs),
    'speech.audio_ms': round(result.audioMs),
    'llm.rounds': result.llmRounds,
    'tool.calls': result.toolCalls,
    'turn.first_audio_ms': result.firstAudioAtMs === null ? undefined : round(result.firstAudioAtMs - span.startMs),
    'llm.time_to_first_token_ms': optional(result.llmFirstTokenMs),
    'tts.time_to_first_audio_ms': optional(result.ttsFirstByteMs),
    'turn.voice_to_voice_ms': optional(voiceToVoiceMs),
  });
}
