import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/index.ts';

// Personal data (numbers, transcripts, prompts, keys) may only travel in structured fields,
// and these are the fields the logger censors wherever they appear.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  '*.authorization',
  '*.headers.authorization',
  // Provider credentials (config.llm.primary.apiKey and the like), at any depth they are logged from.
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  '*.*.*.apiKey',
  '*.password',
  '*.to_number',
  '*.from_number',
  '*.number',
  '*.phone_number',
  '*.caller',
  '*.callee',
  '*.transcript',
  '*.prompt',
  '*.content',
  '*.value',
  'to_number',
  'from_number',
  'number',
  'phone_number',
  'caller',
  'callee',
  'transcript',
  'prompt',
  'content',
];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
