// One analysis of one transcript: ask the model, validate its answer, and ask once more when
// the answer is unusable (telling it what was wrong) or the request failed. Two attempts at
// most: a model that cannot produce the object twice in a row will not on the tenth try.

import { collectReply } from '../voice/llm/collect.ts';
import { LlmError } from '../voice/llm/errors.ts';
import type { LlmProvider, LlmRequest } from '../voice/llm/types.ts';
import type { CallAnalysis } from '../domain/call-analysis.ts';
import { parseAnalysis } from './parse.ts';
import { analysisRequest, correctionMessages, type AnalysisInput } from './prompt.ts';

export const MAX_ANALYSIS_ATTEMPTS = 2;

export type AnalysisOutcome =
  | { ok: true; analysis: CallAnalysis; attempts: number }
  /** `problems`: what went wrong on each attempt (no transcript text: safe to log). */
  | { ok: false; problems: string[] };

/** Throws only when `signal` aborts (the analyser is stopping): the call stays to be analysed later. */
export async function analyzeTranscript(llm: LlmProvider, input: AnalysisInput, signal: AbortSignal): Promise<AnalysisOutcome> {
  const first = analysisRequest(input);
  let request: LlmRequest = first;
  const problems: string[] = [];
  for (let attempt = 1; attempt <= MAX_ANALYSIS_ATTEMPTS; attempt++) {
    let answer: string;
    try {
      answer = (await collectReply(llm.stream(request, signal))).text;
    } catch (error) {
      if (signal.aborted) throw error;
      problems.push(error instanceof LlmError ? `llm ${error.code}: ${error.message}` : `llm failed: ${String(error)}`);
      request = first;
      continue;
    }
    const parsed = parseAnalysis(answer);
    if (parsed.ok) return { ok: true, analysis: parsed.analysis, attempts: attempt };
    problems.push(`malformed answer: ${parsed.problem}`);
    request = { ...first, messages: [...first.messages, ...correctionMessages(answer, parsed.problem)] };
  }
  return { ok: false, problems };
}
