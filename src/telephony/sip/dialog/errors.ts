/**
 * Errors of the dialog layer are data. Each carries the SIP status a UAS should answer
 * with when the error comes from an incoming request, so the caller never has to map codes.
 */
import type { Result as Outcome } from '../../result.ts';
import type { SipError } from '../result.ts';

export type DialogErrorCode =
  | 'bad_message' // a header the dialog needs is missing or does not parse
  | 'missing_tag' // From/To without the tag that identifies the dialog
  | 'missing_contact' // no usable Contact: no remote target
  | 'not_dialog_creating' // e.g. a 100 Trying, a non-INVITE, or an INVITE that already has a To tag
  | 'cseq_out_of_order' // RFC 3261 §12.2.2: lower CSeq than the last one seen
  | 'unknown_dialog' // §12.2.2: 481 Call/Transaction Does Not Exist
  | 'not_in_dialog' // a request without a To tag offered to the dialog matcher
  | 'mismatch' // a message that belongs to another dialog or transaction
  | 'terminated' // the dialog is over; no more requests
  | 'auth_rejected' // credentials for this realm were already sent and refused
  | 'wrong_state' // e.g. BYE by the callee on an early dialog, re-INVITE before confirmation
  | 'bad_input'; // values we were asked to build with are unusable (CR/LF, bad URI)

export interface DialogError {
  readonly code: DialogErrorCode;
  readonly message: string;
  /** The response a UAS sends for an incoming request failing this way. */
  readonly status?: number;
}

export type Result<T> = Outcome<T, DialogError>;

export { ok } from '../../result.ts';

export function fail(code: DialogErrorCode, message: string, status?: number): { ok: false; error: DialogError } {
  return { ok: false, error: status === undefined ? { code, message } : { code, message, status } };
}

/** Lifts a message-layer error (a header that does not parse) into a dialog error. */
export function fromSip(error: SipError, status = 400): { ok: false; error: DialogError } {
  return fail('bad_message', error.message, status);
}
