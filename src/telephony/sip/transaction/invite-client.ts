/**
 * INVITE client transaction: RFC 3261 §17.1.1 with the RFC 6026 Accepted state.
 *
 *   calling ──1xx──▶ proceeding ──300-699──▶ completed (ACK sent, absorb retransmissions, timer D)
 *      │                 │
 *      └──────2xx────────┴──▶ accepted (2xx retransmissions and forks go to the TU, timer M)
 *
 * The ACK for a 2xx is a new transaction owned by the dialog; this one only passes 2xx up.
 */
import type { SipRequest, SipResponse } from '../message.ts';
import { requireIdentity, responseMatches, type MessageIdentity } from './identity.ts';
import { buildNon2xxAck } from './requests.ts';
import { TimerSet } from './timers.ts';
import {
  isReliable, timerConfig, type Action, type Destination, type InviteClientState, type TimerConfig, type TimerName,
} from './types.ts';

export class InviteClientTransaction {
  readonly kind = 'invite-client';
  private stateValue: InviteClientState = 'calling';
  private readonly timers = new TimerSet();
  private readonly config: TimerConfig;
  private readonly reliable: boolean;
  private readonly identity: MessageIdentity;
  private intervalA: number;
  private ack: SipRequest | undefined;

  constructor(readonly request: SipRequest, readonly to: Destination, config: Partial<TimerConfig> = {}) {
    this.identity = requireIdentity(request);
    this.config = timerConfig(config);
    this.reliable = isReliable(to.transport);
    this.intervalA = this.config.t1;
  }

  get state(): InviteClientState {
    return this.stateValue;
  }

  get branch(): string {
    return this.identity.branch;
  }

  /** Sends the INVITE; timer A only on UDP, timer B always (§17.1.1.2). */
  start(now: number): Action[] {
    const out: Action[] = [{ type: 'send', message: this.request, to: this.to }];
    if (!this.reliable) out.push(this.timers.start('A', now + this.intervalA));
    out.push(this.timers.start('B', now + 64 * this.config.t1));
    return out;
  }

  /** Responses that do not belong here (other branch, CSeq or method) are dropped. */
  receive(response: SipResponse, now: number): Action[] {
    if (this.stateValue === 'terminated' || !responseMatches(this.identity, response)) return [];
    const { status } = response;
    if (status < 100 || status > 699) return [];
    switch (this.stateValue) {
      case 'calling':
      case 'proceeding':
        if (status < 200) return this.provisional(response);
        return status < 300 ? this.accept(response, now) : this.complete(response, now);
      case 'accepted':
        // Retransmitted or forked 2xx: each needs an ACK from the dialog layer.
        return status >= 200 && status < 300 ? [{ type: 'deliver', message: response }] : [];
      case 'completed':
        // A lost ACK shows up as the final response coming back: send the ACK again.
        return status >= 300 && this.ack ? [{ type: 'send', message: this.ack, to: this.to, retransmission: true }] : [];
    }
  }

  onTimer(timer: TimerName, now: number): Action[] {
    if (!this.timers.fire(timer)) return [];
    switch (timer) {
      case 'A':
        if (this.stateValue !== 'calling') return [];
        // No T2 cap for INVITE: the interval doubles until timer B gives up (§17.1.1.2).
        this.intervalA *= 2;
        return [{ type: 'send', message: this.request, to: this.to, retransmission: true }, this.timers.start('A', now + this.intervalA)];
      case 'B':
      case 'cancel':
        return this.end('timeout');
      case 'D':
      case 'M':
        return this.end('completed');
      default:
        return [];
    }
  }

  /**
   * The TU sent a CANCEL for this INVITE. If no final response arrives within 64*T1 the
   * INVITE is given up (§9.1) — otherwise a UAS that never answers would keep it forever.
   */
  cancelSent(now: number): Action[] {
    if (this.stateValue !== 'calling' && this.stateValue !== 'proceeding') return [];
    return [...this.timers.cancel('cancel'), this.timers.start('cancel', now + 64 * this.config.t1)];
  }

  /** The transport could not send the INVITE or the ACK; nothing else is sent from other states. */
  transportError(): Action[] {
    return this.stateValue === 'calling' || this.stateValue === 'completed' ? this.end('transport_error') : [];
  }

  private provisional(response: SipResponse): Action[] {
    const out: Action[] = [];
    if (this.stateValue === 'calling') {
      this.stateValue = 'proceeding';
      // A provisional response proves the INVITE arrived: stop retransmitting, and let the TU's
      // own ring timeout (or CANCEL) bound the wait instead of timer B.
      out.push(...this.timers.cancel('A', 'B'));
    }
    out.push({ type: 'deliver', message: response });
    return out;
  }

  private accept(response: SipResponse, now: number): Action[] {
    this.stateValue = 'accepted';
    return [
      ...this.timers.cancel('A', 'B', 'cancel'),
      { type: 'deliver', message: response },
      this.timers.start('M', now + 64 * this.config.t1),
    ];
  }

  private complete(response: SipResponse, now: number): Action[] {
    this.stateValue = 'completed';
    this.ack = buildNon2xxAck(this.request, response);
    // The ACK goes out before the TU sees the response: a TU that reacts at once (the digest
    // retry sends a new INVITE) must not put its request on the wire ahead of this ACK.
    const out: Action[] = [
      ...this.timers.cancel('A', 'B', 'cancel'),
      { type: 'send', message: this.ack, to: this.to },
      { type: 'deliver', message: response },
    ];
    if (this.reliable) return [...out, ...this.end('completed')];
    return [...out, this.timers.start('D', now + this.config.timerD)];
  }

  private end(reason: 'completed' | 'timeout' | 'transport_error'): Action[] {
    this.stateValue = 'terminated';
    return this.timers.terminate(reason);
  }
}
