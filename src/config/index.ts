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
  };
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
