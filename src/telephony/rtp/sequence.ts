/**
 * 16-bit sequence numbers and 32-bit timestamps wrap; comparisons and counting must be done
 * modulo their size. The tracker follows RFC 3550 appendix A.1: it extends sequence numbers
 * with a cycle count, tolerates reordering and small gaps, and treats a big jump as a source
 * restart only once it is confirmed by a second, consecutive packet.
 */

const SEQ_MOD = 0x10000;
const MAX_DROPOUT = 3000; // RFC 3550 A.1: largest forward jump taken as loss, not a restart
const MAX_MISORDER = 100; // how far behind the highest number a packet may arrive

/** Signed distance a → b in sequence space: positive when b is after a (within half the space). */
export function seqDelta(a: number, b: number): number {
  const d = (b - a) & 0xffff;
  return d >= 0x8000 ? d - SEQ_MOD : d;
}

/** Signed distance a → b for 32-bit RTP timestamps. */
export function timestampDelta(a: number, b: number): number {
  const d = (b - a) >>> 0;
  return d >= 0x80000000 ? d - 0x100000000 : d;
}

export const seqNext = (seq: number, by = 1): number => (seq + by) & 0xffff;
export const timestampNext = (ts: number, by: number): number => (ts + by) >>> 0;

export type SequenceVerdict =
  | { kind: 'in-order'; extended: number }
  | { kind: 'reordered'; extended: number } // older than the highest seen, still useful
  | { kind: 'restart'; extended: number } // source jumped and we re-synchronised on it
  | { kind: 'dropped'; reason: 'duplicate-or-stale' | 'bad-jump' };

/** Per-SSRC receive state: extended sequence numbers and loss accounting. */
export class SequenceTracker {
  private maxExtended = -1;
  private baseExtended = 0;
  private received = 0;
  private badSeq = -1; // RFC 3550 bad_seq: the seq expected if a jump is a real restart
  private seen = new Set<number>(); // recent extended numbers, to spot duplicates

  /** Classifies a received sequence number and updates the counters. */
  accept(seq: number): SequenceVerdict {
    if (this.maxExtended < 0) return this.restart(seq, 'in-order');
    const maxSeq = this.maxExtended & 0xffff;
    const delta = seqDelta(maxSeq, seq);
    if (delta > 0 && delta < MAX_DROPOUT) return this.record(this.maxExtended + delta, 'in-order');
    if (delta <= 0 && -delta <= MAX_MISORDER) {
      const extended = this.maxExtended + delta;
      if (extended < this.baseExtended || this.seen.has(extended)) return { kind: 'dropped', reason: 'duplicate-or-stale' };
      return this.record(extended, 'reordered');
    }
    // A big jump: believe it only if the next packet continues from it (sender restarted).
    if (seq === this.badSeq) return this.restart(seq, 'restart');
    this.badSeq = seqNext(seq);
    return { kind: 'dropped', reason: 'bad-jump' };
  }

  private restart(seq: number, kind: 'in-order' | 'restart'): SequenceVerdict {
    // Keep the cycle count so extended numbers never go backwards across a restart.
    const cycles = this.maxExtended < 0 ? 0 : Math.floor(this.maxExtended / SEQ_MOD) + 1;
    const extended = cycles * SEQ_MOD + seq;
    this.baseExtended = extended;
    this.maxExtended = extended - 1;
    this.received = 0;
    this.badSeq = -1;
    this.seen.clear();
    return this.record(extended, kind);
  }

  private record(extended: number, kind: 'in-order' | 'reordered' | 'restart'): SequenceVerdict {
    this.received++;
    this.seen.add(extended);
    if (extended > this.maxExtended) this.maxExtended = extended;
    if (this.seen.size > 2 * MAX_MISORDER) {
      for (const n of this.seen) if (n < this.maxExtended - MAX_MISORDER) this.seen.delete(n);
    }
    return { kind, extended };
  }

  /** Highest extended sequence number received (RFC 3550 "extended highest sequence number"). */
  get highestExtended(): number {
    return this.maxExtended;
  }

  get packetsReceived(): number {
    return this.received;
  }

  get packetsExpected(): number {
    return this.maxExtended < 0 ? 0 : this.maxExtended - this.baseExtended + 1;
  }

  /** Cumulative loss; may be negative with duplicates in RFC 3550, never here (we drop them). */
  get packetsLost(): number {
    return this.packetsExpected - this.received;
  }
}

/** Extends 32-bit timestamps into a monotonic-ish number line (nearest interpretation wins). */
export class TimestampUnwrapper {
  private last: number | undefined;
  private extendedLast = 0;

  unwrap(ts: number): number {
    if (this.last === undefined) {
      this.last = ts >>> 0;
      this.extendedLast = this.last;
      return this.extendedLast;
    }
    const delta = timestampDelta(this.last, ts);
    const extended = this.extendedLast + delta;
    // Only move the reference forward, so a late packet does not drag it back.
    if (delta > 0) {
      this.last = ts >>> 0;
      this.extendedLast = extended;
    }
    return extended;
  }
}
