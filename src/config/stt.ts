// Speech-to-text settings: which recogniser hears the caller. `scripted` (the default) needs
// nothing: tests and the offline demo. `deepgram` streams to Deepgram (cloud or self-hosted),
// `openai` uploads each utterance to an OpenAI-compatible transcription server (OpenAI,
// Groq, self-hosted Whisper), `sherpa-onnx` recognises on this machine with a streaming model
// from an operator's directory, which is checked here, at boot, file by file. A stray setting
// for another provider stops the process instead of being silently ignored. ConfigError comes
// from index.ts, which imports this module: only used inside functions, so the import cycle is
// harmless.

import path from 'node:path';
import { findSherpaModel, SherpaModelError, type SherpaModel } from '../voice/providers/sherpa-onnx/model-dir.ts';
import { ConfigError } from './index.ts';

interface SttCommon {
  /** Overrides the agent's language for recognition; unset: each call uses its agent's `language`. */
  language: string | undefined;
  /** flush → final per attempt before the next attempt or provider takes over. */
  finalTimeoutMs: number;
}

export type SttConfig =
  | (SttCommon & { provider: 'scripted'; /** Lines each call's utterances are heard as, in order; unset: the offline demo's. */ script: string[] | undefined })
  | (SttCommon & { provider: 'deepgram' | 'openai'; baseUrl: string; /** Never logged: the logger redacts `apiKey` fields. */ apiKey: string | undefined; model: string })
  | (SttCommon & {
      provider: 'sherpa-onnx';
      /** Absolute path of HABLA_STT_SHERPA_MODEL_DIR. */
      modelDir: string;
      /** The files found there (the model family, its .onnx files and tokens.txt). */
      model: SherpaModel;
      /** onnxruntime threads per decode step. */
      numThreads: number;
    });

type Env = Record<string, string | undefined>;

const VENDOR_VARS = ['HABLA_STT_BASE_URL', 'HABLA_STT_API_KEY', 'HABLA_STT_MODEL'];
const SHERPA_VARS = ['HABLA_STT_SHERPA_MODEL_DIR', 'HABLA_STT_SHERPA_THREADS'];
const PROVIDERS = ['scripted', 'deepgram', 'openai', 'sherpa-onnx'] as const;
type SttProviderName = (typeof PROVIDERS)[number];
const DEFAULT_BASE_URL = { deepgram: 'wss://api.deepgram.com/v1', openai: 'https://api.openai.com/v1' };
const CLOUD_HOST = { deepgram: 'api.deepgram.com', openai: 'api.openai.com' };

export function parseStt(env: Env): SttConfig {
  const provider = nonEmpty(env.HABLA_STT_PROVIDER)?.toLowerCase() ?? 'scripted';
  const common: SttCommon = { language: parseLanguage(nonEmpty(env.HABLA_STT_LANGUAGE)), finalTimeoutMs: 0 };
  if (!isProvider(provider)) {
    throw new ConfigError(`HABLA_STT_PROVIDER must be scripted, deepgram, openai or sherpa-onnx, got "${env.HABLA_STT_PROVIDER}"`);
  }
  refuseStray(env, provider);
  if (provider === 'scripted') {
    return { ...common, finalTimeoutMs: parseTimeout(env, 3000), provider, script: parseScript(nonEmpty(env.HABLA_STT_SCRIPT)) };
  }
  if (provider === 'sherpa-onnx') return { ...common, finalTimeoutMs: parseTimeout(env, 3000), provider, ...parseSherpa(env) };
  const baseUrl = parseBaseUrl(nonEmpty(env.HABLA_STT_BASE_URL) ?? DEFAULT_BASE_URL[provider], provider);
  const apiKey = nonEmpty(env.HABLA_STT_API_KEY);
  if (apiKey === undefined && new URL(baseUrl).hostname === CLOUD_HOST[provider]) {
    throw new ConfigError(`HABLA_STT_API_KEY is required for ${CLOUD_HOST[provider]} (self-hosted servers may need none)`);
  }
  const model = nonEmpty(env.HABLA_STT_MODEL) ?? (provider === 'deepgram' ? 'nova-3' : undefined);
  if (model === undefined) throw new ConfigError('HABLA_STT_MODEL is required with HABLA_STT_PROVIDER=openai (e.g. whisper-1, whisper-large-v3-turbo)');
  // Whisper on a CPU takes seconds per utterance; Deepgram answers a Finalize in a few hundred ms.
  return { ...common, finalTimeoutMs: parseTimeout(env, provider === 'openai' ? 5000 : 3000), provider, baseUrl, apiKey, model };
}

