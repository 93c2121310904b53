/**
 * Vocabulary shared by the four RFC 3261 §17 transaction state machines. A transaction never
 * performs I/O: every input returns a list of actions that a thin shell carries out (send a
 * datagram, arm or disarm a timer at an absolute time on its monotonic clock, hand a message
 * to the transaction user, forget the transaction).
 */
import type { SipMessage } from '../message.ts';

/** Where a message goes. The shell maps it to a socket or connection; we only compare it. */
export interface Destination {
  /** Uppercase, as in Via: `UDP`, `TCP`, `TLS`, `WS`, `WSS`, `SCTP`. */
  readonly transport: string;
  readonly host: string;
  readonly port: number;
}

/**
 * RFC 3261 timer letters (Annex A) plus RFC 6026's L and M, and two of our own:
 * `trying` (the 200 ms before an INVITE server transaction sends 100 Trying itself) and
 * `cancel` (§9.1: 64*T1 after sending CANCEL without a final response, give the INVITE up).
 */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'trying' | 'cancel';

/** Why a transaction ended: `completed` is the normal end, the others are failures the TU must hear about. */
export type TerminationReason = 'completed' | 'timeout' | 'transport_error';

export type Action =
  | { readonly type: 'send'; readonly message: SipMessage; readonly to: Destination; readonly retransmission?: true }
  | { readonly type: 'startTimer'; readonly timer: TimerName; readonly at: number }
  | { readonly type: 'cancelTimer'; readonly timer: TimerName }
  /** A message for the transaction user (responses on the client side, requests on the server side). */
  | { readonly type: 'deliver'; readonly message: SipMessage }
  /** RFC 6026 Accepted state: a 2xx could not be sent, but the transaction lives on to absorb retransmissions. */
  | { readonly type: 'transportError' }
  | { readonly type: 'terminated'; readonly reason: TerminationReason };

/** Timer base values in ms (RFC 3261 Annex A). */
export interface TimerConfig {
  /** RTT estimate; every retransmission interval and timeout derives from it. */
  readonly t1: number;
  /** Cap on non-INVITE request and INVITE response retransmission intervals. */
  readonly t2: number;
  /** Longest a message lives in the network: the Completed/Confirmed linger on UDP. */
  readonly t4: number;
  /** Timer D; RFC 3261 asks for at least 32 s on unreliable transports. */
  readonly timerD: number;
  /** Delay before an INVITE server transaction sends 100 Trying on the TU's behalf (§17.2.1). */
  readonly tryingDelay: number;
}

export const DEFAULT_TIMERS: TimerConfig = { t1: 500, t2: 4_000, t4: 5_000, timerD: 32_000, tryingDelay: 200 };

export function timerConfig(overrides: Partial<TimerConfig> = {}): TimerConfig {
  return { ...DEFAULT_TIMERS, ...overrides };
}

/** Retransmissions and lingering exist only for transports that can lose messages (§17.1.1.2). */
export function isReliable(transport: string): boolean {
  return transport.toUpperCase() !== 'UDP';
}

export type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';
export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';
export type InviteServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';
export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';
