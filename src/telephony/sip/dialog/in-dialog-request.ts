/**
 * Requests inside a dialog (§12.2.1.1): BYE, re-INVITE, INFO, OPTIONS… and the ACK for a
 * 2xx (§13.2.2.4). Each call returns the request and the dialog with its CSeq advanced.
 */
import { getHeaders, type SipHeader, type SipRequest } from '../message.ts';
import { isToken } from '../syntax.ts';
import type { Dialog } from './dialog.ts';
import { fail, ok, type Result } from './errors.ts';
import { formatVia, requestTarget, routeValue, safeText, withTag, type ViaInput } from './headers.ts';
import { DEFAULT_ALLOW, MAX_FORWARDS } from './uac-requests.ts';

const MAX_CSEQ = 2 ** 31 - 1;

export interface InDialogOptions {
  readonly via: ViaInput;
  readonly body?: string | Buffer;
  /** Content-Type of the body; `application/sdp` when omitted. */
  readonly contentType?: string;
  readonly headers?: readonly SipHeader[];
  /** First CSeq for a UAS that has not sent a request yet (§12.2.1.1 allows any; default 1). */
  readonly initialSeq?: number;
}

/** Headers every request in the dialog carries, in the order peers expect to read them. */
function baseHeaders(dialog: Dialog, via: string, routes: readonly string[], seq: number, method: string): SipHeader[] {
  return [
    { name: 'Via', value: via },
    { name: 'Max-Forwards', value: MAX_FORWARDS },
    ...routes.map((r) => ({ name: 'Route', value: routeValue(r) })),
    { name: 'From', value: withTag(dialog.localParty, dialog.id.localTag) },
    { name: 'To', value: withTag(dialog.remoteParty, dialog.id.remoteTag) },
    { name: 'Call-ID', value: dialog.id.callId },
    { name: 'CSeq', value: `${seq} ${method}` },
  ];
}

function tail(options: InDialogOptions): Result<{ headers: SipHeader[]; body: Buffer }> {
  const extra = options.headers ?? [];
  if (extra.some((h) => !isToken(h.name) || !safeText(h.value))) return fail('bad_input', 'bad extra header');
  const contentType = options.contentType ?? 'application/sdp';
  if (!/^[A-Za-z0-9\-.!%*_+`'~]+\/[A-Za-z0-9\-.!%*_+`'~]+$/.test(contentType)) return fail('bad_input', 'bad Content-Type');
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const headers = [...extra];
  if (body.length > 0) headers.push({ name: 'Content-Type', value: contentType });
  return ok({ headers, body });
}

function stateAllows(dialog: Dialog, method: string): Result<void> {
  if (dialog.state === 'terminated') return fail('terminated', 'the dialog has ended');
  if (dialog.state !== 'early') return ok(undefined);
  // §15: the callee ends an early dialog with a final response, never BYE (the caller may
  // BYE, though CANCEL is usual). §14: a re-INVITE needs a confirmed dialog.
  if ((method === 'BYE' && dialog.role === 'uas') || method === 'INVITE') return fail('wrong_state', `${method} on an early dialog`);
  return ok(undefined);
}

export function buildInDialogRequest(dialog: Dialog, method: string, options: InDialogOptions): Result<{ dialog: Dialog; request: SipRequest }> {
  if (!isToken(method) || method === 'ACK' || method === 'CANCEL') return fail('bad_input', `use buildAck/buildCancel, not ${method}`);
  const allowed = stateAllows(dialog, method);
  if (!allowed.ok) return allowed;
  const seq = dialog.localSeq === undefined ? (options.initialSeq ?? 1) : dialog.localSeq + 1;
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_CSEQ) return fail('bad_input', 'CSeq would leave the 31-bit range');
  const target = requestTarget(dialog.remoteTarget, dialog.routeSet);
  const via = formatVia(options.via);
  const rest = tail(options);
  if (!target.ok) return target;
  if (!via.ok) return via;
  if (!rest.ok) return rest;
  const headers = baseHeaders(dialog, via.value, target.value.routes, seq, method);
  // INVITE is a target refresh: it must say where we now are (§12.2.1.1, §14.1).
  if (method === 'INVITE') headers.push({ name: 'Contact', value: `<${dialog.localContact}>` }, { name: 'Allow', value: DEFAULT_ALLOW.join(', ') });
  headers.push(...rest.value.headers);
  const next: Dialog = { ...dialog, localSeq: seq, inviteSeq: method === 'INVITE' ? seq : dialog.inviteSeq };
  return ok({ dialog: next, request: { kind: 'request', method, uri: target.value.uri, headers, body: rest.value.body } });
}

export function buildBye(dialog: Dialog, options: InDialogOptions) {
  return buildInDialogRequest(dialog, 'BYE', options);
}

/** Hold and unhold are re-INVITEs whose SDP (a=sendonly / a=sendrecv) the caller supplies. */
export function buildReInvite(dialog: Dialog, sdp: string | Buffer, options: Omit<InDialogOptions, 'body' | 'contentType'>) {
  return buildInDialogRequest(dialog, 'INVITE', { ...options, body: sdp });
}

export interface AckOptions {
  readonly via: ViaInput;
  /** The INVITE being acknowledged: its credentials are repeated (§13.2.2.4). */
  readonly invite?: SipRequest;
  /** An answer, when the 2xx carried the offer. */
  readonly body?: string | Buffer;
}

/**
 * The ACK for a 2xx: built like an in-dialog request but with the INVITE's CSeq number and a
 * new branch (it is its own transaction). It does not advance the local CSeq.
 */
export function buildAck(dialog: Dialog, options: AckOptions): Result<SipRequest> {
  if (dialog.state === 'terminated') return fail('terminated', 'the dialog has ended');
  const target = requestTarget(dialog.remoteTarget, dialog.routeSet);
  const via = formatVia(options.via);
  const rest = tail({ via: options.via, body: options.body });
  if (!target.ok) return target;
  if (!via.ok) return via;
  if (!rest.ok) return rest;
  const headers = baseHeaders(dialog, via.value, target.value.routes, dialog.inviteSeq, 'ACK');
  for (const name of ['Authorization', 'Proxy-Authorization']) {
    for (const value of options.invite ? getHeaders(options.invite, name) : []) headers.push({ name, value });
  }
  headers.push(...rest.value.headers);
  return ok({ kind: 'request', method: 'ACK', uri: target.value.uri, headers, body: rest.value.body });
}
