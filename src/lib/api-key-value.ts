import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'hbl_';

/** A new key value: 32 random bytes, so a plain SHA-256 is a sufficient hash at rest. */
export function generateApiKeyValue(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function lastFour(value: string): string {
  return value.slice(-4);
}
