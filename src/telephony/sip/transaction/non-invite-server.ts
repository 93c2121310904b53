/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2).
 *
 *   trying ──1xx from TU──▶ proceeding ──200-699 from TU──▶ completed (timer J) ──▶ terminated
 *      └──────────────200-699 from TU────────────────▲
 *
 * Request retransmissions are answered with the last response sent (none yet in Trying:
 * RFC 4320 forbids a 100 for non-INVITE, so they are absorbed).
 */
import type { SipRequest, SipResponse } from '../message.ts';
import { identify, requireIdentity, serverKey } from './identity.ts';
import { TimerSet } from './timers.ts';
import {
  isReliable, timerConfig, type Action, type Destination, type NonInviteServerState, type TimerConfig, type TimerName,
} from './types.ts';

export class NonInviteServerTransaction {
  readonly kind = 'non-invite-server';
  readonly key: string;
  private stateValue: NonInviteServerState = 'trying';
  private readonly timers = new TimerSet();
  private readonly config: TimerConfig;
  private readonly reliable: boolean;
  private lastResponse: SipResponse | undefined;

  constructor(readonly request: SipRequest, readonly replyTo: Destination, config: Partial<TimerConfig> = {}) {
    const id = requireIdentity(request);
    this.key = serverKey(id.branch, id.via, request.method);
    this.config = timerConfig(config);
    this.reliable = isReliable(replyTo.transport);
  }

  get state(): NonInviteServerState {
    return this.stateValue;
  }

  get method(): string {
    return this.request.method;
  }

  start(): Action[] {
    return [{ type: 'deliver', message: this.request }];
  }

  /** A retransmission of the request. */
  receive(request: SipRequest): Action[] {
    const id = identify(request);
    if (!id.ok || serverKey(id.value.branch, id.value.via, request.method) !== this.key) return [];
    if (this.stateValue === 'terminated' || !this.lastResponse) return [];
    return [{ type: 'send', message: this.lastResponse, to: this.replyTo, retransmission: true }];
  }

  respond(response: SipResponse, now: number): Action[] {
    const { status } = response;
    if (status < 100 || status > 699) return [];
    if (this.stateValue !== 'trying' && this.stateValue !== 'proceeding') return [];
    this.lastResponse = response;
    const send: Action = { type: 'send', message: response, to: this.replyTo };
    if (status < 200) {
      this.stateValue = 'proceeding';
      return [send];
    }
    this.stateValue = 'completed';
    if (this.reliable) return [send, ...this.end('completed')];
    // Timer J: stay long enough to answer every retransmission the client may still send.
    return [send, this.timers.start('J', now + 64 * this.config.t1)];
  }

  onTimer(timer: TimerName): Action[] {
    if (!this.timers.fire(timer)) return [];
    return timer === 'J' ? this.end('completed') : [];
  }

  transportError(): Action[] {
    return this.stateValue === 'proceeding' || this.stateValue === 'completed' ? this.end('transport_error') : [];
  }

  private end(reason: 'completed' | 'transport_error'): Action[] {
    this.stateValue = 'terminated';
    return this.timers.terminate(reason);
  }
}
