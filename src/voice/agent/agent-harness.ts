// Runs a VoiceAgentApp on a FakeCallAudio with the real Silero VAD, for the agent's tests and
// bench: records what the agent reports, when it asked to hang up, and the VAD's decisions.

import type { EndCall, VoiceCallContext } from '../call-audio.ts';
import type { LlmProvider } from '../llm/types.ts';
import type { SttProvider } from '../stt/types.ts';
import type { CallControl } from '../tools/call-control.ts';
import type { TtsProvider } from '../tts/types.ts';
import type { VadProvider } from '../vad/index.ts';
import { buildSpeechFixture } from '../vad/speech-fixture.ts';
import type { VadEvent } from '../vad/vad.ts';
import type { AgentLatencyRecord, AgentObserver, AgentToolCallRecord, AgentTracer, AgentTurnRecord } from './observer.ts';
import { FakeCallAudio } from './test-support.ts';
import { VoiceAgentApp, type VoiceAgentOptions } from './voice-agent-app.ts';

export interface HarnessOptions {
  vads: VadProvider;
  stt: SttProvider;
  llm: LlmProvider;
  tts: TtsProvider;
  context?: Partial<VoiceCallContext>;
  callControl?: CallControl;
  /** Where the agent's spans go (a call's CallTrace); default: not traced. */
  tracer?: AgentTracer;
  options?: VoiceAgentOptions;
}

export class AgentHarness implements AgentObserver {
  readonly audio = new FakeCallAudio();
  readonly turns: AgentTurnRecord[] = [];
  readonly tools: AgentToolCallRecord[] = [];
  readonly latency: AgentLatencyRecord[] = [];
  /** Every VAD event, in caller-stream ms (what FakeCallAudio.callerMs counts). */
  readonly vadEvents: VadEvent[] = [];
  /** performance.now() and caller ms at each endCall(). */
  readonly hangups: Array<{ at: number; callerMs: number; agentFrames: number }> = [];
  readonly done: Promise<void>;
  readonly #controller = new AbortController();

  constructor(options: HarnessOptions) {
    const context: VoiceCallContext = {
      callId: 'call-test', direction: 'inbound', language: 'es', espeakVoice: 'es', greeting: null, timeBeforeStartMs: 0, volume: 50,
      ...options.context,
    };
    const endCall: EndCall = () => this.hangups.push({ at: performance.now(), callerMs: this.audio.callerMs, agentFrames: this.audio.agentFrames.length });
    const vad = {
      createVad: (vadOptions?: Parameters<VadProvider['createVad']>[0]) => {
        const inner = options.vads.createVad(vadOptions);
        return {
          process: async (frame: Int16Array) => {
            const events = await inner.process(frame);
            this.vadEvents.push(...events);
            return events;
          },
          reset: () => inner.reset(),
          close: () => inner.close(),
        };
      },
    };
    const app = new VoiceAgentApp(context, endCall, { vad, stt: options.stt, llm: options.llm, tts: options.tts, options: options.options }, {
      observer: this,
      callControl: options.callControl,
      tracer: options.tracer,
    });
    this.audio.start();
    this.done = app.run(this.audio, this.#controller.signal);
  }

  onTurn(turn: AgentTurnRecord): void {
    this.turns.push(turn);
  }

  onToolCall(call: AgentToolCallRecord): void {
    this.tools.push(call);
  }

  onLatency(latency: AgentLatencyRecord): void {
    this.latency.push(latency);
  }

  /** The caller says `text` (espeak-ng Spanish speech); resolves with its onset in caller ms. */
  async say(text: string): Promise<number> {
    const fixture = await buildSpeechFixture({ utterances: [text], silencesMs: [0, 0] });
    const onset = this.audio.callerMs + this.audio.callerPendingMs + fixture.speech[0].startMs;
    this.audio.say(fixture.pcm);
    return onset;
  }

  /** Waits until the agent has reported `n` turns (any role) and its playout is empty. */
  async untilTurns(n: number, timeoutMs = 20_000): Promise<void> {
    await this.audio.until(() => this.turns.length >= n && this.audio.agentPendingMs === 0, timeoutMs);
  }

  /** Ends the call: the app's signal aborts, as when the engine sees the hang-up. */
  async hangUp(): Promise<void> {
    this.#controller.abort();
    await this.done;
    this.audio.stop();
  }
}
