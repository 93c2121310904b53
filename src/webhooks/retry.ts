// Which outcomes are retried, and when.

export interface RetryPolicy {
  maxAttempts: number;
  /** Delay after the first failed attempt; each further one is `factor` times longer. */
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 5_000, factor: 3, maxDelayMs: 3_600_000 };

/** Network errors and timeouts (no status), 5xx, 408 and 429 are transient; other statuses are final. */
export function isRetryable(statusCode: number | null): boolean {
  if (statusCode === null) return true;
  return statusCode >= 500 || statusCode === 408 || statusCode === 429;
}

/** Delay before attempt `failed + 1`: exponential, capped, with jitter in [50 %, 100 %] so retries spread out. */
export function backoffMs(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (failedAttempts - 1));
  return Math.round(exponential * (0.5 + random() * 0.5));
}
