/**
 * What the dialog learns from messages exchanged inside it: incoming requests (§12.2.2:
 * CSeq ordering, target refresh), responses to our requests (§12.2.1.2) and the ACK that
 * ends the UAS's 2xx retransmissions (§13.3.1.4).
 */
import { getCallId, getCSeq, getFrom, getTo } from '../accessors.ts';
import { hasHeader, type SipRequest, type SipResponse } from '../message.ts';
import { contactTarget } from './create-dialog.ts';
import { sameDialogId, terminateDialog, type Dialog, type DialogId } from './dialog.ts';
import { fail, fromSip, ok, type Result } from './errors.ts';

/** The dialog id of an incoming request, from our side: To tag is ours, From tag theirs. */
export function requestDialogId(request: SipRequest): Result<DialogId> {
  const callId = getCallId(request);
  const from = getFrom(request);
  const to = getTo(request);
  if (!callId.ok) return fromSip(callId.error);
  if (!from.ok) return fromSip(from.error);
  if (!to.ok) return fromSip(to.error);
  if (to.value.tag === undefined) return fail('not_in_dialog', 'request has no To tag');
  if (from.value.tag === undefined) return fail('missing_tag', 'in-dialog request without a From tag', 400);
  return ok({ callId: callId.value, localTag: to.value.tag, remoteTag: from.value.tag });
}

/** The dialog id of a response to our request: the From tag is ours. Responses are never answered. */
export function responseDialogId(response: SipResponse): Result<DialogId> {
  const callId = getCallId(response);
  const from = getFrom(response);
  const to = getTo(response);
  if (!callId.ok || !from.ok || !to.ok) return fail('bad_message', 'response lacks a valid Call-ID, From or To');
  if (from.value.tag === undefined || to.value.tag === undefined) return fail('missing_tag', 'response without both tags');
  return ok({ callId: callId.value, localTag: from.value.tag, remoteTag: to.value.tag });
}

function belongs(dialog: Dialog, request: SipRequest): Result<void> {
  const id = requestDialogId(request);
  if (!id.ok) return id.error.code === 'not_in_dialog' ? fail('mismatch', id.error.message, 481) : id;
  if (!sameDialogId(id.value, dialog.id)) return fail('mismatch', 'request belongs to another dialog', 481);
  return ok(undefined);
}

/**
 * An incoming request in the dialog. Errors carry the status to answer with: 481 when the
 * dialog is over or not this one, 500 for a CSeq below the last one (§12.2.2), 400 for
 * malformed headers. ACK and CANCEL reuse an earlier CSeq and are passed through unchanged.
 */
export function receiveRequest(dialog: Dialog, request: SipRequest): Result<Dialog> {
  const mine = belongs(dialog, request);
  if (!mine.ok) return mine;
  const cseq = getCSeq(request);
  if (!cseq.ok) return fromSip(cseq.error);
  if (cseq.value.method !== request.method) return fail('bad_message', 'CSeq method differs from the request method', 400);
  if (request.method === 'ACK' || request.method === 'CANCEL') return ok(dialog);
  if (dialog.state === 'terminated') return fail('terminated', 'the dialog has ended', 481);
  if (dialog.remoteSeq !== undefined && cseq.value.seq < dialog.remoteSeq) {
    return fail('cseq_out_of_order', `CSeq ${cseq.value.seq} is below ${dialog.remoteSeq}`, 500);
  }
  let next: Dialog = { ...dialog, remoteSeq: cseq.value.seq };
  if (request.method === 'INVITE' || request.method === 'UPDATE') {
    // Target refresh (§12.2.2): the peer moved. A malformed Contact gets a 400, not a silent keep.
    if (hasHeader(request, 'Contact')) {
      const target = contactTarget(request);
      if (!target.ok) return target;
      next = { ...next, remoteTarget: target.value };
    }
    if (request.method === 'INVITE') next = { ...next, inviteSeq: cseq.value.seq };
  }
  return ok(next);
}

/**
 * A final response to a request we sent in the dialog (`method` is that request's).
 * §12.2.1.2: 481 and 408 end the dialog; a 2xx to a re-INVITE refreshes the remote target;
 * any final response to BYE leaves the dialog terminated.
 */
export function receiveResponse(dialog: Dialog, method: string, response: SipResponse): Result<Dialog> {
  const id = responseDialogId(response);
  if (!id.ok) return id;
  if (!sameDialogId(id.value, dialog.id)) return fail('mismatch', 'response belongs to another dialog');
  if (response.status < 200) return ok(dialog);
  if (method === 'BYE' || response.status === 481 || response.status === 408) return ok(terminateDialog(dialog));
  if (method === 'INVITE' && response.status < 300 && hasHeader(response, 'Contact')) {
    const target = contactTarget(response);
    if (!target.ok) return target;
    return ok({ ...dialog, remoteTarget: target.value });
  }
  return ok(dialog);
}

/** True for the ACK of the 2xx we sent to the dialog's latest INVITE (§13.3.1.4, §17.2.3). */
export function ackMatches(dialog: Dialog, ack: SipRequest): boolean {
  if (ack.method !== 'ACK' || !belongs(dialog, ack).ok) return false;
  const cseq = getCSeq(ack);
  return cseq.ok && cseq.value.method === 'ACK' && cseq.value.seq === dialog.inviteSeq;
}
