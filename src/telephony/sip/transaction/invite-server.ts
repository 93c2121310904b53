/**
 * INVITE server transaction: RFC 3261 §17.2.1 with the RFC 6026 Accepted state.
 *
 *   proceeding ──2xx from TU──▶ accepted (absorb INVITE retransmissions, TU retransmits 2xx, timer L)
 *      └───300-699 from TU──▶ completed (timer G retransmits, H waits for ACK) ──ACK──▶ confirmed (timer I)
 *
 * Without Accepted, a retransmitted INVITE arriving after the 2xx would look like a new call.
 */
import { getHeader, type SipRequest, type SipResponse } from '../message.ts';
import { createResponse } from '../response.ts';
import { identify, requireIdentity, serverKey, type MessageIdentity } from './identity.ts';
import { TimerSet } from './timers.ts';
import {
  isReliable, timerConfig, type Action, type Destination, type InviteServerState, type TimerConfig, type TimerName,
} from './types.ts';

export class InviteServerTransaction {
  readonly kind = 'invite-server';
  /** Same key for the INVITE, its retransmissions and the ACK of a non-2xx (§17.2.3). */
  readonly key: string;
  private stateValue: InviteServerState = 'proceeding';
  private readonly timers = new TimerSet();
  private readonly config: TimerConfig;
  private readonly reliable: boolean;
  private readonly identity: MessageIdentity;
  private lastProvisional: SipResponse | undefined;
  private finalResponse: SipResponse | undefined;
  private intervalG: number;

  /** `replyTo` is where responses go (see responseDestination). */
  constructor(readonly request: SipRequest, readonly replyTo: Destination, config: Partial<TimerConfig> = {}) {
    this.identity = requireIdentity(request);
    this.key = serverKey(this.identity.branch, this.identity.via, 'INVITE');
    this.config = timerConfig(config);
    this.reliable = isReliable(replyTo.transport);
    this.intervalG = this.config.t1;
  }

  get state(): InviteServerState {
    return this.stateValue;
  }

  /** The last provisional response sent (its To tag is the one a 487 after CANCEL must reuse). */
  get provisional(): SipResponse | undefined {
    return this.lastProvisional;
  }

  /** Hands the INVITE to the TU and gives it 200 ms to answer before we send 100 Trying ourselves. */
  start(now: number): Action[] {
    return [{ type: 'deliver', message: this.request }, this.timers.start('trying', now + this.config.tryingDelay)];
  }

  /** A retransmitted INVITE, or an ACK for our non-2xx final response. */
  receive(request: SipRequest, now: number): Action[] {
    const id = identify(request);
    if (!id.ok || serverKey(id.value.branch, id.value.via, request.method) !== this.key) return [];
    return request.method === 'ACK' ? this.ack(request, now) : this.retransmittedInvite();
  }

  /** A response from the TU. Anything not allowed in the current state is ignored. */
  respond(response: SipResponse, now: number): Action[] {
    const { status } = response;
    if (status < 100 || status > 699) return [];
    if (this.stateValue === 'accepted') {
      // RFC 6026: the TU keeps retransmitting its 2xx until the ACK arrives; pass them through.
      return status >= 200 && status < 300 ? [this.send(response)] : [];
    }
    if (this.stateValue !== 'proceeding') return [];
    const out: Action[] = [...this.timers.cancel('trying')];
    if (status < 200) {
      this.lastProvisional = response;
      return [...out, this.send(response)];
    }
    this.finalResponse = response;
    out.push(this.send(response));
    if (status < 300) {
      this.stateValue = 'accepted';
      return [...out, this.timers.start('L', now + 64 * this.config.t1)];
    }
    this.stateValue = 'completed';
    if (!this.reliable) out.push(this.timers.start('G', now + this.intervalG));
    return [...out, this.timers.start('H', now + 64 * this.config.t1)];
  }

  onTimer(timer: TimerName, now: number): Action[] {
    if (!this.timers.fire(timer)) return [];
    switch (timer) {
      case 'trying':
        return this.stateValue === 'proceeding' && !this.lastProvisional ? [this.sendTrying()] : [];
      case 'G':
        if (this.stateValue !== 'completed' || !this.finalResponse) return [];
        this.intervalG = Math.min(2 * this.intervalG, this.config.t2);
        return [this.send(this.finalResponse, true), this.timers.start('G', now + this.intervalG)];
      case 'H':
        // No ACK after 64*T1: the peer is gone; the TU should treat the call as failed.
        return this.end('timeout');
      case 'I':
      case 'L':
        return this.end('completed');
      default:
        return [];
    }
  }

  /** A response could not be sent. In Accepted the TU hears of it but the transaction stays (RFC 6026). */
  transportError(): Action[] {
    if (this.stateValue === 'accepted') return [{ type: 'transportError' }];
    return this.stateValue === 'proceeding' || this.stateValue === 'completed' ? this.end('transport_error') : [];
  }

  private retransmittedInvite(): Action[] {
    switch (this.stateValue) {
      case 'proceeding':
        // The client is still retransmitting, so quench it now rather than wait for the trying timer.
        if (this.lastProvisional) return [this.send(this.lastProvisional, true)];
        return [...this.timers.cancel('trying'), this.sendTrying()];
      case 'completed':
        return this.finalResponse ? [this.send(this.finalResponse, true)] : [];
      default:
        return []; // accepted, confirmed: absorbed
    }
  }

  private ack(ack: SipRequest, now: number): Action[] {
    if (this.stateValue === 'accepted') return [{ type: 'deliver', message: ack }];
    if (this.stateValue !== 'completed') return [];
    this.stateValue = 'confirmed';
    const out = this.timers.cancel('G', 'H');
    if (this.reliable) return [...out, ...this.end('completed')];
    return [...out, this.timers.start('I', now + this.config.t4)];
  }

  private sendTrying(): Action {
    const timestamp = getHeader(this.request, 'Timestamp');
    // §8.2.6.1: 100 Trying echoes Timestamp; §17.2.1: it SHOULD NOT add a To tag.
    const trying = createResponse(this.request, 100, 'Trying', { headers: timestamp ? [{ name: 'Timestamp', value: timestamp }] : [] });
    this.lastProvisional = trying;
    return this.send(trying);
  }

  private send(message: SipResponse, retransmission = false): Action {
    return retransmission ? { type: 'send', message, to: this.replyTo, retransmission: true } : { type: 'send', message, to: this.replyTo };
  }

  private end(reason: 'completed' | 'timeout' | 'transport_error'): Action[] {
    this.stateValue = 'terminated';
    return this.timers.terminate(reason);
  }
}

