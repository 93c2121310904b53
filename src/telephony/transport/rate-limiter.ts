/**
 * Token buckets keyed by source address: each key may spend `capacity` tokens at once and
 * regains `refillPerSecond`. Bounded memory: past `maxKeys` the oldest buckets are forgotten
 * (a forgotten source starts full again, which only errs towards answering).
 */
export interface RateLimiterOptions {
  capacity: number;
  refillPerSecond: number;
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class SourceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimiterOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Whether `key` still has a token, without spending one. */
  allows(key: string, now: number): boolean {
    return this.refill(key, now) >= 1;
  }

  /** Spends one token; false when the bucket was already empty. */
  take(key: string, now: number): boolean {
    const tokens = this.refill(key, now);
    const bucket = this.buckets.get(key)!;
    if (tokens < 1) return false;
    bucket.tokens = tokens - 1;
    return true;
  }

  private refill(key: string, now: number): number {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = { tokens: this.options.capacity, at: now };
      this.buckets.set(key, bucket);
    }
    const gained = ((now - bucket.at) / 1000) * this.options.refillPerSecond;
    bucket.tokens = Math.min(this.options.capacity, bucket.tokens + gained);
    bucket.at = now;
    return bucket.tokens;
  }
}
