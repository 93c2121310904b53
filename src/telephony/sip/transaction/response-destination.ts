/**
 * Where a server transaction sends its responses (RFC 3261 §18.2.2, RFC 3581), and the
 * received/rport stamping a server transport does on arrival (§18.2.1) so that responses
 * built by copying the request's Via route back through NAT.
 */
import { headerKey } from '../header-names.ts';
import { getHeaders, withoutHeader, type SipHeader, type SipRequest } from '../message.ts';
import type { Via } from '../typed-headers.ts';
import { isReliable, type Destination } from './types.ts';

/**
 * Reliable transports answer on the connection the request came in on; UDP answers the
 * source address, on the source port when the client asked for rport, else the sent-by port.
 * (maddr is not honoured: it is for multicast, which no trunk uses.)
 */
export function responseDestination(via: Via, source: Destination): Destination {
  if (isReliable(source.transport) || via.rport !== undefined) return source;
  return { transport: source.transport, host: source.host, port: via.port ?? 5060 };
}

/** Adds `received` when the source differs from sent-by, and fills an empty `rport` (RFC 3581 §4). */
export function stampVia(request: SipRequest, via: Via, source: Destination): SipRequest {
  const addReceived = via.host.toLowerCase() !== source.host.toLowerCase() || via.rport === true;
  const fillRport = via.rport === true;
  if (!addReceived && !fillRport) return request;
  const [top, ...rest] = getHeaders(request, 'Via');
  let value = top.replace(/;\s*received\s*=\s*[^;]*/i, '');
  if (fillRport) value = value.replace(/;\s*rport(?=\s*(;|$))/i, `;rport=${source.port}`);
  if (addReceived) value += `;received=${source.host}`;
  const vias: SipHeader[] = [value, ...rest].map((v) => ({ name: 'Via', value: v }));
  const firstVia = request.headers.findIndex((h) => headerKey(h.name) === 'via');
  const others = withoutHeader(request.headers, 'Via');
  // Keep Via where it was (normally first) so serialised responses look like the request.
  const headers = [...others.slice(0, firstVia), ...vias, ...others.slice(firstVia)];
  return { ...request, headers };
}
