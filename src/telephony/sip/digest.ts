/**
 * Digest computation shared by the client (answering 401/407) and the verifier:
 * RFC 2617 / RFC 7616 hashing, with the algorithms SIP uses (RFC 3261 §22.4, RFC 8760).
 */
import { createHash } from 'node:crypto';

export const DIGEST_ALGORITHMS = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];
export type DigestQop = 'auth' | 'auth-int';

/** Case-insensitive match against the algorithms we implement; undefined otherwise. */
export function toDigestAlgorithm(name: string): DigestAlgorithm | undefined {
  return DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === name.toLowerCase());
}

export interface DigestInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly realm: string;
  /** Either the password, or the stored H(username:realm:password) a registrar keeps instead. */
  readonly password?: string;
  readonly ha1?: string;
  readonly nonce: string;
  readonly method: string;
  /** The digest-uri: in SIP, the Request-URI. */
  readonly uri: string;
  readonly qop?: DigestQop;
  /** 8 hex digits, e.g. `00000001`; required with qop. */
  readonly nc?: string;
  /** Required with qop and with the -sess algorithms. */
  readonly cnonce?: string;
  /** Needed for qop=auth-int only. */
  readonly body?: Uint8Array | string;
}

function hasher(algorithm: DigestAlgorithm): (data: string | Uint8Array) => string {
  const name = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  return (data) => createHash(name).update(data).digest('hex');
}

/** H(username:realm:password): what a registrar may store instead of the password. */
export function digestHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return hasher(algorithm)(`${username}:${realm}:${password}`);
}

/** The `response` value (lowercase hex) for the given inputs. */
export function computeDigestResponse(input: DigestInput): string {
  const H = hasher(input.algorithm);
  let ha1 = input.ha1 ?? digestHa1(input.algorithm, input.username, input.realm, input.password ?? '');
  if (input.algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  const ha2 = input.qop === 'auth-int'
    ? H(`${input.method}:${input.uri}:${H(input.body ?? '')}`)
    : H(`${input.method}:${input.uri}`);
  if (input.qop === undefined) return H(`${ha1}:${input.nonce}:${ha2}`); // RFC 2069 compatibility
  return H(`${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`);
}

export function formatNonceCount(count: number): string {
  return (count >>> 0).toString(16).padStart(8, '0');
}
