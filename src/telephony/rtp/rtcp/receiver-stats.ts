import { ntpMiddle32 } from './ntp.ts';
import type { ReportBlock } from './types.ts';

const RTP_SEQ_MOD = 0x10000;
const MAX_DROPOUT = 3000; // RFC 3550 A.1: a jump ahead larger than this is suspect
const MAX_MISORDER = 100; // ... and one further behind than this is suspect

/**
 * Reception statistics for one remote source (RFC 3550 §6.4.1, A.1, A.3, A.8), fed with each
 * received packet's sequence number, RTP timestamp and arrival time from a monotonic clock.
 * Departure from A.1: no probation; the first packet starts the source, since on a call the
 * SSRC is known from signalling and the first packets matter for loss accounting.
 */
export class ReceiverStatistics {
  readonly ssrc: number;
  readonly #clockRate: number;
  #started = false;
  #maxSeq = 0;
  #cycles = 0; // count of wraps × 65536
  #baseSeq = 0;
  #badSeq = RTP_SEQ_MOD + 1; // "no suspect sequence"
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #transit: number | undefined;
  #jitter = 0;
  #lastSr = 0;
  #lastSrArrivalMs: number | undefined;

  constructor(ssrc: number, clockRate: number) {
    this.ssrc = ssrc >>> 0;
    this.#clockRate = clockRate;
  }

  /** Returns false when the packet was judged out of sequence and not counted (A.1). */
  onPacket(seq: number, rtpTimestamp: number, arrivalMs: number): boolean {
    if (!this.#started) {
      this.#restart(seq);
      this.#started = true;
    } else if (!this.#updateSeq(seq)) {
      return false;
    }
    this.#received++;
    this.#updateJitter(rtpTimestamp, arrivalMs);
    return true;
  }

  /** Remember the sender report's NTP time so the next block carries LSR/DLSR (§6.4.1). */
  onSenderReport(ntpSeconds: number, ntpFraction: number, arrivalMs: number): void {
    this.#lastSr = ntpMiddle32(ntpSeconds, ntpFraction);
    this.#lastSrArrivalMs = arrivalMs;
  }

  get packetsReceived(): number {
    return this.#received;
  }

  /** A report block for now; advances the "since last report" interval for fraction lost. */
  reportBlock(nowMs: number): ReportBlock | undefined {
    if (!this.#started) return undefined;
    const extendedMax = this.#cycles + this.#maxSeq;
    const expected = extendedMax - this.#baseSeq + 1;
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.#received - this.#receivedPrior;
    const lostInterval = expectedInterval - receivedInterval;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    const delay = this.#lastSrArrivalMs === undefined ? 0 : Math.max(0, nowMs - this.#lastSrArrivalMs);
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, expected - this.#received)),
      highestSeq: extendedMax >>> 0,
      jitter: Math.floor(this.#jitter) >>> 0,
      lastSr: this.#lastSr,
      delaySinceLastSr: this.#lastSrArrivalMs === undefined ? 0 : Math.min(0xffffffff, Math.round((delay * 65536) / 1000)),
    };
  }

  #restart(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = RTP_SEQ_MOD + 1;
    this.#cycles = 0;
    this.#received = 0;
    this.#expectedPrior = 0;
    this.#receivedPrior = 0;
  }

  /** RFC 3550 A.1 update_seq without the probation branch. */
  #updateSeq(seq: number): boolean {
    const delta = (seq - this.#maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    if (delta < MAX_DROPOUT) {
      if (seq < this.#maxSeq) this.#cycles += RTP_SEQ_MOD; // wrapped
      this.#maxSeq = seq;
    } else if (delta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A big jump: accept it only if the next packet follows it (the sender restarted).
      if (seq === this.#badSeq) {
        this.#restart(seq);
      } else {
        this.#badSeq = (seq + 1) & 0xffff;
        return false;
      }
    }
    // else: duplicate or reordered within MAX_MISORDER; counted, max unchanged.
    return true;
  }

  /** A.8: J += (|D| - J) / 16 with transit times in RTP timestamp units. */
  #updateJitter(rtpTimestamp: number, arrivalMs: number): void {
    const arrival = (arrivalMs * this.#clockRate) / 1000;
    const transit = arrival - rtpTimestamp;
    if (this.#transit !== undefined) {
      // Timestamps wrap at 2^32: take the difference modulo 2^32 as a signed value.
      let d = (transit - this.#transit) % 2 ** 32;
      if (d > 2 ** 31) d -= 2 ** 32;
      if (d < -(2 ** 31)) d += 2 ** 32;
      this.#jitter += (Math.abs(d) - this.#jitter) / 16;
    }
    this.#transit = transit;
  }
}
