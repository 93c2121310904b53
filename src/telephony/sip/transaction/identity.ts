/**
 * What identifies a transaction (RFC 3261 §17.1.3, §17.2.3): the top Via branch, plus the
 * CSeq method for client transactions (a CANCEL shares its INVITE's branch) and the Via
 * sent-by and request method for server transactions (ACK counts as INVITE).
 */
import { randomBytes } from 'node:crypto';
import { getCSeq, getTopVia } from '../accessors.ts';
import type { SipMessage } from '../message.ts';
import { fail, ok, type Result } from '../result.ts';
import type { Via } from '../typed-headers.ts';

/** The RFC 3261 magic cookie: a branch starting with it is unique across space and time. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** 80 random bits after the cookie: unguessable, so a spoofed response cannot hit a live transaction. */
export function randomBranch(): string {
  return MAGIC_COOKIE + randomBytes(10).toString('hex');
}

/** Thrown only when our own code hands a transaction a request it could never have sent or received. */
export class TransactionError extends Error {
  override readonly name = 'TransactionError';
}

export interface MessageIdentity {
  readonly via: Via;
  readonly branch: string;
  readonly cseq: number;
  /** The CSeq method (for requests also checked against the request line). */
  readonly method: string;
}

/** Reads the fields matching needs; a message lacking any of them cannot belong to a transaction. */
export function identify(message: SipMessage): Result<MessageIdentity> {
  const via = getTopVia(message);
  if (!via.ok) return via;
  if (via.value.branch === undefined || via.value.branch === '') return fail('missing_header', 'top Via has no branch');
  const cseq = getCSeq(message);
  if (!cseq.ok) return cseq;
  if (message.kind === 'request' && cseq.value.method !== message.method) {
    return fail('mismatch', 'CSeq method differs from the request method');
  }
  return ok({ via: via.value, branch: via.value.branch, cseq: cseq.value.seq, method: cseq.value.method });
}

export function clientKey(branch: string, method: string): string {
  return `${branch} ${method}`;
}

function defaultPort(transport: string): number {
  return transport === 'TLS' || transport === 'WSS' ? 5061 : 5060;
}

/** Host names compare case-insensitively; an omitted port means the transport's default. */
export function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? defaultPort(via.transport)}`;
}

/** ACK belongs to the INVITE transaction it acknowledges; CANCEL has a transaction of its own. */
export function serverKey(branch: string, via: Via, method: string): string {
  return `${branch} ${sentBy(via)} ${method === 'ACK' ? 'INVITE' : method}`;
}

/** The identity of a request we created or accepted; throws TransactionError when it has none. */
export function requireIdentity(message: SipMessage): MessageIdentity {
  const id = identify(message);
  if (!id.ok) throw new TransactionError(id.error.message);
  return id.value;
}

/** A response belongs to a client transaction when branch, CSeq number and method all agree. */
export function responseMatches(request: MessageIdentity, response: SipMessage): boolean {
  if (response.kind !== 'response') return false;
  const id = identify(response);
  return id.ok && id.value.branch === request.branch && id.value.method === request.method && id.value.cseq === request.cseq;
}
