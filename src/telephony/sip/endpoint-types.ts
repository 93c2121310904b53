/** The SIP endpoint's contracts with the layers around it (admission, logging). */
import type { SipHeader, SipRequest } from './message.ts';
import type { Destination } from './transaction/types.ts';

/**
 * What the endpoint does with a new INVITE, decided by the layer that knows numbers and
 * agents. Today every INVITE ends in a final response; accepting (answering with SDP) arrives
 * with the call session.
 */
export interface InviteDecision {
  readonly action: 'reject';
  readonly status: number;
  readonly reason: string;
  readonly headers?: readonly SipHeader[];
  /**
   * The kind of rejection scanners produce (unknown number, forbidden source): it spends one
   * token of the source's rate limit, and a source without tokens is dropped unanswered.
   */
  readonly suspicious?: boolean;
}

export interface InviteAdmission {
  admit(invite: SipRequest, source: Destination): Promise<InviteDecision>;
}

/** The pino subset the endpoint logs through: structured fields first, plain message text. */
export interface EndpointLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
