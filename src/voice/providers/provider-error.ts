// What every provider failure (LLM, STT, TTS) carries, so the shared resilience layer and the
// agent can act on it the same way; each kind only names its codes and which are retryable.

export interface ProviderErrorOptions {
  /** HTTP status when the failure was an HTTP answer. */
  status?: number;
  /** From Retry-After / retry-after-ms on a 429 or 503. */
  retryAfterMs?: number;
  cause?: unknown;
}

export abstract class ProviderError<Code extends string> extends Error {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  protected abstract readonly retryableCodes: ReadonlySet<Code>;

  constructor(
    readonly code: Code,
    message: string,
    options: ProviderErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Whether asking the same provider again may succeed. */
  get retryable(): boolean {
    return this.retryableCodes.has(this.code);
  }
}
