/**
 * The responses the endpoint gives on its own (RFC 3261 §8.2): capability answers and
 * rejections of requests it does not handle. Pure functions of the request.
 */
import { getTo } from './accessors.ts';
import type { SipHeader, SipRequest, SipResponse } from './message.ts';
import { createResponse } from './response.ts';

/** What a Habla UAS does today; the Allow header of every 405 and OPTIONS answer. */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'BYE'] as const;

/** Methods RFC 3261 and its extensions define that we recognise but do not support: 405, not 501. */
const RECOGNISED_METHODS = new Set(['REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE']);

export const SERVER_HEADER: SipHeader = { name: 'Server', value: 'Habla' };
const ALLOW_HEADER: SipHeader = { name: 'Allow', value: ALLOWED_METHODS.join(', ') };

export function respond(request: SipRequest, status: number, reason: string, toTag: string, headers: readonly SipHeader[] = []): SipResponse {
  return createResponse(request, status, reason, { toTag, headers: [...headers, SERVER_HEADER] });
}

/**
 * The answer a request gets before any application logic, or undefined when the endpoint
 * should look further: §8.2.1 method inspection (405 with Allow for recognised methods, 501
 * otherwise), then §8.2.2.1/§12.2.2 — a To tag names a dialog, and we hold none yet, so 481.
 * An out-of-dialog BYE is a 481 as well (§15.1.2).
 */
export function screenRequest(request: SipRequest, toTag: string): SipResponse | undefined {
  const method = request.method;
  if (!(ALLOWED_METHODS as readonly string[]).includes(method)) {
    return RECOGNISED_METHODS.has(method)
      ? respond(request, 405, 'Method Not Allowed', toTag, [ALLOW_HEADER])
      : respond(request, 501, 'Not Implemented', toTag, [ALLOW_HEADER]);
  }
  const to = getTo(request);
  if (method === 'BYE' || (to.ok && to.value.tag !== undefined)) {
    return respond(request, 481, 'Call/Transaction Does Not Exist', toTag);
  }
  return undefined;
}

/** §11.2: the same capabilities an INVITE would get, and no body. */
export function optionsResponse(request: SipRequest, toTag: string): SipResponse {
  return respond(request, 200, 'OK', toTag, [
    ALLOW_HEADER,
    { name: 'Accept', value: 'application/sdp' },
    { name: 'Accept-Encoding', value: 'identity' },
    { name: 'Accept-Language', value: 'en' },
  ]);
}
