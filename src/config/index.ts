// The only module that reads process.env. Everything else receives a Config.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseStt, type SttConfig } from './stt.ts';
import { parseTts, type TtsConfig } from './tts.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `sqlite:<file>` for the embedded store or a `postgres://` URL. */
  databaseUrl: string;
  adminApiKey: string | undefined;
  /** Base64 32-byte key; when absent it is generated into the data directory. */
  secretKey: string | undefined;
  logLevel: LogLevel;
  /** Where clients reach the API (behind a proxy), for links such as recording URLs; unset: the request's host. */
  publicUrl: string | undefined;
  /** Address the SIP endpoint (UDP) binds to. */
  sipHost: string;
  /** 0 lets the OS pick a port (tests). */
  sipPort: number;
  /** SIP over TCP on the same host and port as UDP (HABLA_SIP_TCP, default true). */
  sipTcp: boolean;
  /** The host or IP trunks reach us at, for Contact/Via/SDP when behind NAT; unset: the bound address. */
  sipPublicHost: string | undefined;
  /** Inclusive range of UDP ports RTP media may use. */
  rtpPortMin: number;
  rtpPortMax: number;
  /** How long an outbound call may ring before it counts as not answered. */
  ringTimeoutSeconds: number;
  /** Calls are hung up after this long, whatever happens in them. */
  maxCallDurationSeconds: number;
  /** An answered call whose peer sends no RTP/RTCP for this long ends with media_timeout. */
  mediaTimeoutSeconds: number;
  /** Threads that run calls' RTP (0: on the main thread). Default: one per core, 1 to 4. */
  mediaWorkers: number;
  /** How media threads are scheduled: realtime (SCHED_FIFO), high (nice -10) or normal. */
  mediaPriority: 'realtime' | 'high' | 'normal';
  /** Names this process in the calls it drives (crash recovery); unset: kept in the data directory. */
  instanceId: string | undefined;
  /** Lets webhook deliveries reach loopback, link-local and private addresses (off: SSRF guard). */
  webhookAllowPrivateNetworks: boolean;
  /** Delivered webhook events (and their attempts) are deleted this many days after delivery; 0: at the next sweep. */
  webhookRetentionDays: number;
  /** OTLP/HTTP traces URL (…/v1/traces) call spans are also exported to; unset: traces stay in the database only. */
  otlpTracesUrl: string | undefined;
  /** `service.name` of the spans Habla produces. */
  otelServiceName: string;
  /** The language model the voice agent talks with. */
  llm: LlmConfig;
  /** Speech engines besides espeak-ng (always available): ElevenLabs, an OpenAI-compatible server. */
  tts: TtsConfig;
  /** The speech recogniser that hears the caller (scripted, Deepgram, an OpenAI-compatible server). */
  stt: SttConfig;
  /**
   * What talks on answered calls: `agent` (the real-time voice agent) or `greeting` (speaks the
   * greeting only). Default: `agent` when a real LLM is configured, else `greeting`.
   */
  agentMode: 'greeting' | 'agent';
}

/** One OpenAI-compatible chat-completions server. */
export interface LlmEndpointConfig {
  /** Up to and including the API version: `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Never logged: the logger redacts `apiKey` fields. */
  apiKey: string | undefined;
  model: string;
}

export type LlmConfig =
  | { provider: 'scripted' }
  | { provider: 'openai'; primary: LlmEndpointConfig; fallback: LlmEndpointConfig | undefined; firstTokenTimeoutMs: number };

export type { ElevenLabsConfig, OpenAiTtsConfig, TtsConfig } from './tts.ts';
export type { SttConfig } from './stt.ts';

