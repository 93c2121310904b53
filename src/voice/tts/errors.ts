// Every TTS failure is a TtsError with a code the resilience layer and the agent can act on,
// whichever engine produced it (espeak-ng process, ElevenLabs, an OpenAI-compatible server).

import { ProviderError } from '../providers/provider-error.ts';

export type TtsErrorCode =
  | 'ENGINE_NOT_FOUND' // espeak-ng is not installed
  | 'UNKNOWN_VOICE' // the engine does not have this voice (HTTP 404 on a voice, espeak "voice does not exist")
  | 'NOT_CONFIGURED' // the voice belongs to a provider this process has no settings for
  | 'AUTH' // 401/403: wrong or missing key
  | 'RATE_LIMITED' // 429 (also ElevenLabs' concurrency limit); retryAfterMs when the server said
  | 'SERVER' // 5xx
  | 'BAD_REQUEST' // other 4xx: unknown model, text too long, quota exhausted
  | 'NETWORK' // connection refused/reset, also mid-stream
  | 'PROTOCOL' // an answer that is not the audio we asked for
  | 'TIMEOUT' // our first-byte/idle/total timers, an engine's own timeout, HTTP 408
  | 'ABORTED' // the caller's signal fired (barge-in)
  | 'SYNTHESIS_FAILED'; // espeak-ng failed or produced nothing readable

const RETRYABLE: ReadonlySet<TtsErrorCode> = new Set(['RATE_LIMITED', 'SERVER', 'NETWORK', 'PROTOCOL', 'TIMEOUT']);

export class TtsError extends ProviderError<TtsErrorCode> {
  override readonly name = 'TtsError';
  protected readonly retryableCodes = RETRYABLE;
}

/** The TtsError for an aborted signal: TIMEOUT when the reason is a TimeoutError (AbortSignal.timeout). */
export function abortedError(signal: AbortSignal): TtsError {
  const reason: unknown = signal.reason;
  if (reason instanceof TtsError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new TtsError('TIMEOUT', 'speech synthesis timed out', { cause: reason });
  }
  return new TtsError('ABORTED', 'speech synthesis was aborted', { cause: reason });
}
