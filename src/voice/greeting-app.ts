/**
 * The voice application until the agent pipeline lands: after `time_before_start` it speaks
 * the agent's greeting with the local TTS, then keeps the line open (the call ends when the
 * caller hangs up or a timeout fires). Synthesis failures are logged, never fatal.
 */
import type { CallAudio, VoiceApp, VoiceCallContext } from './call-audio.ts';
import { applyVolume } from './audio/volume.ts';
import { pause } from './providers/sleep.ts';

export type Synthesize = (text: string, voice: string, signal: AbortSignal) => Promise<Int16Array>;

export interface GreetingAppLogger {
  warn(fields: object, message: string): void;
}

export class GreetingApp implements VoiceApp {
  constructor(
    private readonly context: VoiceCallContext,
    private readonly synthesize: Synthesize,
    private readonly logger: GreetingAppLogger,
  ) {}

  async run(audio: CallAudio, signal: AbortSignal): Promise<void> {
    const greeting = this.context.greeting?.trim();
    if (!greeting) return;
    // Synthesis runs during the pause, so the greeting starts on time.
    const speech = this.synthesize(greeting, this.context.espeakVoice, signal);
    speech.catch(() => {}); // observed below; avoids an unhandled rejection if the pause is aborted
    await pause(this.context.timeBeforeStartMs, signal);
    if (signal.aborted) return;
    let pcm: Int16Array;
    try {
      pcm = await speech;
    } catch (error) {
      if (!signal.aborted) this.logger.warn({ err: error, call_id: this.context.callId }, 'greeting synthesis failed');
      return;
    }
    if (signal.aborted) return;
    await audio.play(applyVolume(pcm, this.context.volume)).done;
  }
}
