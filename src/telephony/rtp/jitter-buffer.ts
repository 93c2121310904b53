/**
 * Receive-side jitter buffer, sans-I/O: the socket shell calls `push(packet, arrivalMs)` for
 * every RTP packet of the stream and `pop()` once per 20 ms tick of its own playout clock.
 *
 * Policy (deliberately simple and predictable; telephony audio is 20 ms G.711 frames):
 * - Fixed depth. Playout starts (and restarts after an underrun) once `depthFrames` frames
 *   are queued, so the first frame is heard depth × 20 ms after it arrived. Adaptive depth
 *   would trade that latency against late losses using the measured jitter; the jitter
 *   estimate is exposed in `stats` so a caller can pick the depth per trunk instead.
 * - Ordering by sequence number (16-bit, unwrapped), never by arrival.
 * - A missing frame whose successors are already here is reported as `loss` on its tick, so
 *   the consumer conceals it (repeat, fade, comfort noise) and timing stays intact.
 * - An empty buffer is an `underrun` (network stall or the sender paused): playout stops
 *   advancing and re-buffers, instead of declaring every missing tick a loss.
 * - Packets that arrive after their tick has passed are `late` and dropped; repeats are
 *   `duplicate`. Latency is bounded: beyond `depthFrames + maxExtraFrames` queued frames
 *   (a burst, or a sender clock running fast) the oldest frame is discarded per pop, and
 *   the queue never holds more than `capacity` packets.
 * - A new SSRC means a new stream: the buffer resets to it.
 */
import type { RtpPacket } from './packet.ts';
import { seqDelta } from './sequence.ts';

export interface JitterBufferOptions {
  /** Frames queued before playout starts. Default 3 (60 ms). */
  depthFrames?: number;
  /** Frames allowed above the depth before latency is trimmed. Default 5 (100 ms). */
  maxExtraFrames?: number;
  /** Hard bound on queued packets. Default 50 (1 s). */
  capacity?: number;
  /** RTP clock rate, for the jitter estimate. Default 8000. */
  clockRate?: number;
}

export type PushOutcome = 'queued' | 'duplicate' | 'late' | 'overflow';

export type PopResult =
  | { kind: 'frame'; packet: RtpPacket }
  | { kind: 'loss'; sequenceNumber: number }
  | { kind: 'underrun' }; // nothing to play: buffering, or the stream is quiet

export interface JitterBufferStats {
  received: number;
  played: number;
  lost: number;
  late: number;
  duplicates: number;
  discarded: number;
  underruns: number;
  /** RFC 3550 §6.4.1 interarrival jitter, in milliseconds. */
  jitterMs: number;
}

export class JitterBuffer {
  private readonly depth: number;
  private readonly maxExtra: number;
  private readonly capacity: number;
  private readonly clockRate: number;
  /** Queued packets by extended sequence number. */
  private readonly queue = new Map<number, RtpPacket>();
  private ssrc: number | undefined;
  /** Extension reference: the highest sequence number seen and its extended value. */
  private refSeq = 0;
  private refExtended = 0;
  /** Next extended number to play; `undefined` while (re)buffering. */
  private next: number | undefined;
  /** Everything at or below this extended number has had its tick. */
  private playedUpTo = -Infinity;
  private transit: number | undefined;
  private jitter = 0; // in timestamp units, as RFC 3550 keeps it
  private readonly counters = { received: 0, played: 0, lost: 0, late: 0, duplicates: 0, discarded: 0, underruns: 0 };

  constructor(options: JitterBufferOptions = {}) {
    this.depth = Math.max(1, options.depthFrames ?? 3);
    this.maxExtra = Math.max(1, options.maxExtraFrames ?? 5);
    this.capacity = Math.max(this.depth + this.maxExtra, options.capacity ?? 50);
    this.clockRate = options.clockRate ?? 8000;
  }

  push(packet: RtpPacket, arrivalMs: number): PushOutcome {
    if (this.ssrc !== packet.ssrc) this.reset(packet);
    const extended = this.extend(packet.sequenceNumber);
    this.updateJitter(packet.timestamp, arrivalMs);
    if (extended <= this.playedUpTo) {
      this.counters.late++;
      return 'late';
    }
    if (this.queue.has(extended)) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    this.counters.received++;
    this.queue.set(extended, packet);
    if (this.queue.size > this.capacity) {
      this.discardOldest();
      return 'overflow';
    }
    return 'queued';
  }

  pop(): PopResult {
    if (this.next === undefined) {
      if (this.queue.size < this.depth) return this.underrun(false);
      this.next = this.oldest();
    }
    while (this.queue.size > this.depth + this.maxExtra) this.discardOldest();
    if (this.queue.size === 0) return this.underrun(true);
    const seq = this.next;
    this.next = seq + 1;
    this.playedUpTo = seq;
    const packet = this.queue.get(seq);
    if (packet) {
      this.queue.delete(seq);
      this.counters.played++;
      return { kind: 'frame', packet };
    }
    this.counters.lost++;
    return { kind: 'loss', sequenceNumber: seq & 0xffff };
  }

  /** Frames currently queued. */
  get size(): number {
    return this.queue.size;
  }

  get stats(): JitterBufferStats {
    return { ...this.counters, jitterMs: (this.jitter / this.clockRate) * 1000 };
  }

  private underrun(wasPlaying: boolean): PopResult {
    if (wasPlaying) {
      this.counters.underruns++;
      this.next = undefined;
    }
    return { kind: 'underrun' };
  }

  private reset(packet: RtpPacket): void {
    this.queue.clear();
    this.ssrc = packet.ssrc;
    this.refSeq = packet.sequenceNumber;
    this.refExtended = 0x10000 + packet.sequenceNumber; // room below for reordered predecessors
    this.next = undefined;
    this.playedUpTo = -Infinity;
    this.transit = undefined;
  }

  private extend(seq: number): number {
    const extended = this.refExtended + seqDelta(this.refSeq, seq);
    if (extended > this.refExtended) {
      this.refExtended = extended;
      this.refSeq = seq;
    }
    return extended;
  }

  private oldest(): number {
    let min = Infinity;
    for (const k of this.queue.keys()) if (k < min) min = k;
    return min;
  }

  /** Drops the oldest queued frame; playout continues after it. */
  private discardOldest(): void {
    const oldest = this.oldest();
    this.queue.delete(oldest);
    this.counters.discarded++;
    if (this.next !== undefined && this.next <= oldest) this.next = oldest + 1;
    this.playedUpTo = Math.max(this.playedUpTo, oldest);
  }

  private updateJitter(timestamp: number, arrivalMs: number): void {
    // transit = arrival (in RTP units) - timestamp; J += (|D| - J) / 16 (RFC 3550 §6.4.1).
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - timestamp;
    if (this.transit !== undefined) {
      let d = transit - this.transit;
      // Timestamps wrap at 2^32: fold the difference back into range.
      if (d > 0x80000000) d -= 0x100000000;
      else if (d < -0x80000000) d += 0x100000000;
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.transit = transit;
  }
}
