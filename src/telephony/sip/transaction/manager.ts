/**
 * The transaction layer's front door: creates client transactions for requests the TU sends,
 * routes incoming responses to client transactions (§17.1.3) and incoming requests to server
 * transactions (§17.2.3, creating them for new requests), and forgets transactions once they
 * report `terminated`. Still sans-I/O: every call returns events for the shell.
 *
 * Transaction ids are readable keys: `<branch> <method>` for client transactions and
 * `<branch> <sent-by> <method>` for server transactions.
 */
import { randomBytes } from 'node:crypto';
import { getTo } from '../accessors.ts';
import { getHeaders, type SipMessage, type SipRequest, type SipResponse } from '../message.ts';
import { createResponse } from '../response.ts';
import { err, ok, type Result } from '../../result.ts';
import { tagged, type ManagerEvent } from './events.ts';
import { clientKey, identify, randomBranch, serverKey, type MessageIdentity } from './identity.ts';
import { InviteClientTransaction } from './invite-client.ts';
import { InviteServerTransaction } from './invite-server.ts';
import { NonInviteClientTransaction } from './non-invite-client.ts';
import { NonInviteServerTransaction } from './non-invite-server.ts';
import { buildCancel } from './requests.ts';
import { responseDestination, stampVia } from './response-destination.ts';
import type { Action, Destination, TimerConfig, TimerName } from './types.ts';
import { withBranch } from './with-branch.ts';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
export type Transaction = ClientTransaction | ServerTransaction;

export interface ManagerOptions {
  readonly timers?: Partial<TimerConfig>;
  /** Branch generator (tests inject a counter); must return `z9hG4bK` + something unique. */
  readonly generateBranch?: () => string;
  /** To tag generator for the 200/487 that answerCancel sends when the TU has sent no tag yet. */
  readonly generateTag?: () => string;
  /** Live transactions beyond which new requests are dropped (a flood must not exhaust memory). */
  readonly maxTransactions?: number;
}

export type SendError = 'ack_has_no_transaction' | 'malformed' | 'duplicate_transaction';
export type CancelError = 'no_transaction' | 'too_late';

export class TransactionManager {
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  /** INVITEs the TU cancelled before any 1xx: §9.1 forbids sending CANCEL until one arrives. */
  private readonly pendingCancels = new Set<string>();
  private readonly timers: Partial<TimerConfig>;
  private readonly generateBranch: () => string;
  private readonly generateTag: () => string;
  private readonly maxTransactions: number;

  constructor(options: ManagerOptions = {}) {
    this.timers = options.timers ?? {};
    this.generateBranch = options.generateBranch ?? randomBranch;
    this.generateTag = options.generateTag ?? (() => randomBytes(6).toString('hex'));
    this.maxTransactions = options.maxTransactions ?? 10_000;
  }

  get size(): number {
    return this.clients.size + this.servers.size;
  }

  get(id: string): Transaction | undefined {
    return this.clients.get(id) ?? this.servers.get(id);
  }

  /** Starts a client transaction. A top Via without a branch gets a fresh one. */
  send(request: SipRequest, to: Destination, now: number): Result<{ id: string; request: SipRequest; events: ManagerEvent[] }, SendError> {
    if (request.method === 'ACK') return err('ack_has_no_transaction');
    const branched = withBranch(request, this.generateBranch);
    const id = branched && identify(branched);
    if (!branched || !id || !id.ok) return err('malformed');
    const key = clientKey(id.value.branch, request.method);
    if (this.clients.has(key)) return err('duplicate_transaction');
    const tx = request.method === 'INVITE'
      ? new InviteClientTransaction(branched, to, this.timers)
      : new NonInviteClientTransaction(branched, to, this.timers);
    this.clients.set(key, tx);
    return ok({ id: key, request: branched, events: this.run(key, tx.start(now)) });
  }

  /** A parsed message from the network; `source` is the address (and transport) it came from. */
  receive(message: SipMessage, source: Destination, now: number): ManagerEvent[] {
    const id = identify(message);
    if (!id.ok) return [{ type: 'dropped', reason: 'malformed', detail: id.error.message, message }];
    return message.kind === 'response' ? this.receiveResponse(message, id.value, now) : this.receiveRequest(message, id.value, source, now);
  }

  /** A response from the TU for server transaction `id`. */
  respond(id: string, response: SipResponse, now: number): ManagerEvent[] {
    const tx = this.servers.get(id);
    if (!tx) return [{ type: 'dropped', reason: 'no_transaction', detail: `no server transaction ${id}`, message: response }];
    return this.run(id, tx.respond(response, now));
  }

  onTimer(id: string, timer: TimerName, now: number): ManagerEvent[] {
    const tx = this.get(id);
    return tx ? this.run(id, tx.onTimer(timer, now)) : [];
  }

  /** The shell could not send a message of transaction `id`. */
  transportError(id: string): ManagerEvent[] {
    const tx = this.get(id);
    return tx ? this.run(id, tx.transportError()) : [];
  }

