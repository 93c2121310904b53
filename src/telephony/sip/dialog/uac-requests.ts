/**
 * Requests a UAC sends outside a dialog: the initial INVITE (§8.1.1) and the CANCEL for it
 * (§9.1). The Via is a placeholder: the caller supplies the branch the client transaction
 * will be keyed by, and the transport may rewrite sent-by.
 */
import { getCSeq } from '../accessors.ts';
import { getHeaders, type SipHeader, type SipRequest } from '../message.ts';
import { isToken } from '../syntax.ts';
import { parseCallId } from '../typed-headers.ts';
import { parseUri, type SipUri } from '../uri.ts';
import { fail, fromSip, ok, type Result } from './errors.ts';
import { formatParty, formatVia, routeValue, safeText, withTag, type PartyInput, type ViaInput } from './headers.ts';

/**
 * What Habla implements; advertised so peers do not send UPDATE, REFER or PRACK we would refuse.
 * NOTIFY: the refer subscription's reports while we transfer a call (RFC 3515).
 */
export const DEFAULT_ALLOW: readonly string[] = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'NOTIFY'];
export const MAX_FORWARDS = '70';
const MAX_CSEQ = 2 ** 31 - 1;

export interface InviteInput {
  readonly requestUri: string;
  readonly from: PartyInput;
  readonly fromTag: string;
  readonly to: PartyInput;
  readonly callId: string;
  /** Initial CSeq number (default 1); below 2**31 (§8.1.1.5). */
  readonly cseq?: number;
  readonly via: ViaInput;
  /** Our Contact URI: where the peer sends requests in the dialog. */
  readonly contact: string;
  /** A pre-loaded route (an outbound proxy), in the order the request visits it. */
  readonly routes?: readonly string[];
  readonly sdp?: string | Buffer;
  readonly allow?: readonly string[];
  readonly supported?: readonly string[];
  readonly userAgent?: string;
  /** Extra headers (P-Asserted-Identity…), written before Content-Type. */
  readonly headers?: readonly SipHeader[];
}

function checkUri(text: string, what: string): Result<SipUri> {
  const uri = parseUri(text);
  if (!safeText(text) || /[\s<>]/.test(text) || !uri.ok) return fail('bad_input', `bad ${what} URI`);
  return ok(uri.value);
}

function checkInvite(input: InviteInput): Result<{ from: string; to: string; via: string }> {
  const cseq = input.cseq ?? 1;
  if (!Number.isInteger(cseq) || cseq < 0 || cseq > MAX_CSEQ) return fail('bad_input', 'CSeq out of range');
  if (!parseCallId(input.callId).ok) return fail('bad_input', 'bad Call-ID');
  if (!isToken(input.fromTag)) return fail('bad_input', 'From tag must be a token');
  for (const [text, what] of [[input.requestUri, 'Request-URI'], [input.contact, 'Contact'], ...(input.routes ?? []).map((r) => [r, 'Route'])]) {
    const checked = checkUri(text, what);
    if (!checked.ok) return checked;
  }
  const ruri = checkUri(input.requestUri, 'Request-URI');
  if (ruri.ok && ruri.value.headers.size > 0) return fail('bad_input', 'Request-URI cannot carry headers');
  const tokens = [...(input.allow ?? []), ...(input.supported ?? [])];
  if (!tokens.every(isToken)) return fail('bad_input', 'Allow/Supported values must be tokens');
  if (input.userAgent !== undefined && !safeText(input.userAgent)) return fail('bad_input', 'bad User-Agent');
  if ((input.headers ?? []).some((h) => !isToken(h.name) || !safeText(h.value))) return fail('bad_input', 'bad extra header');
  const from = formatParty(input.from);
  const to = formatParty(input.to);
  const via = formatVia(input.via);
  if (!from.ok) return from;
  if (!to.ok) return to;
  if (!via.ok) return via;
  return ok({ from: from.value, to: to.value, via: via.value });
}

export function buildInvite(input: InviteInput): Result<SipRequest> {
  const checked = checkInvite(input);
  if (!checked.ok) return checked;
  const body = input.sdp === undefined ? Buffer.alloc(0) : Buffer.from(input.sdp);
  const headers: SipHeader[] = [
    { name: 'Via', value: checked.value.via },
    { name: 'Max-Forwards', value: MAX_FORWARDS },
    ...(input.routes ?? []).map((r) => ({ name: 'Route', value: routeValue(r) })),
    { name: 'From', value: withTag(checked.value.from, input.fromTag) },
    { name: 'To', value: checked.value.to },
    { name: 'Call-ID', value: input.callId },
    { name: 'CSeq', value: `${input.cseq ?? 1} INVITE` },
    { name: 'Contact', value: `<${input.contact}>` },
    { name: 'Allow', value: (input.allow ?? DEFAULT_ALLOW).join(', ') },
  ];
  if (input.supported && input.supported.length > 0) headers.push({ name: 'Supported', value: input.supported.join(', ') });
  if (input.userAgent !== undefined) headers.push({ name: 'User-Agent', value: input.userAgent });
  headers.push(...(input.headers ?? []));
  if (body.length > 0) headers.push({ name: 'Content-Type', value: 'application/sdp' });
  return ok({ kind: 'request', method: 'INVITE', uri: input.requestUri, headers, body });
}

/**
 * §9.1: CANCEL copies the INVITE's Request-URI, Call-ID, To, From, CSeq number and Route,
 * with a single Via equal to the INVITE's top Via, so it reaches the same transaction.
 */
export function buildCancel(invite: SipRequest): Result<SipRequest> {
  if (invite.method !== 'INVITE') return fail('not_dialog_creating', 'only an INVITE can be cancelled');
  const cseq = getCSeq(invite);
  if (!cseq.ok) return fromSip(cseq.error);
  const via = getHeaders(invite, 'Via')[0];
  const [from, to, callId] = ['From', 'To', 'Call-ID'].map((n) => getHeaders(invite, n)[0]);
  if (via === undefined || from === undefined || to === undefined || callId === undefined) {
    return fail('bad_message', 'INVITE lacks Via, From, To or Call-ID');
  }
  const headers: SipHeader[] = [
    { name: 'Via', value: via },
    { name: 'Max-Forwards', value: MAX_FORWARDS },
    ...getHeaders(invite, 'Route').map((value) => ({ name: 'Route', value })),
    { name: 'From', value: from },
    { name: 'To', value: to },
    { name: 'Call-ID', value: callId },
    { name: 'CSeq', value: `${cseq.value.seq} CANCEL` },
  ];
  return ok({ kind: 'request', method: 'CANCEL', uri: invite.uri, headers, body: Buffer.alloc(0) });
}
