// Builds the SttProvider configuration asks for, with the shared resilience around it.
// The settings type mirrors Config['stt'] (src/config/stt.ts) structurally: voice/ does not import config.

import type { Logger } from 'pino';
import { DeepgramStt } from '../providers/deepgram/stt.ts';
import { OpenAiCompatibleStt } from '../providers/openai-compatible/stt.ts';
import { OFFLINE_DEMO_UTTERANCES, ScriptedStt, type ScriptedSttOptions, type ScriptedUtterance } from '../providers/scripted/stt.ts';
import type { SherpaModel } from '../providers/sherpa-onnx/model-dir.ts';
import { SherpaOnnxStt } from '../providers/sherpa-onnx/stt.ts';
import { ResilientStt, type ResilientSttOptions } from './resilient-stt.ts';
import type { SttProvider } from './types.ts';

interface SttCommonSettings {
  language: string | undefined;
  finalTimeoutMs: number;
}

export type SttSettings =
  | (SttCommonSettings & { provider: 'scripted'; script: string[] | undefined })
  | (SttCommonSettings & { provider: 'deepgram' | 'openai'; baseUrl: string; apiKey: string | undefined; model: string })
  | (SttCommonSettings & { provider: 'sherpa-onnx'; model: SherpaModel; numThreads: number });

export interface CreateSttOptions {
  /** `info` is used too when present (sherpa-onnx logs its boot check's figures). */
  logger?: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'info'>>;
  /** For `scripted`: the lines (default: settings.script, else the offline demo's). */
  script?: readonly (string | ScriptedUtterance)[];
  scriptOptions?: ScriptedSttOptions;
  /** Overrides of the resilience defaults (STT_RESILIENCE_DEFAULTS). */
  resilience?: ResilientSttOptions;
}

export function createSttProvider(settings: SttSettings, options: CreateSttOptions = {}): SttProvider {
  const resilience: ResilientSttOptions = { logger: options.logger, finalTimeoutMs: settings.finalTimeoutMs, ...options.resilience };
  return new ResilientStt([adapterFor(settings, options)], resilience);
}

/** The language a call's recogniser listens for: the configured override, else the agent's. */
export function sttLanguage(settings: Pick<SttSettings, 'language'>, agentLanguage: string): string {
  return settings.language ?? agentLanguage;
}

function adapterFor(settings: SttSettings, options: CreateSttOptions): SttProvider {
  switch (settings.provider) {
    case 'scripted':
      return new ScriptedStt(options.script ?? settings.script ?? OFFLINE_DEMO_UTTERANCES, options.scriptOptions);
    case 'deepgram':
      return new DeepgramStt({ baseUrl: settings.baseUrl, apiKey: settings.apiKey, model: settings.model });
    case 'openai':
      return new OpenAiCompatibleStt({ baseUrl: settings.baseUrl, apiKey: settings.apiKey, model: settings.model });
    case 'sherpa-onnx':
      // Loads the model now (checked in a child process first): a model that cannot run stops the boot.
      return new SherpaOnnxStt({ model: settings.model, numThreads: settings.numThreads, logger: options.logger });
  }
}
