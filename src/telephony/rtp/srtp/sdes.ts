import { randomBytes } from 'node:crypto';
import { MASTER_KEY_LENGTH, MASTER_SALT_LENGTH } from './key-derivation.ts';
import type { MasterKey } from './srtp-context.ts';

/** The only suite we offer and accept (RFC 4568 §6.2.1). */
export const SRTP_SUITE = 'AES_CM_128_HMAC_SHA1_80';

export type SdesResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** An `a=crypto` attribute value: `<tag> <suite> <key-params> [<session-params>]`. */
export interface CryptoAttribute {
  tag: number;
  suite: string;
  key: MasterKey;
  /** The `|lifetime` of the key, when given (as written: `2^31` or a decimal). */
  lifetime?: string;
  sessionParams: string[];
}

const KEY_MATERIAL_LENGTH = MASTER_KEY_LENGTH + MASTER_SALT_LENGTH; // 30 bytes, 40 base64 chars
const BASE64 = /^[A-Za-z0-9+/]{40}$/;

/**
 * Parses `inline:<base64 key||salt>[|lifetime][|MKI:length]`. An MKI is refused: we would
 * have to add it to every packet and keep several keys live, and trunks do not need it.
 */
export function parseInlineKey(keyParams: string): SdesResult<{ key: MasterKey; lifetime?: string }> {
  if (!keyParams.startsWith('inline:')) return { ok: false, error: 'key method must be inline' };
  const [material, ...extras] = keyParams.slice('inline:'.length).split('|');
  if (!BASE64.test(material)) return { ok: false, error: 'key material must be 30 bytes of base64' };
  const raw = Buffer.from(material, 'base64');
  if (raw.length !== KEY_MATERIAL_LENGTH) return { ok: false, error: 'key material must be 30 bytes' };
  if (extras.length > 2 || extras.some((extra) => extra.includes(':'))) {
    return { ok: false, error: 'MKI is not supported' };
  }
  const [lifetime] = extras;
  if (extras.length === 2 || (lifetime !== undefined && !/^(2\^\d{1,2}|\d{1,15})$/.test(lifetime))) {
    return { ok: false, error: 'bad key lifetime' };
  }
  const key = { masterKey: raw.subarray(0, MASTER_KEY_LENGTH), masterSalt: raw.subarray(MASTER_KEY_LENGTH) };
  return { ok: true, value: lifetime === undefined ? { key } : { key, lifetime } };
}

export function formatInlineKey(key: MasterKey): string {
  return `inline:${Buffer.concat([key.masterKey, key.masterSalt]).toString('base64')}`;
}

/**
 * Parses the value of an `a=crypto:` attribute (without the `a=crypto:` prefix). Only one
 * key-param is accepted; session parameters that change the transform (KDR, UNENCRYPTED_*,
 * FEC_ORDER...) are refused because this implementation cannot honour them.
 */
export function parseCryptoAttribute(value: string): SdesResult<CryptoAttribute> {
  const parts = value.trim().split(/\s+/);
  if (parts.length < 3) return { ok: false, error: 'crypto attribute needs tag, suite and key' };
  const [tagText, suite, keyParams, ...sessionParams] = parts;
  if (!/^\d{1,9}$/.test(tagText)) return { ok: false, error: 'bad crypto tag' };
  if (suite !== SRTP_SUITE) return { ok: false, error: `unsupported suite ${suite}` };
  if (keyParams.includes(';')) return { ok: false, error: 'multiple keys are not supported' };
  if (sessionParams.length > 0) return { ok: false, error: `unsupported session parameters ${sessionParams.join(' ')}` };
  const parsed = parseInlineKey(keyParams);
  if (!parsed.ok) return parsed;
  return { ok: true, value: { tag: Number(tagText), suite, ...parsed.value, sessionParams } };
}

export function formatCryptoAttribute(tag: number, key: MasterKey): string {
  return `${tag} ${SRTP_SUITE} ${formatInlineKey(key)}`;
}

/** Fresh master key and salt; randomness is injectable so tests are deterministic. */
export function generateMasterKey(random: (size: number) => Buffer = randomBytes): MasterKey {
  const raw = random(KEY_MATERIAL_LENGTH);
  if (raw.length !== KEY_MATERIAL_LENGTH) throw new RangeError('random source returned the wrong length');
  return { masterKey: Buffer.from(raw.subarray(0, MASTER_KEY_LENGTH)), masterSalt: Buffer.from(raw.subarray(MASTER_KEY_LENGTH)) };
}
