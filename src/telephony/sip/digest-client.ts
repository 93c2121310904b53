/**
 * UAC side of digest authentication: read the challenge in a 401/407 and build the
 * Authorization / Proxy-Authorization header value for the retried request.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { computeDigestResponse, formatNonceCount, toDigestAlgorithm, type DigestAlgorithm, type DigestQop } from './digest.ts';
import { formatAuthHeader, parseAuthHeader } from './digest-params.ts';
import { getHeaders, type SipResponse } from './message.ts';
import { fail, ok, type Result, type SipError } from './result.ts';

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly algorithm: DigestAlgorithm;
  /** Supported qop options offered, in the server's order; empty when the server sent none. */
  readonly qop: readonly DigestQop[];
  /** The previous answer used a stale nonce: retry with the new one without asking for a new password. */
  readonly stale: boolean;
  readonly domain?: string;
}

export function parseChallenge(value: string): Result<DigestChallenge> {
  const parsed = parseAuthHeader(value);
  if (!parsed.ok) return parsed;
  const { scheme, params } = parsed.value;
  if (scheme.toLowerCase() !== 'digest') return fail('unsupported_algorithm', `scheme ${scheme} is not Digest`);
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) return fail('bad_value', 'challenge without realm or nonce');
  const algorithm = toDigestAlgorithm(params.get('algorithm') ?? 'MD5');
  if (!algorithm) return fail('unsupported_algorithm', `algorithm ${params.get('algorithm')} is not supported`);
  const offered = params.get('qop');
  const qop = (offered ?? '').split(',').map((q) => q.trim().toLowerCase())
    .filter((q): q is DigestQop => q === 'auth' || q === 'auth-int');
  if (offered !== undefined && qop.length === 0) return fail('unsupported_qop', `qop ${offered} is not supported`);
  return ok({
    realm, nonce, algorithm, qop,
    opaque: params.get('opaque'),
    stale: params.get('stale')?.toLowerCase() === 'true',
    domain: params.get('domain'),
  });
}

/**
 * The first challenge we can answer, in header order: RFC 8760 §2.4 has the server list
 * its preferred algorithm first and the client use the topmost one it supports.
 */
export function chooseChallenge(values: readonly string[]): Result<DigestChallenge> {
  let firstError: SipError | undefined;
  for (const value of values) {
    const c = parseChallenge(value);
    if (c.ok) return c;
    firstError ??= c.error;
  }
  return { ok: false, error: firstError ?? { code: 'missing_header', message: 'no challenge' } };
}

/** The challenge of a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) and the header to answer with. */
export function challengeFromResponse(
  response: SipResponse,
): Result<{ challenge: DigestChallenge; answerHeader: 'Authorization' | 'Proxy-Authorization' }> {
  if (response.status !== 401 && response.status !== 407) return fail('bad_value', 'not a 401/407 response');
  const proxy = response.status === 407;
  const chosen = chooseChallenge(getHeaders(response, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'));
  if (!chosen.ok) return chosen;
  return ok({ challenge: chosen.value, answerHeader: proxy ? 'Proxy-Authorization' : 'Authorization' });
}

export interface DigestAnswerInput {
  readonly challenge: DigestChallenge;
  readonly username: string;
  readonly password: string;
  readonly method: string;
  /** The Request-URI of the request being retried. */
  readonly uri: string;
  /** Request body, for qop=auth-int. */
  readonly body?: Uint8Array | string;
  /** How many times this nonce has been used, this one included (default 1). */
  readonly nonceCount?: number;
  /** Fixed cnonce for tests; otherwise drawn from `randomBytes`. */
  readonly cnonce?: string;
  readonly randomBytes?: (size: number) => Uint8Array;
}

export interface DigestAnswer {
  /** Value of the Authorization / Proxy-Authorization header. */
  readonly header: string;
  readonly response: string;
  readonly qop?: DigestQop;
  readonly cnonce?: string;
  readonly nc?: string;
}

const QUOTED = new Set(['username', 'realm', 'nonce', 'uri', 'response', 'cnonce', 'opaque']);

export function answerChallenge(input: DigestAnswerInput): DigestAnswer {
  const { challenge } = input;
  // Prefer auth over auth-int: it does not depend on the body, which proxies may alter.
  const qop = challenge.qop.includes('auth') ? 'auth' : challenge.qop[0];
  const needsCnonce = qop !== undefined || challenge.algorithm.endsWith('-sess');
  const cnonce = needsCnonce
    ? (input.cnonce ?? Buffer.from((input.randomBytes ?? cryptoRandomBytes)(12)).toString('hex'))
    : undefined;
  const nc = qop !== undefined ? formatNonceCount(input.nonceCount ?? 1) : undefined;
  const response = computeDigestResponse({
    algorithm: challenge.algorithm, username: input.username, password: input.password, realm: challenge.realm,
    nonce: challenge.nonce, method: input.method, uri: input.uri, qop, nc, cnonce, body: input.body,
  });
  const params: [string, string][] = [
    ['username', input.username], ['realm', challenge.realm], ['nonce', challenge.nonce], ['uri', input.uri],
    ['response', response], ['algorithm', challenge.algorithm],
  ];
  if (cnonce !== undefined) params.push(['cnonce', cnonce]);
  if (challenge.opaque !== undefined) params.push(['opaque', challenge.opaque]);
  if (qop !== undefined && nc !== undefined) params.push(['qop', qop], ['nc', nc]);
  return { header: formatAuthHeader('Digest', params, QUOTED), response, qop, cnonce, nc };
}
