/**
 * Verifier side of digest authentication: issue a challenge and check an answer. Nonce
 * generation, expiry and nonce-count replay tracking belong to the caller (a registrar or
 * a test UAS), which knows its clock and storage.
 */
import { timingSafeEqual } from 'node:crypto';
import { computeDigestResponse, toDigestAlgorithm, type DigestAlgorithm, type DigestQop } from './digest.ts';
import { formatAuthHeader, parseAuthHeader } from './digest-params.ts';
import { fail, ok, type Result } from './result.ts';

export interface DigestAuthorization {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop?: DigestQop;
  readonly nc?: string;
  readonly cnonce?: string;
  readonly opaque?: string;
}

export function parseAuthorization(value: string): Result<DigestAuthorization> {
  const parsed = parseAuthHeader(value);
  if (!parsed.ok) return parsed;
  const { scheme, params } = parsed.value;
  if (scheme.toLowerCase() !== 'digest') return fail('unsupported_algorithm', `scheme ${scheme} is not Digest`);
  const [username, realm, nonce, uri, response] = ['username', 'realm', 'nonce', 'uri', 'response'].map((n) => params.get(n));
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) {
    return fail('bad_value', 'credentials lack username, realm, nonce, uri or response');
  }
  const algorithm = toDigestAlgorithm(params.get('algorithm') ?? 'MD5');
  if (!algorithm) return fail('unsupported_algorithm', `algorithm ${params.get('algorithm')} is not supported`);
  const qopRaw = params.get('qop')?.toLowerCase();
  if (qopRaw !== undefined && qopRaw !== 'auth' && qopRaw !== 'auth-int') return fail('unsupported_qop', `qop ${qopRaw}`);
  const nc = params.get('nc');
  const cnonce = params.get('cnonce');
  if (qopRaw !== undefined && (nc === undefined || !/^[0-9a-fA-F]{8}$/.test(nc) || cnonce === undefined)) {
    return fail('bad_value', 'qop requires nc (8 hex digits) and cnonce');
  }
  return ok({ username, realm, nonce, uri, response, algorithm, qop: qopRaw, nc, cnonce, opaque: params.get('opaque') });
}

export interface VerifyInput {
  readonly authorization: DigestAuthorization;
  readonly method: string;
  /** The password, or the stored H(username:realm:password) for the credential's algorithm. */
  readonly password?: string;
  readonly ha1?: string;
  readonly body?: Uint8Array | string;
}

/** The response a correct client would have sent for these credentials. */
export function expectedResponse(input: VerifyInput): string {
  const a = input.authorization;
  return computeDigestResponse({
    algorithm: a.algorithm, username: a.username, realm: a.realm, password: input.password, ha1: input.ha1,
    nonce: a.nonce, method: input.method, uri: a.uri, qop: a.qop, nc: a.nc, cnonce: a.cnonce, body: input.body,
  });
}

/** Constant-time comparison of the client's response with the expected one. */
export function verifyAuthorization(input: VerifyInput): boolean {
  const expected = Buffer.from(expectedResponse(input), 'latin1');
  const actual = Buffer.from(input.authorization.response.toLowerCase(), 'latin1');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface ChallengeInput {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly algorithm?: DigestAlgorithm;
  readonly qop?: readonly DigestQop[];
  readonly stale?: boolean;
}

/** A WWW-Authenticate / Proxy-Authenticate value. */
export function buildChallenge(input: ChallengeInput): string {
  const params: [string, string][] = [['realm', input.realm], ['nonce', input.nonce]];
  if (input.opaque !== undefined) params.push(['opaque', input.opaque]);
  params.push(['algorithm', input.algorithm ?? 'MD5']);
  const qop = input.qop ?? ['auth'];
  if (qop.length > 0) params.push(['qop', qop.join(',')]);
  if (input.stale) params.push(['stale', 'TRUE']);
  return formatAuthHeader('Digest', params, new Set(['realm', 'nonce', 'opaque', 'qop']));
}
