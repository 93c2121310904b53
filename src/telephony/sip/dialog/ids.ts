/**
 * Fresh identifiers: tags (§19.3, ≥ 32 random bits), branches (§8.1.1.7, magic cookie) and
 * Call-IDs (§8.1.1.4). The randomness is injectable so tests and fixtures are deterministic.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';

export type RandomBytes = (size: number) => Uint8Array;

function hex(random: RandomBytes, size: number): string {
  return Buffer.from(random(size)).toString('hex');
}

export function newTag(random: RandomBytes = cryptoRandomBytes): string {
  return hex(random, 8);
}

export function newBranch(random: RandomBytes = cryptoRandomBytes): string {
  return `z9hG4bK${hex(random, 10)}`;
}

/** `host` makes the Call-ID globally unique across our instances; it is optional. */
export function newCallId(random: RandomBytes = cryptoRandomBytes, host?: string): string {
  const id = hex(random, 16);
  return host === undefined ? id : `${id}@${host}`;
}
