/**
 * Responses a UAS sends: 100/180/183/200 to an INVITE with our To tag and Contact, answers
 * to requests inside the dialog, and the error answers the dialog layer decides (481, 500…).
 */
import { getHeaders, type SipHeader, type SipRequest, type SipResponse } from '../message.ts';
import { createResponse } from '../response.ts';
import { isToken } from '../syntax.ts';
import type { Dialog } from './dialog.ts';
import type { DialogError } from './errors.ts';
import { safeText } from './headers.ts';
import { DEFAULT_ALLOW } from './uac-requests.ts';

const REASONS: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 491: 'Request Pending',
  500: 'Server Internal Error', 501: 'Not Implemented', 503: 'Service Unavailable', 603: 'Decline',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 200 ? 'Progress' : status < 300 ? 'OK' : 'Error');
}

export interface DialogResponseOptions {
  readonly reason?: string;
  /** SDP answer (or offer, in a 2xx to an offerless INVITE). */
  readonly sdp?: string | Buffer;
  readonly headers?: readonly SipHeader[];
  /** Supported option tags to advertise on 2xx. */
  readonly supported?: readonly string[];
}

/**
 * A response to a request in (or creating) `dialog`. For an INVITE: 100 stays tagless and
 * bare (§8.2.6.1: it is hop-by-hop); 101–299 carry our tag and Contact, and copy Record-Route
 * when they establish the dialog (§12.1.1: same values, same order). Every response but 100
 * gets our To tag, so the UAC can build its ACK and in-dialog requests.
 */
export function buildDialogResponse(request: SipRequest, dialog: Dialog, status: number, options: DialogResponseOptions = {}): SipResponse {
  const reason = options.reason !== undefined && safeText(options.reason) ? options.reason : reasonPhrase(status);
  if (status === 100) return createResponse(request, 100, reason);
  const headers: SipHeader[] = [];
  const invite = request.method === 'INVITE';
  const establishing = invite && status < 300 && getHeaders(request, 'To').every((to) => !/;\s*tag\s*=/i.test(to));
  if (establishing) for (const value of getHeaders(request, 'Record-Route')) headers.push({ name: 'Record-Route', value });
  if (invite && status < 300) headers.push({ name: 'Contact', value: `<${dialog.localContact}>` });
  if (status >= 200 && status < 300 && (invite || request.method === 'OPTIONS')) {
    headers.push({ name: 'Allow', value: DEFAULT_ALLOW.join(', ') });
    const supported = (options.supported ?? []).filter(isToken);
    if (supported.length > 0) headers.push({ name: 'Supported', value: supported.join(', ') });
  }
  headers.push(...(options.headers ?? []).filter((h) => isToken(h.name) && safeText(h.value)));
  const body = options.sdp === undefined ? Buffer.alloc(0) : Buffer.from(options.sdp);
  if (body.length > 0) headers.push({ name: 'Content-Type', value: 'application/sdp' });
  return createResponse(request, status, reason, { toTag: dialog.id.localTag, headers, body });
}

/**
 * The answer to a request the dialog layer refused (481 unknown dialog, 500 CSeq out of
 * order, 400 malformed). `toTag` is needed only when the request had none (a 400 to an INVITE).
 */
export function rejectRequest(request: SipRequest, error: DialogError, toTag?: string): SipResponse {
  const status = error.status ?? 500;
  const headers: SipHeader[] = [];
  // §12.2.2 suggests Retry-After so the peer resends the out-of-order request later.
  if (error.code === 'cseq_out_of_order') headers.push({ name: 'Retry-After', value: '1' });
  return createResponse(request, status, reasonPhrase(status), { toTag, headers });
}
