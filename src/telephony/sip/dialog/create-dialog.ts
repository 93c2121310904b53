/**
 * Dialog creation (§12.1): by the UAC from a 101–299 response carrying a To tag, by the UAS
 * from an INVITE it answers. Both read only headers the message layer has already parsed;
 * anything missing or malformed is an error result, never an exception.
 */
import { getCallId, getContacts, getCSeq, getFrom, getRecordRoutes, getTo, getTopVia } from '../accessors.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message.ts';
import { isToken, quote } from '../syntax.ts';
import type { NameAddr } from '../typed-headers.ts';
import { parseUri } from '../uri.ts';
import type { Dialog } from './dialog.ts';
import { fail, fromSip, ok, type Result } from './errors.ts';
import { safeText } from './headers.ts';
import { newTag, type RandomBytes } from './ids.ts';

/** A party as our requests write it: display name and URI, without the tag or other parameters. */
export function partyOf(addr: NameAddr): string {
  const name = addr.displayName === undefined ? '' : `${quote(addr.displayName)} `;
  return `${name}<${addr.uriText}>`;
}

/** The first Contact URI: the remote target (§12.1.1). tel: and `*` cannot be targets. */
export function contactTarget(message: SipMessage, status = 400): Result<string> {
  const contacts = getContacts(message);
  if (!contacts.ok) return fromSip(contacts.error, status);
  if (contacts.value === '*' || contacts.value.length === 0) return fail('missing_contact', 'no Contact to send requests to', status);
  const target = contacts.value[0].uri;
  if (target.scheme === 'tel') return fail('missing_contact', 'a tel: Contact is not a reachable target', status);
  return ok(contacts.value[0].uriText);
}

/** §12.1: sips Request-URI and the request went over TLS (the top Via names the transport). */
function isSecure(request: SipRequest): boolean {
  const via = getTopVia(request);
  return /^sips:/i.test(request.uri) && via.ok && via.value.transport === 'TLS';
}

function recordRoutes(message: SipMessage, status?: number): Result<string[]> {
  const rr = getRecordRoutes(message);
  return rr.ok ? ok(rr.value.map((r) => r.uriText)) : fromSip(rr.error, status);
}

function inviteIds(invite: SipRequest, status?: number): Result<{ callId: string; from: NameAddr; to: NameAddr; seq: number }> {
  if (invite.method !== 'INVITE') return fail('not_dialog_creating', `${invite.method} does not create a dialog`, status);
  const callId = getCallId(invite);
  const from = getFrom(invite);
  const to = getTo(invite);
  const cseq = getCSeq(invite);
  if (!callId.ok) return fromSip(callId.error, status);
  if (!from.ok) return fromSip(from.error, status);
  if (!to.ok) return fromSip(to.error, status);
  if (!cseq.ok) return fromSip(cseq.error, status);
  if (cseq.value.method !== 'INVITE') return fail('bad_message', 'CSeq method is not INVITE', status);
  return ok({ callId: callId.value, from: from.value, to: to.value, seq: cseq.value.seq });
}

/**
 * UAC side (§12.1.2): our INVITE and a 1xx (early dialog) or 2xx (confirmed) response to it.
 * The route set is the response's Record-Route reversed: the UAC visits the nearest proxy first.
 */
