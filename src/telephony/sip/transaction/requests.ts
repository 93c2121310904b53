/**
 * Requests the transaction layer builds itself: the ACK for a non-2xx final response
 * (§17.1.1.3, part of the INVITE transaction) and the CANCEL of a pending INVITE (§9.1).
 * Both reuse the INVITE's top Via, so they carry its branch.
 */
import { getHeader, getHeaders, type SipHeader, type SipRequest, type SipResponse } from '../message.ts';
import { requireIdentity } from './identity.ts';

function headerList(name: string, values: readonly string[]): SipHeader[] {
  return values.map((value) => ({ name, value }));
}

function common(invite: SipRequest, method: 'ACK' | 'CANCEL', to: string | undefined): SipHeader[] {
  const { cseq } = requireIdentity(invite);
  return [
    { name: 'Via', value: getHeaders(invite, 'Via')[0] },
    ...headerList('Route', getHeaders(invite, 'Route')),
    { name: 'Max-Forwards', value: getHeader(invite, 'Max-Forwards') ?? '70' },
    ...headerList('From', getHeaders(invite, 'From')),
    ...headerList('To', to === undefined ? [] : [to]),
    ...headerList('Call-ID', getHeaders(invite, 'Call-ID')),
    { name: 'CSeq', value: `${cseq} ${method}` },
  ];
}

/** To comes from the response: it carries the tag of the UAS that refused the call. */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const to = getHeader(response, 'To') ?? getHeader(invite, 'To');
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers: common(invite, 'ACK', to), body: Buffer.alloc(0) };
}

/** Everything the server matches on is copied from the INVITE, To included (no tag from any response). */
export function buildCancel(invite: SipRequest): SipRequest {
  const to = getHeader(invite, 'To');
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, headers: common(invite, 'CANCEL', to), body: Buffer.alloc(0) };
}
