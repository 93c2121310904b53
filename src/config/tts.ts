// Text-to-speech settings: which engines besides espeak-ng (always there) this process can
// speak with. Each cloud engine is switched on by its credentials or URL; a stray setting
// without them stops the process instead of being silently ignored.
// ConfigError comes from index.ts, which imports this module: only used inside functions, so
// the import cycle is harmless.

import { ConfigError } from './index.ts';

export const ELEVENLABS_OUTPUT_FORMATS = ['ulaw_8000', 'pcm_8000', 'pcm_16000', 'pcm_22050', 'pcm_24000', 'pcm_44100', 'pcm_48000'] as const;
export type ElevenLabsOutputFormatConfig = (typeof ELEVENLABS_OUTPUT_FORMATS)[number];

export interface ElevenLabsConfig {
  /** Never logged: the logger redacts `apiKey` fields. */
  apiKey: string;
  /** Without the version: `https://api.elevenlabs.io`. */
  baseUrl: string;
  model: string;
  outputFormat: ElevenLabsOutputFormatConfig;
}

export interface OpenAiTtsConfig {
  /** Up to and including the version: `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Never logged: the logger redacts `apiKey` fields. */
  apiKey: string | undefined;
  model: string;
  responseFormat: 'pcm' | 'wav';
  /** The server's own voice names; unset: OpenAI's documented voices for the model. */
  voices: string[] | undefined;
}

export interface TtsConfig {
  elevenlabs: ElevenLabsConfig | undefined;
  openai: OpenAiTtsConfig | undefined;
  /** A cloud engine that yields no audio within this long is abandoned for espeak-ng. */
  firstByteTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

export function parseTts(env: Env): TtsConfig {
  return { elevenlabs: parseElevenLabs(env), openai: parseOpenAiTts(env), firstByteTimeoutMs: parseFirstByteTimeout(env) };
}

function parseElevenLabs(env: Env): ElevenLabsConfig | undefined {
  const apiKey = nonEmpty(env.HABLA_ELEVENLABS_API_KEY);
  if (apiKey === undefined) {
    const stray = ['HABLA_ELEVENLABS_BASE_URL', 'HABLA_ELEVENLABS_MODEL', 'HABLA_ELEVENLABS_OUTPUT_FORMAT'].find((name) => nonEmpty(env[name]) !== undefined);
    if (stray) throw new ConfigError(`${stray} is set but HABLA_ELEVENLABS_API_KEY is not; set the key to use ElevenLabs`);
    return undefined;
  }
  const outputFormat = (nonEmpty(env.HABLA_ELEVENLABS_OUTPUT_FORMAT) ?? 'ulaw_8000') as ElevenLabsOutputFormatConfig;
  if (!ELEVENLABS_OUTPUT_FORMATS.includes(outputFormat)) {
    throw new ConfigError(`HABLA_ELEVENLABS_OUTPUT_FORMAT must be one of ${ELEVENLABS_OUTPUT_FORMATS.join(', ')}, got "${outputFormat}"`);
  }
  return {
    apiKey,
    baseUrl: parseBaseUrl(nonEmpty(env.HABLA_ELEVENLABS_BASE_URL) ?? 'https://api.elevenlabs.io', 'HABLA_ELEVENLABS_BASE_URL', 'HABLA_ELEVENLABS_API_KEY'),
    model: nonEmpty(env.HABLA_ELEVENLABS_MODEL) ?? 'eleven_flash_v2_5',
    outputFormat,
  };
}

function parseOpenAiTts(env: Env): OpenAiTtsConfig | undefined {
  const rawUrl = nonEmpty(env.HABLA_TTS_OPENAI_BASE_URL);
  const apiKey = nonEmpty(env.HABLA_TTS_OPENAI_API_KEY);
  if (rawUrl === undefined && apiKey === undefined) {
    const stray = ['HABLA_TTS_OPENAI_MODEL', 'HABLA_TTS_OPENAI_RESPONSE_FORMAT', 'HABLA_TTS_OPENAI_VOICES'].find((name) => nonEmpty(env[name]) !== undefined);
    if (stray) throw new ConfigError(`${stray} is set but neither HABLA_TTS_OPENAI_BASE_URL nor HABLA_TTS_OPENAI_API_KEY is`);
    return undefined;
  }
  const baseUrl = parseBaseUrl(rawUrl ?? 'https://api.openai.com/v1', 'HABLA_TTS_OPENAI_BASE_URL', 'HABLA_TTS_OPENAI_API_KEY');
  if (apiKey === undefined && new URL(baseUrl).hostname === 'api.openai.com') {
    throw new ConfigError('HABLA_TTS_OPENAI_API_KEY is required for api.openai.com (local servers need none)');
  }
  const responseFormat = nonEmpty(env.HABLA_TTS_OPENAI_RESPONSE_FORMAT)?.toLowerCase() ?? 'pcm';
  if (responseFormat !== 'pcm' && responseFormat !== 'wav') {
    throw new ConfigError(`HABLA_TTS_OPENAI_RESPONSE_FORMAT must be pcm or wav, got "${env.HABLA_TTS_OPENAI_RESPONSE_FORMAT}"`);
  }
  return { baseUrl, apiKey, model: nonEmpty(env.HABLA_TTS_OPENAI_MODEL) ?? 'tts-1', responseFormat, voices: parseVoiceNames(env.HABLA_TTS_OPENAI_VOICES) };
}

function parseVoiceNames(raw: string | undefined): string[] | undefined {
  const names = (raw ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) return undefined;
  const bad = names.find((name) => !/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$/.test(name));
  if (bad) throw new ConfigError(`HABLA_TTS_OPENAI_VOICES: "${bad}" is not a voice name (comma-separated names such as ef_dora,em_alex)`);
  return [...new Set(names)];
}

function parseFirstByteTimeout(env: Env): number {
  const raw = nonEmpty(env.HABLA_TTS_FIRST_BYTE_TIMEOUT_MS);
  if (raw === undefined) return 3000;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1) throw new ConfigError(`HABLA_TTS_FIRST_BYTE_TIMEOUT_MS must be a whole number of milliseconds greater than 0, got "${raw}"`);
  return value;
}

function parseBaseUrl(raw: string, name: string, keyName: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
  // A key inside the URL would end up in logs and error messages; it has its own variable.
  if (url.username || url.password) throw new ConfigError(`${name} must not contain credentials; use ${keyName}`);
  return raw.replace(/\/+$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
