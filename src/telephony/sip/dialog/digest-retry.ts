/**
 * Re-sending an INVITE after a 401/407 (§22.2–22.3): same Call-ID, From tag and To, CSeq + 1,
 * a new branch, and the credentials for the challenge's realm. Credentials already sent for
 * other realms stay (a proxy and a trunk may both challenge); a second challenge for a realm
 * we already answered, without `stale=true`, means the password is wrong.
 */
import { getCallId, getCSeq } from '../accessors.ts';
import { answerChallenge, challengeFromResponse } from '../digest-client.ts';
import { parseAuthHeader } from '../digest-params.ts';
import { headerKey } from '../header-names.ts';
import type { SipHeader, SipRequest, SipResponse } from '../message.ts';
import { fail, ok, type Result } from './errors.ts';
import { formatVia, safeText, type ViaInput } from './headers.ts';
import type { RandomBytes } from './ids.ts';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface AuthRetryOptions {
  /** The retry is a new transaction: a new branch. */
  readonly via: ViaInput;
  readonly cnonce?: string;
  readonly randomBytes?: RandomBytes;
}

function realmOf(value: string): string | undefined {
  const parsed = parseAuthHeader(value);
  return parsed.ok ? parsed.value.params.get('realm') : undefined;
}

export function buildAuthenticatedRequest(request: SipRequest, response: SipResponse, credentials: Credentials, options: AuthRetryOptions): Result<SipRequest> {
  const sentCSeq = getCSeq(request);
  const gotCSeq = getCSeq(response);
  const sentCallId = getCallId(request);
  const gotCallId = getCallId(response);
  if (!sentCSeq.ok || !sentCallId.ok) return fail('bad_input', 'the request to retry lacks CSeq or Call-ID');
  if (!gotCSeq.ok || !gotCallId.ok || gotCallId.value !== sentCallId.value || gotCSeq.value.seq !== sentCSeq.value.seq || gotCSeq.value.method !== request.method) {
    return fail('mismatch', 'the challenge does not answer this request');
  }
  const challenge = challengeFromResponse(response);
  if (!challenge.ok) return fail('bad_message', `unusable challenge: ${challenge.error.message}`);
  const { answerHeader } = challenge.value;
  const { realm, stale } = challenge.value.challenge;
  const previous = request.headers.filter((h) => headerKey(h.name) === headerKey(answerHeader) && realmOf(h.value) === realm);
  if (previous.length > 0 && !stale) return fail('auth_rejected', `credentials for realm ${JSON.stringify(realm)} were refused`);
  if (!safeText(credentials.username) || !safeText(credentials.password)) return fail('bad_input', 'credentials contain CR, LF or NUL');
  if (sentCSeq.value.seq >= 2 ** 31 - 1) return fail('bad_input', 'CSeq would leave the 31-bit range');
  const via = formatVia(options.via);
  if (!via.ok) return via;
  const answer = answerChallenge({
    challenge: challenge.value.challenge, username: credentials.username, password: credentials.password,
    method: request.method, uri: request.uri, body: request.body, cnonce: options.cnonce, randomBytes: options.randomBytes,
  });
  const headers: SipHeader[] = [];
  let viaWritten = false;
  for (const h of request.headers) {
    const key = headerKey(h.name);
    if (key === 'via') {
      if (!viaWritten) headers.push({ name: 'Via', value: via.value });
      viaWritten = true;
    } else if (key === 'cseq') headers.push({ name: 'CSeq', value: `${sentCSeq.value.seq + 1} ${request.method}` });
    else if (key === 'content-type' || key === 'content-length') continue;
    else if (!previous.includes(h)) headers.push(h);
  }
  headers.push({ name: answerHeader, value: answer.header });
  for (const h of request.headers) if (headerKey(h.name) === 'content-type') headers.push(h);
  return ok({ ...request, headers });
}

