/** What the transaction manager hands its shell and transaction user. */
import type { SipMessage, SipRequest } from '../message.ts';
import type { Action, Destination } from './types.ts';

/** Why an input was dropped: logged and rate-limited by the shell, never answered. */
export type DropReason =
  | 'malformed' // no usable top Via with a branch, or a bad CSeq
  | 'multiple_via' // a response with more than one Via was meant for a proxy, not for us (§8.1.3.3)
  | 'no_transaction' // a response, or a TU call, for no live transaction
  | 'overloaded'; // maxTransactions reached: shed load instead of growing without bound

export type ManagerEvent =
  /** A transaction's action, tagged with its id so the shell can key timers by (tx, timer). */
  | (Action & { readonly tx: string })
  /**
   * A CANCEL arrived and has its own server transaction `tx`; `target` is the INVITE server
   * transaction it cancels, if one is live. Answer with `answerCancel(tx, now)`.
   */
  | { readonly type: 'cancel'; readonly tx: string; readonly target?: string; readonly message: SipRequest }
  /** An ACK outside any transaction: the ACK for a 2xx, which belongs to the dialog (§13.3.1.4). */
  | { readonly type: 'stray'; readonly message: SipRequest; readonly source: Destination }
  | { readonly type: 'dropped'; readonly reason: DropReason; readonly detail: string; readonly message: SipMessage };

export function tagged(tx: string, actions: readonly Action[]): ManagerEvent[] {
  return actions.map((action) => ({ ...action, tx }));
}
