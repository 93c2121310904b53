/** The SIP endpoint's contracts with the layers around it (admission, dialogs, logging). */
import type { SipHeader, SipRequest, SipResponse } from './message.ts';
import type { Destination } from './transaction/types.ts';

/** Where a request goes: an address, over UDP unless it says `TCP`. */
export interface SipTarget {
  readonly host: string;
  readonly port: number;
  readonly transport?: 'UDP' | 'TCP';
}

/** A new INVITE the admission layer accepted: the call layer answers it through the endpoint. */
export interface AcceptedInvite {
  /** The INVITE server transaction: `endpoint.respond(tx, …)` sends 1xx/2xx/final answers. */
  readonly tx: string;
  readonly invite: SipRequest;
  readonly source: Destination;
  /** Our To tag, used for every response to this INVITE (and the dialog's local tag). */
  readonly toTag: string;
}

export interface RejectDecision {
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

export interface AcceptDecision {
  readonly action: 'accept';
  /** Called once, synchronously, with the transaction the call now owns. */
  readonly start: (invite: AcceptedInvite) => void;
}

/** What the endpoint does with a new INVITE, decided by the layer that knows numbers and agents. */
export type InviteDecision = RejectDecision | AcceptDecision;

export interface InviteAdmission {
  admit(invite: SipRequest, source: Destination): Promise<InviteDecision>;
}

/** The owner of one dialog (a call leg): in-dialog requests and ACKs for it arrive here. */
export interface DialogHandler {
  /** A request inside the dialog (BYE, re-INVITE, INFO, OPTIONS…): answer it with `endpoint.respond(tx, …)`. */
  onRequest(tx: string, request: SipRequest, source: Destination): void;
  /** The ACK for our 2xx to an INVITE of this dialog. */
  onAck(ack: SipRequest): void;
  /** The caller cancelled the INVITE before our final answer (the endpoint already sent 200 + 487). */
  onCancel?(): void;
}

/** What happens to a request we sent (a client transaction). */
export interface ClientListener {
  onResponse(response: SipResponse): void;
  /** No final response in time (Timer B/F), or the transport failed: the request is lost. */
  onFailure(reason: 'timeout' | 'transport_error'): void;
}

/** The pino subset the endpoint logs through: structured fields first, plain message text. */
export interface EndpointLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
