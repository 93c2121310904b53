/** The SIP message model: plain data, built by the parser or by the layers above. */
import { headerKey } from './header-names.ts';

export interface SipHeader {
  /** Canonical long form for known headers (`Via`, `Call-ID`), the sender's spelling otherwise. */
  readonly name: string;
  /** Unfolded, trimmed; one entry per value for comma-list headers such as Via and Contact. */
  readonly value: string;
}

interface SipMessageBase {
  readonly headers: readonly SipHeader[];
  /** Exactly Content-Length bytes (SIP bodies are octets; SDP is decoded by its own layer). */
  readonly body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: 'request';
  /** Case-sensitive token: `invite` is an unknown extension method, not INVITE (RFC 3261 §7.1). */
  readonly method: string;
  readonly uri: string;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** First value of a header (any spelling, compact forms included), or undefined. */
export function getHeader(message: Pick<SipMessage, 'headers'>, name: string): string | undefined {
  const key = headerKey(name);
  return message.headers.find((h) => headerKey(h.name) === key)?.value;
}

/** Every value of a header, in message order. */
export function getHeaders(message: Pick<SipMessage, 'headers'>, name: string): string[] {
  const key = headerKey(name);
  return message.headers.filter((h) => headerKey(h.name) === key).map((h) => h.value);
}

export function hasHeader(message: Pick<SipMessage, 'headers'>, name: string): boolean {
  return getHeader(message, name) !== undefined;
}

/** A copy of the header list without `name` (every occurrence). */
export function withoutHeader(headers: readonly SipHeader[], name: string): SipHeader[] {
  const key = headerKey(name);
  return headers.filter((h) => headerKey(h.name) !== key);
}

/** Body as text (SDP and most SIP bodies are UTF-8). */
export function bodyText(message: SipMessage): string {
  return message.body.toString('utf8');
}
