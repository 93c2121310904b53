// Validates the model's answer to the analysis request. Strict: one JSON object with exactly
// the three fields and their types. The only leniency is a Markdown code fence around it, which
// chat models add even when told not to; anything else is a malformed answer.

import { SENTIMENTS, type CallAnalysis, type Sentiment } from '../domain/call-analysis.ts';

export type ParsedAnalysis = { ok: true; analysis: CallAnalysis } | { ok: false; problem: string };

const FENCED = /^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i;
const MAX_SUMMARY_CHARS = 2000;

export function parseAnalysis(answer: string): ParsedAnalysis {
  const text = answer.trim();
  const body = FENCED.exec(text)?.[1]?.trim() ?? text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, problem: 'it is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'it is not a JSON object' };
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).filter((key) => !['summary', 'sentiment', 'success'].includes(key));
  if (extra.length > 0) return { ok: false, problem: `unexpected keys ${extra.map((k) => JSON.stringify(k)).join(', ')}` };
  const { summary, sentiment, success } = record;
  if (typeof summary !== 'string' || summary.trim() === '') return { ok: false, problem: '"summary" must be a non-empty string' };
  if (summary.length > MAX_SUMMARY_CHARS) return { ok: false, problem: `"summary" is longer than ${MAX_SUMMARY_CHARS} characters` };
  if (typeof sentiment !== 'string' || !(SENTIMENTS as readonly string[]).includes(sentiment)) {
    return { ok: false, problem: '"sentiment" must be "positive", "neutral" or "negative"' };
  }
  if (typeof success !== 'boolean') return { ok: false, problem: '"success" must be true or false' };
  return { ok: true, analysis: { summary: summary.trim(), sentiment: sentiment as Sentiment, success } };
}
