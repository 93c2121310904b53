import type { CallTool } from '../domain/agent.ts';
import type { Voice } from './catalog.ts';

/**
 * The boundary between a call's media and whatever talks on it (today the greeting player,
 * later the voice-agent pipeline). The engine adapts the telephony media session to this
 * shape; voice code never sees SIP or RTP. Audio is 16-bit PCM at 8 kHz in 20 ms frames.
 */
export interface PlayoutResult {
  /** Milliseconds of the clip that actually went out on the wire. */
  playedMs: number;
  /** True when clearPlayout() (barge-in) or the end of the call cut it short. */
  interrupted: boolean;
}

export interface CallAudio {
  /** Queues agent audio; `done` settles when it has been played out or cut. */
  play(pcm: Int16Array): { done: Promise<PlayoutResult> };
  /** Drops everything queued (barge-in). */
  clearPlayout(): void;
  /**
   * Caller audio: one 20 ms frame per media tick, in real time, silence while the caller sends
   * nothing (so a VAD hears pauses). Frames may be reused buffers: copy what you keep.
   */
  onAudio(listener: (pcm: Int16Array) => void): void;
  onDtmf(listener: (digit: string) => void): void;
  sendDtmf(digits: string): Promise<void>;
}

/** What a voice application knows about the call it runs on. */
export interface VoiceCallContext {
  readonly callId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly language: string;
  /** The espeak-ng voice to speak with (the local default engine). */
  readonly espeakVoice: string;
  /** The agent's greeting with dynamic variables already filled in; null = wait for the caller. */
  readonly greeting: string | null;
  /** Silence before the agent speaks first (`time_before_start`). */
  readonly timeBeforeStartMs: number;
  /** Agent `volume` 0–100; 50 is unity gain. */
  readonly volume: number;
  // The voice agent's settings (src/voice/agent). Optional: the greeting player needs none of them.
  /** The agent's prompt with dynamic and system variables filled in; null/absent = none. */
  readonly prompt?: string | null;
  /** The agent version's built-in call tools (`call_tools`). */
  readonly callTools?: readonly CallTool[];
  /** Inactivity reminders; absent or maxCount 0 = off. Messages already rendered. */
  readonly reminders?: { frequencyMs: number; maxCount: number; messages: readonly string[] };
  /** The agent's catalogue voice (its provider picks the TTS engine); absent = espeakVoice. */
  readonly voice?: Voice;
}

/** Runs for the life of the call; `signal` aborts when the call ends. Must not throw for call events. */
export interface VoiceApp {
  run(audio: CallAudio, signal: AbortSignal): Promise<void>;
}

/** Asks the call to end (the agent hung up). */
export type EndCall = (reason: 'agent_hangup') => void;

export type VoiceAppFactory = (context: VoiceCallContext, endCall: EndCall) => VoiceApp;
