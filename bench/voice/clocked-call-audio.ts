import type { CallAudio, PlayoutResult } from '../../src/voice/call-audio.ts';

// A CallAudio driven from outside, one tick at a time, like CallSession on RtpSession: each
// tick sends one 20 ms frame of queued agent audio and delivers one caller frame (from a
// looped clip). Many of them share one MediaClock in the concurrency bench, so the cost of
// every call lands on the same timer, as on a real server.

const FRAME = 160; // 20 ms at 8 kHz

interface Queued {
  pcm: Int16Array;
  sent: number;
  resolve: (result: PlayoutResult) => void;
}

export class ClockedCallAudio implements CallAudio {
  readonly #queue: Queued[] = [];
  readonly #listeners: Array<(pcm: Int16Array) => void> = [];
  readonly #caller: Int16Array;
  #callerAt: number;
  /** Agent frames handed out so far (for the bench's sanity check: the agents answered). */
  agentFramesSent = 0;

  /** `caller` is looped from sample `phase` on (calls out of phase with each other). */
  constructor(caller: Int16Array, phase: number) {
    this.#caller = caller;
    this.#callerAt = (phase - (phase % FRAME)) % caller.length;
  }

  play(pcm: Int16Array): { done: Promise<PlayoutResult> } {
    let resolve!: (result: PlayoutResult) => void;
    const done = new Promise<PlayoutResult>((r) => (resolve = r));
    if (pcm.length === 0) resolve({ playedMs: 0, interrupted: false });
    else this.#queue.push({ pcm, sent: 0, resolve });
    return { done };
  }

  clearPlayout(): void {
    for (const item of this.#queue.splice(0)) item.resolve({ playedMs: item.sent / 8, interrupted: true });
  }

  onAudio(listener: (pcm: Int16Array) => void): void {
    this.#listeners.push(listener);
  }

  onDtmf(): void {}

  async sendDtmf(): Promise<void> {}

  /** One media tick: returns the agent frame sent (null = silence) and the caller frame delivered. */
  tick(): { agent: Int16Array | null; caller: Int16Array } {
    const agent = this.#nextAgentFrame();
    const caller = this.#caller.subarray(this.#callerAt, this.#callerAt + FRAME);
    this.#callerAt = (this.#callerAt + FRAME) % (this.#caller.length - (this.#caller.length % FRAME));
    for (const listener of this.#listeners) listener(caller);
    return { agent, caller };
  }

  /** The call ended: queued agent audio is cut. */
  stop(): void {
    this.clearPlayout();
  }

  #nextAgentFrame(): Int16Array | null {
    const item = this.#queue[0];
    if (!item) return null;
    const frame = new Int16Array(FRAME);
    frame.set(item.pcm.subarray(item.sent, Math.min(item.pcm.length, item.sent + FRAME)));
    item.sent = Math.min(item.pcm.length, item.sent + FRAME);
    if (item.sent >= item.pcm.length) {
      this.#queue.shift();
      item.resolve({ playedMs: item.pcm.length / 8, interrupted: false });
    }
    this.agentFramesSent++;
    return frame;
  }
}
