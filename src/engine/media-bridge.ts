/**
 * Joins two calls' media (a transfer bridged by Habla, src/engine/invite-transfer.ts): the
 * audio each side sends is played out to the other, frame by frame, and keys pressed on one
 * side are sent to the other as DTMF. Only the engine's media interface (CallMedia) is used, so
 * it works the same whether a media session runs on this thread or on a media worker.
 */
import type { CallMedia } from '../telephony/media/types.ts';

/**
 * At most this many relayed frames (200 ms) may be in flight towards the receiving side. Steady
 * state is one or two: each side's clock takes one frame out per tick as the other puts one in.
 * A frame counts until its playout result comes back, which with media workers is a message
 * through the main thread: on a loaded machine that adds tens of ms (100 ms, 5 frames, dropped
 * frames in CI). More piles up only when the receiving side cannot send (the peer put it on
 * hold) or its clock runs slower; then frames are dropped rather than letting the delay between
 * the two people grow for the rest of the call.
 */
export const MAX_FRAMES_IN_FLIGHT = 10;

/** Sans-I/O: decides, frame by frame, whether a relayed frame may be queued or must be dropped. */
export class FrameRelay {
  private inFlight = 0;
  relayed = 0;
  dropped = 0;

  constructor(private readonly maxInFlight = MAX_FRAMES_IN_FLIGHT) {}

  /** A frame arrived for the other side: true → queue it (and call `release` once sent); false → drop it. */
  admit(): boolean {
    if (this.inFlight >= this.maxInFlight) {
      this.dropped += 1;
      return false;
    }
    this.inFlight += 1;
    this.relayed += 1;
    return true;
  }

  /** An admitted frame left the queue (sent, or discarded by a cleared or closed session). */
  release(): void {
    if (this.inFlight > 0) this.inFlight -= 1;
  }

  get queued(): number {
    return this.inFlight;
  }
}

export type BridgedMedia = Pick<CallMedia, 'onTick' | 'play' | 'sendDtmf'>;

export interface BridgeStats {
  /** Frames relayed and dropped, customer → target and target → customer. */
  toTarget: { relayed: number; dropped: number };
  toCustomer: { relayed: number; dropped: number };
  digitsToTarget: number;
  digitsToCustomer: number;
}

export class MediaBridge {
  private open = true;
  private readonly toTarget = new FrameRelay();
  private readonly toCustomer = new FrameRelay();
  private digitsToTarget = 0;
  private digitsToCustomer = 0;

  /**
   * Starts relaying at once. CallMedia listeners cannot be removed, so after stop() they stay
   * subscribed and do nothing; both sessions close with their legs soon after anyway.
   */
  constructor(
    private readonly customer: BridgedMedia,
    private readonly target: BridgedMedia,
  ) {
    customer.onTick(({ caller }) => this.relay(caller, target, this.toTarget));
    target.onTick(({ caller }) => this.relay(caller, customer, this.toCustomer));
  }

  /** A key the customer pressed (RFC 4733 or SIP INFO, as their leg reported it). */
  digitFromCustomer(digit: string): void {
    if (!this.open) return;
    this.digitsToTarget += 1;
    sendDigit(this.target, digit);
  }

  digitFromTarget(digit: string): void {
    if (!this.open) return;
    this.digitsToCustomer += 1;
    sendDigit(this.customer, digit);
  }

  stop(): void {
    this.open = false;
  }

  get stats(): BridgeStats {
    const counts = (relay: FrameRelay) => ({ relayed: relay.relayed, dropped: relay.dropped });
    return { toTarget: counts(this.toTarget), toCustomer: counts(this.toCustomer), digitsToTarget: this.digitsToTarget, digitsToCustomer: this.digitsToCustomer };
  }

  /**
   * `frame` is what one side's jitter buffer played out this tick (null while it buffers: the
   * other side then sends its own silence). It is copied: a media session may reuse the buffer,
   * and play() reads the array as it plays.
   */
  private relay(frame: Int16Array | null, to: BridgedMedia, relay: FrameRelay): void {
    if (!this.open || !frame || !relay.admit()) return;
    const release = () => relay.release();
    try {
      to.play(frame.slice()).done.then(release, release);
    } catch {
      release(); // the other side's session closed between its leg ending and stop()
    }
  }
}

function sendDigit(to: BridgedMedia, digit: string): void {
  // Rejects when the session closes first: the digit is simply not delivered.
  to.sendDtmf(digit).catch(() => {});
}
