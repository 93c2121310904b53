// Builds the LlmProvider configuration asks for, with the shared resilience around it.
// The settings type mirrors Config['llm'] (src/config) structurally: voice/ does not import config.

import type { Logger } from 'pino';
import { OpenAiCompatibleLlm } from '../providers/openai-compatible/llm.ts';
import type { ResilienceOptions } from '../providers/resilience.ts';
import { OFFLINE_DEMO_OTHERWISE, offlineDemoReplies } from '../providers/scripted/demo.ts';
import { ScriptedLlm, type ScriptedLlmOptions, type ScriptedReply } from '../providers/scripted/llm.ts';
import { ResilientLlm } from './resilient-llm.ts';
import type { LlmProvider } from './types.ts';

export interface LlmEndpointSettings {
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
}

export type LlmSettings =
  | { provider: 'scripted' }
  | { provider: 'openai'; primary: LlmEndpointSettings; fallback: LlmEndpointSettings | undefined; firstTokenTimeoutMs: number };

export interface CreateLlmOptions {
  logger?: Pick<Logger, 'warn'>;
  /** For `scripted`: the replies (default: the offline demo). */
  script?: readonly ScriptedReply[];
  scriptOptions?: ScriptedLlmOptions;
  /** Overrides of the resilience defaults (LLM_RESILIENCE_DEFAULTS). */
  resilience?: ResilienceOptions;
}

export function createLlmProvider(settings: LlmSettings, options: CreateLlmOptions = {}): LlmProvider {
  const { logger, resilience } = options;
  if (settings.provider === 'scripted') {
    const script = options.script ?? offlineDemoReplies();
    const scripted = new ScriptedLlm(script, options.scriptOptions ?? (options.script ? {} : { otherwise: OFFLINE_DEMO_OTHERWISE }));
    return new ResilientLlm([scripted], { logger, ...resilience });
  }
  const endpoints = settings.fallback ? [settings.primary, settings.fallback] : [settings.primary];
  const providers = endpoints.map((endpoint) => new OpenAiCompatibleLlm(endpoint));
  return new ResilientLlm(providers, { logger, firstItemTimeoutMs: settings.firstTokenTimeoutMs, ...resilience });
}
