/**
 * FIFO of agent audio waiting to be sent, one 20 ms frame per tick. Each `play()` gets a
 * handle whose `done` says how much was actually sent: all of it, or — after clear() (barge-in)
 * or close — the part the caller could have heard. Sans-I/O: the session pulls frames.
 */
import type { PlayoutHandle, PlayoutResult } from './types.ts';

export const SAMPLES_PER_FRAME = 160;
const SAMPLES_PER_MS = 8;

interface Item {
  id: number;
  pcm: Int16Array;
  sentSamples: number;
  resolve: (result: PlayoutResult) => void;
}

export class PlayoutQueue {
  private readonly items: Item[] = [];
  private nextId = 1;

  /** Queues PCM (read as it plays: the caller must not reuse the array). */
  enqueue(pcm: Int16Array): PlayoutHandle {
    const id = this.nextId++;
    let resolve!: (result: PlayoutResult) => void;
    const done = new Promise<PlayoutResult>((r) => (resolve = r));
    if (pcm.length === 0) resolve({ playedMs: 0, interrupted: false });
    else this.items.push({ id, pcm, sentSamples: 0, resolve });
    return { id, done };
  }

  /** The next frame to send (the last one zero-padded), or null when nothing is queued. */
  nextFrame(): Int16Array | null {
    const item = this.items[0];
    if (!item) return null;
    const from = item.sentSamples;
    const to = from + SAMPLES_PER_FRAME;
    let frame: Int16Array;
    if (to <= item.pcm.length) {
      frame = item.pcm.subarray(from, to);
    } else {
      frame = new Int16Array(SAMPLES_PER_FRAME);
      frame.set(item.pcm.subarray(from));
    }
    item.sentSamples = Math.min(to, item.pcm.length);
    if (item.sentSamples >= item.pcm.length) {
      this.items.shift();
      item.resolve({ playedMs: item.pcm.length / SAMPLES_PER_MS, interrupted: false });
    }
    return frame;
  }

  /** Drops everything queued; each handle resolves interrupted with what was sent. */
  clear(): void {
    for (const item of this.items.splice(0)) {
      item.resolve({ playedMs: item.sentSamples / SAMPLES_PER_MS, interrupted: true });
    }
  }

  get pending(): number {
    return this.items.length;
  }

  /** Queued audio not yet sent, in ms. */
  get pendingMs(): number {
    let samples = 0;
    for (const item of this.items) samples += item.pcm.length - item.sentSamples;
    return samples / SAMPLES_PER_MS;
  }
}