  /**
   * Cancels client INVITE `id` (§9.1). Before any provisional response the CANCEL waits for
   * one; once a final response has arrived it is too late (hang up with BYE instead).
   */
  cancel(id: string, now: number): Result<ManagerEvent[], CancelError> {
    const tx = this.clients.get(id);
    if (!(tx instanceof InviteClientTransaction)) return err('no_transaction');
    if (tx.state === 'calling') {
      this.pendingCancels.add(id);
      return ok([]);
    }
    return tx.state === 'proceeding' ? ok(this.sendCancel(id, tx, now)) : err('too_late');
  }

  /**
   * The UAS side of CANCEL (§9.2): 200 to the CANCEL, and 487 to the INVITE if it has no final
   * response yet, both with the To tag the TU already used (or a new one); 481 when nothing
   * matches. `cancelled` tells the TU the call attempt is over.
   */
  answerCancel(cancelId: string, now: number): { cancelled: boolean; events: ManagerEvent[] } {
    const cancelTx = this.servers.get(cancelId);
    if (!(cancelTx instanceof NonInviteServerTransaction) || cancelTx.method !== 'CANCEL') return { cancelled: false, events: [] };
    const targetId = this.cancelTarget(cancelTx.request);
    const target = targetId === undefined ? undefined : this.servers.get(targetId);
    if (!(target instanceof InviteServerTransaction)) {
      return { cancelled: false, events: this.respond(cancelId, createResponse(cancelTx.request, 481, 'Call/Transaction Does Not Exist', { toTag: this.generateTag() }), now) };
    }
    const provisionalTag = target.provisional && getTo(target.provisional);
    const toTag = (provisionalTag && provisionalTag.ok && provisionalTag.value.tag) || this.generateTag();
    const events = this.respond(cancelId, createResponse(cancelTx.request, 200, 'OK', { toTag }), now);
    if (target.state !== 'proceeding') return { cancelled: false, events };
    events.push(...this.respond(targetId!, createResponse(target.request, 487, 'Request Terminated', { toTag }), now));
    return { cancelled: true, events };
  }

  private receiveResponse(response: SipResponse, id: MessageIdentity, now: number): ManagerEvent[] {
    if (getHeaders(response, 'Via').length > 1) {
      return [{ type: 'dropped', reason: 'multiple_via', detail: 'response carries more than one Via', message: response }];
    }
    const key = clientKey(id.branch, id.method);
    const tx = this.clients.get(key);
    if (!tx) return [{ type: 'dropped', reason: 'no_transaction', detail: 'response matches no client transaction', message: response }];
    const events = this.run(key, tx.receive(response, now));
    if (tx instanceof InviteClientTransaction && tx.state === 'proceeding' && this.pendingCancels.has(key)) {
      events.push(...this.sendCancel(key, tx, now));
    }
    return events;
  }

  private receiveRequest(received: SipRequest, id: MessageIdentity, source: Destination, now: number): ManagerEvent[] {
    const request = stampVia(received, id.via, source);
    const key = serverKey(id.branch, id.via, request.method);
    const existing = this.servers.get(key);
    if (existing) return this.run(key, existing.receive(request, now));
    if (request.method === 'ACK') return [{ type: 'stray', message: request, source }];
    if (this.size >= this.maxTransactions) {
      return [{ type: 'dropped', reason: 'overloaded', detail: `${this.size} live transactions`, message: request }];
    }
    const replyTo = responseDestination(id.via, source);
    if (request.method === 'INVITE') {
      const tx = new InviteServerTransaction(request, replyTo, this.timers);
      this.servers.set(key, tx);
      return this.run(key, tx.start(now));
    }
    const tx = new NonInviteServerTransaction(request, replyTo, this.timers);
    this.servers.set(key, tx);
    if (request.method !== 'CANCEL') return this.run(key, tx.start());
    tx.start(); // its only action is delivering the CANCEL, which the 'cancel' event replaces
    const target = this.cancelTarget(request);
    return [{ type: 'cancel', tx: key, ...(target && this.servers.has(target) ? { target } : {}), message: request }];
  }

  /** The INVITE a CANCEL refers to matches it by branch and sent-by, with method INVITE (§9.2). */
  private cancelTarget(cancel: SipRequest): string | undefined {
    const id = identify(cancel);
    return id.ok ? serverKey(id.value.branch, id.value.via, 'INVITE') : undefined;
  }

  private sendCancel(inviteKey: string, invite: InviteClientTransaction, now: number): ManagerEvent[] {
    this.pendingCancels.delete(inviteKey);
    const sent = this.send(buildCancel(invite.request), invite.to, now);
    if (!sent.ok) return []; // a CANCEL for this INVITE is already under way
    return [...sent.value.events, ...this.run(inviteKey, invite.cancelSent(now))];
  }

  /** Tags a transaction's actions and forgets the transaction once it reports its end. */
  private run(id: string, actions: Action[]): ManagerEvent[] {
    if (actions.some((a) => a.type === 'terminated')) {
      this.clients.delete(id);
      this.servers.delete(id);
      this.pendingCancels.delete(id);
    }
    return tagged(id, actions);
  }
}
