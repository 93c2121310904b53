/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2): BYE, CANCEL, OPTIONS, REGISTER…
 *
 *   trying ──1xx──▶ proceeding ──200-699──▶ completed (absorb retransmissions, timer K)
 *      └────────────200-699─────────────────▲
 *
 * Timer E retransmits on UDP, doubling up to T2 (straight to T2 once a 1xx arrived);
 * timer F ends the transaction after 64*T1 without a final response.
 */
import type { SipRequest, SipResponse } from '../message.ts';
import { requireIdentity, responseMatches, type MessageIdentity } from './identity.ts';
import { TimerSet } from './timers.ts';
import {
  isReliable, timerConfig, type Action, type Destination, type NonInviteClientState, type TimerConfig, type TimerName,
} from './types.ts';

export class NonInviteClientTransaction {
  readonly kind = 'non-invite-client';
  private stateValue: NonInviteClientState = 'trying';
  private readonly timers = new TimerSet();
  private readonly config: TimerConfig;
  private readonly reliable: boolean;
  private readonly identity: MessageIdentity;
  private intervalE: number;

  constructor(readonly request: SipRequest, readonly to: Destination, config: Partial<TimerConfig> = {}) {
    this.identity = requireIdentity(request);
    this.config = timerConfig(config);
    this.reliable = isReliable(to.transport);
    this.intervalE = this.config.t1;
  }

  get state(): NonInviteClientState {
    return this.stateValue;
  }

  get branch(): string {
    return this.identity.branch;
  }

  start(now: number): Action[] {
    const out: Action[] = [{ type: 'send', message: this.request, to: this.to }];
    if (!this.reliable) out.push(this.timers.start('E', now + this.intervalE));
    out.push(this.timers.start('F', now + 64 * this.config.t1));
    return out;
  }

  receive(response: SipResponse, now: number): Action[] {
    if (!responseMatches(this.identity, response) || response.status < 100 || response.status > 699) return [];
    if (this.stateValue !== 'trying' && this.stateValue !== 'proceeding') return []; // completed absorbs retransmissions
    if (response.status < 200) {
      this.stateValue = 'proceeding';
      return [{ type: 'deliver', message: response }];
    }
    this.stateValue = 'completed';
    const out: Action[] = [...this.timers.cancel('E', 'F'), { type: 'deliver', message: response }];
    if (this.reliable) return [...out, ...this.end('completed')];
    return [...out, this.timers.start('K', now + this.config.t4)];
  }

  onTimer(timer: TimerName, now: number): Action[] {
    if (!this.timers.fire(timer)) return [];
    switch (timer) {
      case 'E':
        // In Proceeding the server is known to be alive and slow: poll every T2 (§17.1.2.2).
        this.intervalE = this.stateValue === 'proceeding' ? this.config.t2 : Math.min(2 * this.intervalE, this.config.t2);
        return [{ type: 'send', message: this.request, to: this.to, retransmission: true }, this.timers.start('E', now + this.intervalE)];
      case 'F':
        return this.end('timeout');
      case 'K':
        return this.end('completed');
      default:
        return [];
    }
  }

  transportError(): Action[] {
    return this.stateValue === 'trying' || this.stateValue === 'proceeding' ? this.end('transport_error') : [];
  }

  private end(reason: 'completed' | 'timeout' | 'transport_error'): Action[] {
    this.stateValue = 'terminated';
    return this.timers.terminate(reason);
  }
}