function isProvider(name: string): name is SttProviderName {
  return (PROVIDERS as readonly string[]).includes(name);
}

/** Settings that belong to another provider than the chosen one. */
function refuseStray(env: Env, provider: string): void {
  const owner = (name: string) => (VENDOR_VARS.includes(name) ? 'deepgram or openai' : SHERPA_VARS.includes(name) ? 'sherpa-onnx' : 'scripted');
  const stray = [...VENDOR_VARS, ...SHERPA_VARS, 'HABLA_STT_SCRIPT'].find((name) => nonEmpty(env[name]) !== undefined && !owner(name).split(' or ').includes(provider));
  if (stray === undefined) return;
  if (stray === 'HABLA_STT_SCRIPT') throw new ConfigError('HABLA_STT_SCRIPT is only for HABLA_STT_PROVIDER=scripted');
  throw new ConfigError(`${stray} is set but HABLA_STT_PROVIDER is ${provider}; set HABLA_STT_PROVIDER=${owner(stray)} to use it`);
}

/**
 * The model directory is read now, not at the first call: a missing or unreadable directory, a
 * missing file or a model sherpa-onnx would crash on stops the process at boot.
 */
function parseSherpa(env: Env): { modelDir: string; model: SherpaModel; numThreads: number } {
  const raw = nonEmpty(env.HABLA_STT_SHERPA_MODEL_DIR);
  if (raw === undefined) {
    throw new ConfigError('HABLA_STT_SHERPA_MODEL_DIR is required with HABLA_STT_PROVIDER=sherpa-onnx: the directory of a streaming sherpa-onnx model (encoder/decoder/joiner .onnx and tokens.txt, or a Zipformer2 CTC model and tokens.txt)');
  }
  const modelDir = path.resolve(raw);
  let model: SherpaModel;
  try {
    model = findSherpaModel(modelDir);
  } catch (error) {
    if (error instanceof SherpaModelError) throw new ConfigError(`HABLA_STT_SHERPA_MODEL_DIR: ${error.message}`);
    throw error;
  }
  const threads = nonEmpty(env.HABLA_STT_SHERPA_THREADS) ?? '1';
  if (!/^\d+$/.test(threads) || Number(threads) < 1 || Number(threads) > 64) {
    throw new ConfigError(`HABLA_STT_SHERPA_THREADS must be a whole number from 1 to 64, got "${threads}"`);
  }
  return { modelDir, model, numThreads: Number(threads) };
}

/** Diga's language codes (`es`, `en`, `multi`, …) and regional forms (`es-419`, `en-US`). */
function parseLanguage(raw: string | undefined): string | undefined {
  if (raw !== undefined && !/^(multi|[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)$/.test(raw)) {
    throw new ConfigError(`HABLA_STT_LANGUAGE must be a language code such as es, en, es-419 or multi, got "${raw}"`);
  }
  return raw;
}

function parseScript(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((line) => typeof line === 'string')) {
    throw new ConfigError('HABLA_STT_SCRIPT must be a JSON array of strings, e.g. ["Hola.", "Adiós."]');
  }
  return parsed;
}

function parseTimeout(env: Env, fallback: number): number {
  const raw = nonEmpty(env.HABLA_STT_FINAL_TIMEOUT_MS);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1) throw new ConfigError(`HABLA_STT_FINAL_TIMEOUT_MS must be a whole number of milliseconds greater than 0, got "${raw}"`);
  return value;
}

function parseBaseUrl(raw: string, provider: 'deepgram' | 'openai'): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  const schemes = provider === 'deepgram' ? ['ws:', 'wss:', 'http:', 'https:'] : ['http:', 'https:'];
  if (!url || !schemes.includes(url.protocol)) {
    throw new ConfigError(`HABLA_STT_BASE_URL must be an absolute ${provider === 'deepgram' ? 'ws(s) or http(s)' : 'http(s)'} URL, got "${raw}"`);
  }
  // A key inside the URL would end up in logs and error messages; it has its own variable.
  if (url.username || url.password) throw new ConfigError('HABLA_STT_BASE_URL must not contain credentials; use HABLA_STT_API_KEY');
  return raw.replace(/\/+$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