export class ConfigError extends Error {}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(nonEmpty(env.HABLA_DATA_DIR) ?? './data');
  return {
    port: parsePort(env.PORT, 'PORT', 3000),
    host: nonEmpty(env.HOST) ?? '0.0.0.0',
    dataDir,
    databaseUrl: parseDatabaseUrl(nonEmpty(env.DATABASE_URL), dataDir),
    adminApiKey: parseAdminKey(nonEmpty(env.HABLA_ADMIN_API_KEY)),
    secretKey: nonEmpty(env.HABLA_SECRET_KEY),
    logLevel: parseLogLevel(nonEmpty(env.LOG_LEVEL)),
    publicUrl: parsePublicUrl(nonEmpty(env.HABLA_PUBLIC_URL)),
    sipHost: nonEmpty(env.HABLA_SIP_HOST) ?? '0.0.0.0',
    sipPort: parsePort(env.HABLA_SIP_PORT, 'HABLA_SIP_PORT', 5060),
    sipPublicHost: nonEmpty(env.HABLA_SIP_PUBLIC_HOST),
    sipTcp: env.HABLA_SIP_TCP === undefined || env.HABLA_SIP_TCP.trim() === '' ? true : parseBool(env.HABLA_SIP_TCP, 'HABLA_SIP_TCP'),
    ...parseRtpPorts(env),
    ringTimeoutSeconds: parsePositiveInt(env.HABLA_RING_TIMEOUT_S, 'HABLA_RING_TIMEOUT_S', 60),
    maxCallDurationSeconds: parsePositiveInt(env.HABLA_MAX_CALL_DURATION_S, 'HABLA_MAX_CALL_DURATION_S', 14_400),
    mediaTimeoutSeconds: parsePositiveInt(env.HABLA_MEDIA_TIMEOUT_S, 'HABLA_MEDIA_TIMEOUT_S', 30),
    mediaWorkers: parseMediaWorkers(env.HABLA_MEDIA_WORKERS),
    mediaPriority: parseMediaPriority(env.HABLA_MEDIA_PRIORITY),
    instanceId: parseInstanceId(nonEmpty(env.HABLA_INSTANCE_ID)),
    webhookAllowPrivateNetworks: parseBool(env.HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS, 'HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS'),
    webhookRetentionDays: parseWholeNumber(env.HABLA_WEBHOOK_RETENTION_DAYS, 'HABLA_WEBHOOK_RETENTION_DAYS', 30, 'days'),
    otlpTracesUrl: parseOtlpTracesUrl(env),
    otelServiceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? 'habla',
    llm: parseLlm(env),
    tts: parseTts(env),
    stt: parseStt(env),
    agentMode: parseAgentMode(env),
  };
}

/**
 * The scripted LLM is the offline demo: a call on it would answer anything with canned lines
 * (and the scripted STT hears canned lines too), so it runs only when asked for explicitly.
 */
function parseAgentMode(env: Env): 'greeting' | 'agent' {
  const raw = nonEmpty(env.HABLA_AGENT_MODE)?.toLowerCase();
  if (raw === undefined) return nonEmpty(env.HABLA_LLM_PROVIDER)?.toLowerCase() === 'openai' ? 'agent' : 'greeting';
  if (raw !== 'greeting' && raw !== 'agent') throw new ConfigError(`HABLA_AGENT_MODE must be greeting or agent, got "${env.HABLA_AGENT_MODE}"`);
  return raw;
}

/**
 * The standard OpenTelemetry variables: the signal-specific endpoint is used as given, the
 * general one gets `/v1/traces` appended (OTLP exporter specification). Habla's exporter speaks
 * OTLP over HTTP with JSON bodies only, so another protocol is a configuration error rather
 * than an exporter that silently fails.
 */
