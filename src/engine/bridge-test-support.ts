// Test support for the transfer bridge (media-bridge.test.ts, invite-transfer.test.ts).
import type { CallMedia, MediaTick, PlayoutHandle } from '../telephony/media/types.ts';
import type { BridgedMedia } from './media-bridge.ts';

/** A media session driven by hand: tick() delivers a received frame; send() sends one queued frame, as a clock tick would. */
export class ManualMedia implements BridgedMedia {
  private readonly listeners: ((tick: MediaTick) => void)[] = [];
  readonly queue: { pcm: Int16Array; resolve: () => void }[] = [];
  readonly sent: Int16Array[] = [];
  readonly digits: string[] = [];
  closed = false;

  onTick(listener: (tick: MediaTick) => void): void {
    this.listeners.push(listener);
  }

  play(pcm: Int16Array): PlayoutHandle {
    if (this.closed) throw new Error('closed');
    let resolve!: () => void;
    const done = new Promise<{ playedMs: number; interrupted: boolean }>((r) => (resolve = () => r({ playedMs: 20, interrupted: false })));
    this.queue.push({ pcm, resolve });
    return { id: this.queue.length, done };
  }

  async sendDtmf(digits: string): Promise<void> {
    if (this.closed) throw new Error('closed');
    this.digits.push(digits);
  }

  tick(caller: Int16Array | null): void {
    for (const listener of this.listeners) listener({ caller, agent: null });
  }

  send(): void {
    const next = this.queue.shift();
    if (!next) return;
    this.sent.push(next.pcm);
    next.resolve();
  }
}

/** A ManualMedia standing in for a whole CallMedia (the bridge only uses onTick, play and sendDtmf). */
export function asCallMedia(media: ManualMedia): CallMedia {
  return media as unknown as CallMedia;
}
