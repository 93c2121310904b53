/**
 * Fixed-size histogram of small non-negative durations (ms), for percentiles over a whole
 * call without keeping every sample: 0.1 ms buckets up to 100 ms, one overflow bucket above.
 * 4 KB per instance however long the call runs.
 */
const BUCKET_MS = 0.1;
const BUCKETS = 1000; // 0–100 ms

export interface HistogramSnapshot {
  count: number;
  sumMs: number;
  maxMs: number;
  /** Indexes of the non-empty buckets, ascending, and their counts. */
  buckets: Uint16Array;
  counts: Uint32Array;
}

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS + 1);
  private total = 0;
  private maxMs = 0;
  private sum = 0;

  record(ms: number): void {
    const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const bucket = Math.min(BUCKETS, Math.floor(value / BUCKET_MS));
    this.counts[bucket]++;
    this.total++;
    this.sum += value;
    if (value > this.maxMs) this.maxMs = value;
  }

  /** The sum of every recorded value (ms): with `count`, a mean or a Prometheus `_sum`. */
  get sumMs(): number {
    return this.sum;
  }

  /**
   * How many values fell below each edge (ms, ascending, on the 0.1 ms grid), in one pass: lets a
   * reader fold these buckets into coarser ones (Prometheus `le`) without the samples. An edge past
   * 100 ms counts only the values below 100 ms (the overflow bucket has no finer position).
   */
  countBelow(edgesMs: readonly number[]): number[] {
    const out: number[] = [];
    let seen = 0;
    let i = 0;
    for (const edge of edgesMs) {
      const end = Math.min(BUCKETS, Math.round(edge / BUCKET_MS));
      for (; i < end; i++) seen += this.counts[i];
      out.push(seen);
    }
    return out;
  }

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.maxMs;
  }

  /** The histogram as its non-empty buckets (bucket index, count): small enough to send to another thread. */
  snapshot(): HistogramSnapshot {
    let used = 0;
    for (let i = 0; i <= BUCKETS; i++) if (this.counts[i] > 0) used++;
    const buckets = new Uint16Array(used);
    const counts = new Uint32Array(used);
    for (let i = 0, k = 0; i <= BUCKETS; i++) {
      if (this.counts[i] === 0) continue;
      buckets[k] = i;
      counts[k++] = this.counts[i];
    }
    return { count: this.total, sumMs: this.sum, maxMs: this.maxMs, buckets, counts };
  }

  /** Replaces this histogram's contents with a snapshot taken elsewhere. */
  load(snapshot: HistogramSnapshot): void {
    this.counts.fill(0);
    snapshot.buckets.forEach((bucket, k) => (this.counts[bucket] = snapshot.counts[k]));
    this.total = snapshot.count;
    this.sum = snapshot.sumMs;
    this.maxMs = snapshot.maxMs;
  }

  /** The upper edge of the bucket holding the q-quantile (0 < q ≤ 1); undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i === BUCKETS ? this.maxMs : round1((i + 1) * BUCKET_MS);
    }
    return this.maxMs;
  }
}

const round1 = (ms: number): number => Math.round(ms * 10) / 10;