function parseOtlpTracesUrl(env: Env): string | undefined {
  const protocol = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL);
  if (protocol !== undefined && protocol !== 'http/json') {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL: Habla exports traces as OTLP over HTTP with JSON (http/json), got "${protocol}"`);
  }
  const specific = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (specific !== undefined) return parseHttpUrl(specific, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const general = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (general === undefined) return undefined;
  return `${parseHttpUrl(general, 'OTEL_EXPORTER_OTLP_ENDPOINT').replace(/\/+$/, '')}/v1/traces`;
}

function parseHttpUrl(raw: string, name: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  return raw;
}

function parseInstanceId(raw: string | undefined): string | undefined {
  if (raw !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(raw)) {
    throw new ConfigError(`HABLA_INSTANCE_ID must be 1-64 letters, digits, '.', '_' or '-', got "${raw}"`);
  }
  return raw;
}

function parsePublicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`HABLA_PUBLIC_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`HABLA_PUBLIC_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function parseRtpPorts(env: Env): { rtpPortMin: number; rtpPortMax: number } {
  const rtpPortMin = parsePort(env.HABLA_RTP_PORT_MIN, 'HABLA_RTP_PORT_MIN', 10_000);
  const rtpPortMax = parsePort(env.HABLA_RTP_PORT_MAX, 'HABLA_RTP_PORT_MAX', 20_000);
  // Port 0 would mean "any port", which a firewall rule cannot express: media needs a real range.
  if (rtpPortMin < 1) throw new ConfigError(`HABLA_RTP_PORT_MIN must be between 1 and 65535, got "${rtpPortMin}"`);
  if (rtpPortMin > rtpPortMax) {
    throw new ConfigError(`HABLA_RTP_PORT_MIN (${rtpPortMin}) must not be greater than HABLA_RTP_PORT_MAX (${rtpPortMax})`);
  }
  return { rtpPortMin, rtpPortMax };
}

function parsePositiveInt(raw: string | undefined, name: string, fallback: number): number {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(number) || number < 1) {
    throw new ConfigError(`${name} must be a whole number of seconds greater than 0, got "${value}"`);
  }
  return number;
}

function parseMediaPriority(raw: string | undefined): 'realtime' | 'high' | 'normal' {
  const value = nonEmpty(raw)?.toLowerCase() ?? 'realtime';
  if (value === 'realtime' || value === 'high' || value === 'normal') return value;
  throw new ConfigError(`HABLA_MEDIA_PRIORITY must be realtime, high or normal, got "${raw}"`);
}

/**
 * A media thread per core: two threads at 150 calls each pause half as long for garbage
 * collection as one at 300 (measured: send jitter p99 10 ms vs 20 ms at 300 calls on 2 cores).
 */
function parseMediaWorkers(raw: string | undefined): number {
  const fallback = Math.max(1, Math.min(4, availableParallelism()));
  const workers = parseWholeNumber(raw, 'HABLA_MEDIA_WORKERS', fallback, 'threads');
  if (workers > 64) throw new ConfigError(`HABLA_MEDIA_WORKERS must be at most 64, got "${workers}"`);
  return workers;
}

/** 0 is legal (unlike parsePositiveInt). */
function parseWholeNumber(raw: string | undefined, name: string, fallback: number, unit: string): number {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(number)) {
    throw new ConfigError(`${name} must be a whole number of ${unit} (0 or more), got "${value}"`);
  }
  return number;
}

function parseBool(raw: string | undefined, name: string): boolean {
  const value = nonEmpty(raw)?.toLowerCase();
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parsePort(raw: string | undefined, name: string, fallback: number): number {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be an integer between 0 and 65535, got "${value}"`);
  }
  return port;
}

function parseDatabaseUrl(raw: string | undefined, dataDir: string): string {
  if (raw === undefined) return `sqlite:${path.join(dataDir, 'habla.sqlite')}`;
  if (/^postgres(ql)?:\/\//.test(raw)) return raw;
  if (raw.startsWith('sqlite:')) return raw;
  throw new ConfigError('DATABASE_URL must be a postgres:// URL or sqlite:<path>');
}

function parseAdminKey(raw: string | undefined): string | undefined {
  if (raw !== undefined && raw.length < 16) {
    throw new ConfigError('HABLA_ADMIN_API_KEY must be at least 16 characters long');
  }
  return raw;
}

function parseLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined) return 'info';
  const level = raw.toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return level;
}