export function createUacDialog(invite: SipRequest, response: SipResponse): Result<Dialog> {
  if (response.status <= 100 || response.status >= 300) return fail('not_dialog_creating', `a ${response.status} does not create a dialog`);
  const ids = inviteIds(invite);
  if (!ids.ok) return ids;
  const { callId, from, seq } = ids.value;
  const rCallId = getCallId(response);
  const rFrom = getFrom(response);
  const rTo = getTo(response);
  const rCSeq = getCSeq(response);
  if (!rCallId.ok || !rFrom.ok || !rTo.ok || !rCSeq.ok) return fail('bad_message', 'response lacks a valid Call-ID, From, To or CSeq');
  if (rCallId.value !== callId || rFrom.value.tag !== from.tag || rCSeq.value.seq !== seq || rCSeq.value.method !== 'INVITE') {
    return fail('mismatch', 'response does not answer this INVITE');
  }
  if (from.tag === undefined) return fail('missing_tag', 'our INVITE has no From tag');
  if (rTo.value.tag === undefined) return fail('missing_tag', `${response.status} without a To tag`);
  const confirmed = response.status >= 200;
  // An early 18x without Contact still makes a dialog: requests go to the Request-URI until the 2xx says where.
  const target = contactTarget(response);
  if (!target.ok && (confirmed || target.error.code !== 'missing_contact')) return target;
  const routes = recordRoutes(response);
  const localContact = contactTarget(invite);
  if (!routes.ok) return routes;
  if (!localContact.ok) return localContact;
  return ok({
    id: { callId, localTag: from.tag, remoteTag: rTo.value.tag },
    role: 'uac',
    state: confirmed ? 'confirmed' : 'early',
    localSeq: seq,
    localParty: partyOf(from),
    remoteParty: partyOf(rTo.value),
    remoteTarget: target.ok ? target.value : invite.uri,
    routeSet: routes.value.reverse(),
    secure: isSecure(invite),
    localContact: localContact.value,
    inviteSeq: seq,
  });
}

/**
 * A later response to the INVITE in an early dialog (§13.2.2.4): a 2xx confirms it and
 * recomputes the route set and remote target; a 1xx may move the target. Once confirmed,
 * retransmitted 2xx change nothing: the route set is fixed for the dialog's life (§12.2.1.2).
 */
export function updateUacDialog(dialog: Dialog, response: SipResponse): Result<Dialog> {
  const to = getTo(response);
  if (!to.ok || to.value.tag !== dialog.id.remoteTag) return fail('mismatch', 'response belongs to another dialog');
  if (dialog.state !== 'early' || response.status < 101 || response.status >= 300) return ok(dialog);
  const target = contactTarget(response);
  if (response.status < 200) return ok(target.ok ? { ...dialog, remoteTarget: target.value } : dialog);
  if (!target.ok) return target;
  const routes = recordRoutes(response);
  if (!routes.ok) return routes;
  return ok({ ...dialog, state: 'confirmed', remoteTarget: target.value, routeSet: routes.value.reverse() });
}

export interface UasDialogOptions {
  /** Our To tag; generated from `randomBytes` when omitted. */
  readonly localTag?: string;
  readonly randomBytes?: RandomBytes;
  /** Our Contact URI for the responses and our requests. */
  readonly localContact: string;
}

/**
 * UAS side (§12.1.1): an incoming INVITE without a To tag. The route set is Record-Route in
 * request order. Errors carry status 400 (the INVITE is answered with it) — except an
 * INVITE that already has a To tag, which belongs to the dialog matcher, not here.
 */
export function createUasDialog(invite: SipRequest, options: UasDialogOptions): Result<Dialog> {
  const contact = parseUri(options.localContact);
  if (!contact.ok || !safeText(options.localContact) || /[\s<>]/.test(options.localContact)) return fail('bad_input', 'bad local Contact URI', 500);
  if (options.localTag !== undefined && !isToken(options.localTag)) return fail('bad_input', 'local tag must be a token', 500);
  const ids = inviteIds(invite, 400);
  if (!ids.ok) return ids;
  const { callId, from, to, seq } = ids.value;
  if (to.tag !== undefined) return fail('not_dialog_creating', 'INVITE already in a dialog (To has a tag)', 481);
  if (from.tag === undefined) return fail('missing_tag', 'INVITE without a From tag', 400);
  const target = contactTarget(invite);
  const routes = recordRoutes(invite, 400);
  if (!target.ok) return target;
  if (!routes.ok) return routes;
  return ok({
    id: { callId, localTag: options.localTag ?? newTag(options.randomBytes), remoteTag: from.tag },
    role: 'uas',
    state: 'early',
    remoteSeq: seq,
    localParty: partyOf(to),
    remoteParty: partyOf(from),
    remoteTarget: target.value,
    routeSet: routes.value,
    secure: isSecure(invite),
    localContact: options.localContact,
    inviteSeq: seq,
  });
}
