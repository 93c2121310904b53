/**
 * The voice application's view of a call's media (CallAudio), with a mute switch: once a
 * transfer is bridged (invite-transfer.ts) the agent must neither hear the two people nor
 * talk, press keys or clear the playout over them, even in the moment before its run is
 * aborted. The switch only ever goes one way.
 */
import type { CallMedia } from '../telephony/media/types.ts';
import type { CallAudio } from '../voice/call-audio.ts';

/** 20 ms of silence at 8 kHz: the caller audio of a tick with none (listeners only read it). */
const SILENT_FRAME = new Int16Array(160);
const NOT_PLAYED = { done: Promise.resolve({ playedMs: 0, interrupted: true }) };

export function agentAudio(media: CallMedia, muted: () => boolean): CallAudio {
  return {
    play: (pcm) => (muted() ? NOT_PLAYED : media.play(pcm)),
    clearPlayout: () => {
      if (!muted()) media.clearPlayout();
    },
    // One frame every tick, silence when no RTP came (silence suppression, a finished
    // prompt, jitter-buffer fill): the agent's VAD must hear the pause to end the turn.
    onAudio: (listener) => media.onTick(({ caller }) => {
      if (!muted()) listener(caller ?? SILENT_FRAME);
    }),
    onDtmf: (listener) => media.onDtmf((digit) => {
      if (!muted()) listener(digit);
    }),
    sendDtmf: (digits) => (muted() ? Promise.resolve() : media.sendDtmf(digits)),
  };
}
