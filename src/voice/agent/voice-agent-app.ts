// The real-time voice agent as a VoiceApp: caller audio → VAD → STT → LLM → sentences → TTS →
// playout, with barge-in, call tools and inactivity reminders. This file only wires one call's
// pieces together and tears them down when the call ends; the behaviour lives in
// Conversation (who speaks when), VadTurnDetector, AgentTurn, SpeechHandle and the tools.

import type { CallAudio, EndCall, VoiceApp, VoiceCallContext } from '../call-audio.ts';
import type { Voice } from '../catalog.ts';
import type { LlmProvider } from '../llm/types.ts';
import type { SttProvider } from '../stt/types.ts';
import type { SentenceChunkerOptions } from '../text/sentence-chunker.ts';
import type { CallControl } from '../tools/call-control.ts';
import { buildAgentTools } from '../tools/call-tools.ts';
import { espeakVoiceFor } from '../tts/espeak-tts.ts';
import type { TtsProvider } from '../tts/types.ts';
import type { Vad, VadOptions } from '../vad/vad.ts';
import { AgentSpans } from './agent-spans.ts';
import { startAgentClock } from './clock.ts';
import { Conversation } from './conversation.ts';
import type { AgentLogger, AgentObserver, AgentTracer } from './observer.ts';
import type { ReminderSettings, ReminderTimers } from './reminders.ts';
import { SpeechHandle } from './speech-handle.ts';
import { VadTurnDetector } from './user-turns.ts';
import { pause } from '../providers/sleep.ts';

export interface VoiceAgentProviders {
  /** One per process (createVadProvider); the agent creates one detector per call. */
  vad: { createVad(options?: Partial<VadOptions>): Vad };
  stt: SttProvider;
  llm: LlmProvider;
  tts: TtsProvider;
}

export interface VoiceAgentOptions {
  /**
   * The caller's VAD. Default minSpeechMs 32: the VAD confirms speech ~60 ms after its onset,
   * so barge-in clears playout within 100 ms of it (at 100 ms it takes ~160 ms). Silero ignores
   * clicks and tones; the cost is a cough stopping the agent.
   */
  vad?: Partial<VadOptions>;
  /** Caller audio before the VAD's onset that is sent to STT too (default 300 ms). */
  preRollMs?: number;
  /** Recognise this language instead of the agent's (HABLA_STT_LANGUAGE). */
  sttLanguage?: string;
  /** Rounds of tool calls in one reply before the model must answer in words (default 3). */
  maxToolRounds?: number;
  temperature?: number;
  /** When to offer `send_dtmf` (phone menus): default on outbound calls, where menus answer. */
  dtmfTool?: 'outbound' | 'always' | 'never';
  chunker?: SentenceChunkerOptions;
  /**
   * Let the caller's speech cut the greeting (default false: Diga's agent always speaks first,
   * and a callee saying "¿Diga?" at pickup would otherwise stop it after a syllable).
   */
  interruptGreeting?: boolean;
  /** Prepended to the agent's prompt: how to write for a voice on the phone. '' for none. */
  systemPreamble?: string;
  /** For tests: reminder timers and the reminder picker. */
  reminderTimers?: ReminderTimers;
  random?: () => number;
}

export interface VoiceAgentDeps extends VoiceAgentProviders {
  logger?: AgentLogger;
  options?: VoiceAgentOptions;
}

/**
 * The engine's per-call services: where turns go, how tools act on the call, and the call's
 * trace (the agent's turn.user / turn.agent / llm / tts / tool spans; CallSession.trace).
 */
export type VoiceAgentFactory = (context: VoiceCallContext, endCall: EndCall, observer?: AgentObserver, callControl?: CallControl, tracer?: AgentTracer) => VoiceApp;

export interface VoiceAgentServices {
  observer?: AgentObserver;
  callControl?: CallControl;
  tracer?: AgentTracer;
}

export const DEFAULT_SYSTEM_PREAMBLE =
  'You are talking with someone on a phone call. Everything you write is spoken aloud by a voice, so answer in short, ' +
  'natural sentences, without markdown, lists, emojis or links.';

const DEFAULT_VAD: Partial<VadOptions> = { minSpeechMs: 32 };
/** Diga turns reminders off with max_reminder_count 0; a context without settings has none. */
const NO_REMINDERS: ReminderSettings = { frequencyMs: 0, maxCount: 0, messages: [] };

export function createVoiceAgentApps(deps: VoiceAgentDeps): VoiceAgentFactory {
  return (context, endCall, observer, callControl, tracer) => new VoiceAgentApp(context, endCall, deps, { observer, callControl, tracer });
}

export class VoiceAgentApp implements VoiceApp {
  constructor(
    private readonly context: VoiceCallContext,
    private readonly endCall: EndCall,
    private readonly deps: VoiceAgentDeps,
    private readonly services: VoiceAgentServices = {},
  ) {}

  async run(audio: CallAudio, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const { context, deps, services } = this;
    const options = deps.options ?? {};
    const clock = startAgentClock();
    const callId = context.callId;
    const logger = deps.logger;
    const voice = agentVoice(context);
    const stt = deps.stt.open({ language: options.sttLanguage ?? context.language, sampleRate: 8000 }, signal);
    const dtmf = options.dtmfTool ?? 'outbound';
    const spans = new AgentSpans(clock, services.tracer, { stt: deps.stt.name });
    const tools = buildAgentTools(context.callTools, { dtmf: dtmf === 'always' || (dtmf === 'outbound' && context.direction === 'outbound') });
    const conversation = new Conversation({
      clock,
      observer: services.observer,
      systemPrompt: systemPrompt(options.systemPreamble ?? DEFAULT_SYSTEM_PREAMBLE, context.prompt),
      greeting: context.greeting,
      reminders: context.reminders ?? NO_REMINDERS,
      reminderOptions: { timers: options.reminderTimers, random: options.random },
      hangUp: () => this.endCall('agent_hangup'),
      interruptGreeting: options.interruptGreeting,
      signal,
      spans,
      turn: {
        llm: deps.llm,
        newSpeech: (parent, span) => new SpeechHandle({ audio, tts: deps.tts, voice, language: context.language, volume: context.volume, clock, chunker: options.chunker, logger, callId }, parent, span),
        tools,
        toolContext: { audio, callControl: services.callControl },
        clock,
        observer: services.observer,
        logger,
        callId,
        maxToolRounds: options.maxToolRounds,
        temperature: options.temperature,
      },
    });
    const vad = deps.vad.createVad({ ...DEFAULT_VAD, ...options.vad });
    const detector = new VadTurnDetector(vad, stt, clock, conversation, { preRollMs: options.preRollMs, callId, logger, signal });
    audio.onAudio((frame) => detector.pushFrame(frame));
    const listening = detector.consume();
    conversation.start(pause(context.timeBeforeStartMs, signal));
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    conversation.close();
    await detector.close();
    await Promise.all([listening, conversation.settled()]);
    spans.close(); // a caller still speaking as the call ended
  }
}

/** The catalogue voice to speak with: the agent's, else the espeak voice the context names. */
function agentVoice(context: VoiceCallContext): Voice {
  if (context.voice) return context.voice;
  const fallback = espeakVoiceFor(context.language);
  return context.espeakVoice ? { ...fallback, provider_voice_id: context.espeakVoice, name: `espeak ${context.espeakVoice}` } : fallback;
}

function systemPrompt(preamble: string, prompt: string | null | undefined): string | null {
  const parts = [preamble.trim(), prompt?.trim() ?? ''].filter(Boolean);
  return parts.length > 0 ? parts.join('\n\n') : null;
}
