/**
 * Checks a parsed message carries what RFC 3261 §8.1.1 makes mandatory, with values that
 * parse, so the transaction layer can match it. Messages failing this get a 400 (requests)
 * or are dropped (responses).
 */
import { getCallId, getContacts, getCSeq, getFrom, getMaxForwards, getTo, getVias } from './accessors.ts';
import { hasHeader, type SipMessage } from './message.ts';
import { fail, ok, type Result } from './result.ts';

export function validateMessage(message: SipMessage): Result<void> {
  // Contact is checked too: the dialog layer takes its remote target from it (RFC 4475 regbadct).
  for (const check of [getVias, getFrom, getTo, getCallId, getContacts]) {
    const r = check(message);
    if (!r.ok) return r;
  }
  const cseq = getCSeq(message);
  if (!cseq.ok) return cseq;
  if (hasHeader(message, 'Max-Forwards')) {
    const mf = getMaxForwards(message);
    if (!mf.ok) return mf;
  }
  // RFC 4475 mismatch01/02: the CSeq method must be the request's own method.
  if (message.kind === 'request' && cseq.value.method !== message.method) {
    return fail('mismatch', `CSeq method ${cseq.value.method} differs from request method ${message.method}`);
  }
  return ok(undefined);
}
