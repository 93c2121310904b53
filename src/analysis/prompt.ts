// The request that asks the configured LLM to analyse a finished call. The model gets the
// agent's instructions (so it can judge success), the transcript, and a strict answer format.

import { transcriptText, type TranscriptTurn } from '../domain/transcript.ts';
import type { ChatMessage, LlmRequest } from '../voice/llm/types.ts';

/** The system prompt starts with this: a test double (mock LLM server) can recognise the request by it. */
export const ANALYSIS_PROMPT_MARKER = 'You analyse finished phone calls';

/** Long instructions are cut: they are context for judging success, not the thing analysed. */
const MAX_AGENT_PROMPT_CHARS = 4000;

export interface AnalysisInput {
  turns: readonly TranscriptTurn[];
  /** The agent's language (agent version `language`), e.g. `es`, `en`. */
  language: string;
  /** The agent's instructions (agent version `prompt`), if any. */
  agentPrompt: string | null;
}

/** The language the summary is written in: Spanish for `es…` agents (and by default), else English. */
export function summaryLanguage(language: string): 'Spanish' | 'English' {
  return language.toLowerCase().startsWith('en') ? 'English' : 'Spanish';
}

export function analysisRequest(input: AnalysisInput): LlmRequest {
  const summaryIn = summaryLanguage(input.language);
  const system = [
    `${ANALYSIS_PROMPT_MARKER} between an AI voice agent and a caller.`,
    'Answer with ONE JSON object and nothing else (no code fences, no comments), exactly these keys:',
    `{"summary": string, "sentiment": "positive" | "neutral" | "negative", "success": boolean}`,
    `- summary: 1 to 3 sentences in ${summaryIn} saying what the call was about and how it ended.`,
    '- sentiment: the caller\'s overall attitude during the call.',
    '- success: true when the agent achieved the purpose its instructions give it (or, without instructions, resolved what the caller wanted).',
  ].join('\n');
  const context = input.agentPrompt?.trim()
    ? `The agent's instructions:\n"""\n${input.agentPrompt.trim().slice(0, MAX_AGENT_PROMPT_CHARS)}\n"""\n\n`
    : '';
  const transcript = transcriptText(input.turns, { agent: 'Agent', caller: 'Caller' }) ?? '(nobody spoke)';
  const messages: ChatMessage[] = [
    { role: 'system', content: system },
    { role: 'user', content: `${context}The call transcript (an agent turn marked [cut off] was interrupted by the caller):\n"""\n${markCuts(input.turns, transcript)}\n"""` },
  ];
  return { messages, temperature: 0, maxTokens: 400 };
}

/** The follow-up after an answer that was not the JSON object asked for. */
export function correctionMessages(badAnswer: string, problem: string): ChatMessage[] {
  return [
    { role: 'assistant', content: badAnswer.slice(0, 2000) },
    { role: 'user', content: `That answer is not usable: ${problem}. Reply with only the JSON object {"summary": …, "sentiment": …, "success": …}.` },
  ];
}

function markCuts(turns: readonly TranscriptTurn[], transcript: string): string {
  if (!turns.some((t) => t.interrupted)) return transcript;
  return turns.map((t) => `${t.role === 'assistant' ? 'Agent' : 'Caller'}: ${t.content}${t.interrupted ? ' [cut off]' : ''}`).join('\n\n');
}
