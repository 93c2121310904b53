import { randomBytes } from 'node:crypto';

// Ids are UUIDv7 (RFC 9562): a millisecond timestamp first, then randomness. Lists are
// ordered by (created, id), so rows created in the same millisecond still come back in the
// order they were made, and new rows land at the end of the primary-key index.

let lastMs = 0;
let sequence = 0;

export function newId(clock: () => number = Date.now): string {
  let ms = clock();
  if (ms <= lastMs) {
    // Same (or an earlier) millisecond: count up in the 12-bit rand_a field; on overflow,
    // borrow the next millisecond so ids stay strictly increasing within this process.
    ms = lastMs;
    sequence++;
    if (sequence > 0xfff) {
      ms = ++lastMs;
      sequence = 0;
    }
  } else {
    sequence = randomBytes(2).readUInt16BE(0) & 0x3ff; // leave headroom for the counter
  }
  lastMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Timestamps are stored and returned as ISO-8601 UTC strings with milliseconds. */
export function nowIso(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString();
}
