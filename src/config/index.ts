// The only module that reads process.env. Everything else receives a Config.
import path from 'node:path';

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
  /** The host or IP trunks reach us at, for Contact/Via/SDP when behind NAT; unset: the bound address. */
  sipPublicHost: string | undefined;
  /** Inclusive range of UDP ports RTP media may use. */
  rtpPortMin: number;
  rtpPortMax: number;
  /** How long an outbound call may ring before it counts as not answered. */
  ringTimeoutSeconds: number;
  /** Calls are hung up after this long, whatever happens in them. */
  maxCallDurationSeconds: number;
  /** Lets webhook deliveries reach loopback, link-local and private addresses (off: SSRF guard). */
  webhookAllowPrivateNetworks: boolean;
}

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
    ...parseRtpPorts(env),
    ringTimeoutSeconds: parsePositiveInt(env.HABLA_RING_TIMEOUT_S, 'HABLA_RING_TIMEOUT_S', 60),
    maxCallDurationSeconds: parsePositiveInt(env.HABLA_MAX_CALL_DURATION_S, 'HABLA_MAX_CALL_DURATION_S', 14_400),
    webhookAllowPrivateNetworks: parseBool(env.HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS, 'HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS'),
  };
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