const OPENAI_ONLY_LLM_VARS = [
  'HABLA_LLM_BASE_URL', 'HABLA_LLM_API_KEY', 'HABLA_LLM_MODEL', 'HABLA_LLM_FIRST_TOKEN_TIMEOUT_MS',
  'HABLA_LLM_FALLBACK_BASE_URL', 'HABLA_LLM_FALLBACK_API_KEY', 'HABLA_LLM_FALLBACK_MODEL',
];

function parseLlm(env: Env): LlmConfig {
  const provider = nonEmpty(env.HABLA_LLM_PROVIDER)?.toLowerCase() ?? 'scripted';
  if (provider === 'scripted') {
    const stray = OPENAI_ONLY_LLM_VARS.find((name) => nonEmpty(env[name]) !== undefined);
    if (stray) throw new ConfigError(`${stray} is set but HABLA_LLM_PROVIDER is scripted; set HABLA_LLM_PROVIDER=openai to use it`);
    return { provider: 'scripted' };
  }
  if (provider !== 'openai') throw new ConfigError(`HABLA_LLM_PROVIDER must be scripted or openai, got "${env.HABLA_LLM_PROVIDER}"`);
  const primary = parseLlmEndpoint(env, 'HABLA_LLM', undefined);
  const wantsFallback = OPENAI_ONLY_LLM_VARS.some((name) => name.startsWith('HABLA_LLM_FALLBACK_') && nonEmpty(env[name]) !== undefined);
  const firstTokenTimeoutMs = parseWholeNumber(env.HABLA_LLM_FIRST_TOKEN_TIMEOUT_MS, 'HABLA_LLM_FIRST_TOKEN_TIMEOUT_MS', 5000, 'milliseconds');
  if (firstTokenTimeoutMs < 1) throw new ConfigError('HABLA_LLM_FIRST_TOKEN_TIMEOUT_MS must be greater than 0');
  return {
    provider: 'openai',
    primary,
    fallback: wantsFallback ? parseLlmEndpoint(env, 'HABLA_LLM_FALLBACK', primary) : undefined,
    firstTokenTimeoutMs,
  };
}

/** The fallback's URL defaults to the primary's, and so does its key, but only on the same origin. */
function parseLlmEndpoint(env: Env, prefix: string, primary: LlmEndpointConfig | undefined): LlmEndpointConfig {
  const rawUrl = nonEmpty(env[`${prefix}_BASE_URL`]);
  const baseUrl = rawUrl !== undefined ? parseLlmBaseUrl(rawUrl, `${prefix}_BASE_URL`) : primary?.baseUrl ?? 'https://api.openai.com/v1';
  const model = nonEmpty(env[`${prefix}_MODEL`]);
  if (model === undefined) {
    const when = primary ? 'for a fallback LLM' : 'with HABLA_LLM_PROVIDER=openai';
    throw new ConfigError(`${prefix}_MODEL is required ${when} (e.g. gpt-4o-mini, llama3.1:8b)`);
  }
  const sameOrigin = primary !== undefined && new URL(primary.baseUrl).origin === new URL(baseUrl).origin;
  const apiKey = nonEmpty(env[`${prefix}_API_KEY`]) ?? (sameOrigin ? primary.apiKey : undefined);
  if (apiKey === undefined && new URL(baseUrl).hostname === 'api.openai.com') {
    throw new ConfigError(`${prefix}_API_KEY is required for api.openai.com (local servers such as Ollama need none)`);
  }
  return { baseUrl, apiKey, model };
}

function parseLlmBaseUrl(raw: string, name: string): string {
  const url = new URL(parseHttpUrl(raw, name));
  // A key inside the URL would end up in logs and error messages; it has its own variable.
  if (url.username || url.password) throw new ConfigError(`${name} must not contain credentials; use the matching _API_KEY variable`);
  return raw.replace(/\/+$/, '');
}
