// What Habla learns about a call after it ends (summary, sentiment, success) and the per-turn
// latency the voice agent measured during it. Pure types and rules; no I/O.

export const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

/**
 * Where a call's post-call analysis stands. null: nothing to analyse (no caller turn yet);
 * `pending` once the caller spoke; `running` while an analyser holds it; then `completed` or
 * `failed` (the model never produced a valid answer), both final.
 */
export const ANALYSIS_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export type AnalysisStatus = (typeof ANALYSIS_STATUSES)[number];

export interface CallAnalysis {
  summary: string;
  sentiment: Sentiment;
  /** Whether the call achieved what the agent was there to do. */
  success: boolean;
}

/**
 * One agent reply's latency, in ms, as the voice agent measured it. A figure the reply did not
 * have (no STT for a greeting) is null. `at_ms` is when it was reported, from the call's answer.
 */
export interface TurnLatency {
  /** 0-based agent reply number in the call. */
  turn: number;
  at_ms: number;
  endpointing_ms: number | null;
  stt_ms: number | null;
  llm_first_token_ms: number | null;
  /** LLM request → its first complete sentence, which is what TTS waits for. */
  llm_first_sentence_ms: number | null;
  tts_first_byte_ms: number | null;
  voice_to_voice_ms: number | null;
  /** voice_to_voice minus the stages above: what Habla's own pipeline added. */
  overhead_ms: number | null;
}

/** Nearest-rank percentile (p in 0..100) of the values present; null when there are none. */
export function percentile(values: readonly (number | null)[], p: number): number | null {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (present.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * present.length));
  return present[rank - 1]!;
}
