/**
 * A transfer Habla carries out itself, when the customer's side refused our REFER: a new call
 * to the transfer target through the phone's trunk and, once the target answers, the two calls'
 * audio bridged (media-bridge.ts). Owned by the customer's CallSession, which hands it the end
 * of its own leg; this object tells the session when the target's side ends first.
 *
 *   dialing ──answer──▶ bridged ──either side ends──▶ over
 *      └──busy / no answer / error / our end──────────▶ over (the transfer failed)
 */
import type { TransferResult } from '../telephony/call/refer.ts';
import type { HangupSide, LegEnd, LegEvent, LegListener } from '../telephony/call/types.ts';
import type { CallMedia } from '../telephony/media/types.ts';
import { endAfterTarget, targetFailureReason, targetLogEntry } from './invite-transfer-rules.ts';
import { MediaBridge, type BridgedMedia } from './media-bridge.ts';

/** The target's call leg as the transfer drives it. */
export interface TargetLeg {
  hangup(reason: string, by: HangupSide): Promise<void>;
}

/**
 * Places the call to the target through the phone's trunk; events and the end come through
 * `listener`. Resolves with the leg (or undefined when it ended before it existed, already told
 * to `listener`). See transfer-dialer.ts.
 */
export type TransferDialer = (target: string, listener: LegListener<CallMedia>) => Promise<TargetLeg | undefined>;

export interface InviteTransferHost {
  /** The customer's media: the bridge's other side. */
  readonly customer: BridgedMedia;
  log(event: string, data?: Record<string, unknown>, level?: LegEvent['level']): void;
  /** Follows the target's media in the RTP metrics; returns the function that stops it. */
  trackMedia?(media: CallMedia): (() => void) | undefined;
  /** The bridge is up: the agent must stop talking and listening now. */
  onBridged(): void;
  /** The target's side ended the bridge: end the customer's leg this way. */
  onTargetEnded(end: { reason: string; by: HangupSide }): void;
}

type State = 'dialing' | 'bridged' | 'over';

export class InviteTransfer implements LegListener<CallMedia> {
  private state: State = 'dialing';
  private leg?: TargetLeg;
  private bridge?: MediaBridge;
  private bridgedAt?: number;
  private untrack?: () => void;
  /** Our end, asked for before the leg existed (the trunk name was still being resolved). */
  private pendingHangup?: { reason: string; by: HangupSide };
  private hangingUp?: Promise<void>;
  private settle!: (result: TransferResult) => void;
  /** Settles once: bridged (ok) or the dial failed. */
  readonly result: Promise<TransferResult>;

  constructor(private readonly host: InviteTransferHost) {
    this.result = new Promise((resolve) => (this.settle = resolve));
  }

  /** True from the target's answer on, also after the bridge ended: the call was transferred. */
  get wasBridged(): boolean {
    return this.bridgedAt !== undefined;
  }

  /** Dials the target; resolves when it is bridged or the dial failed. */
  async dial(dialer: TransferDialer, target: string): Promise<TransferResult> {
    const leg = await dialer(target, this);
    if (leg) this.leg = leg;
    if (leg && this.pendingHangup) this.hangingUp = leg.hangup(this.pendingHangup.reason, this.pendingHangup.by);
    return this.result;
  }

  /**
   * Our side ends (the customer hung up, or Habla did): CANCEL a ringing target, BYE a bridged
   * one. Resolves when the target's side was told. Idempotent.
   */
  end(reason: string, by: HangupSide): Promise<void> {
    if (this.state === 'over') return this.hangingUp ?? Promise.resolve();
    const was = this.state;
    this.stop();
    if (was === 'dialing') this.settle({ ok: false, reason: 'call_ended' });
    else this.logBridgeEnded(by === 'customer' ? 'customer' : 'system', reason);
    if (!this.leg) {
      this.pendingHangup = { reason, by };
      return Promise.resolve();
    }
    this.hangingUp = this.leg.hangup(reason, by);
    return this.hangingUp;
  }

  /** A key the customer pressed: relayed to the target while bridged. */
  digitFromCustomer(digit: string): void {
    this.bridge?.digitFromCustomer(digit);
  }

  // The target leg's listener.

  onEvent(event: LegEvent): void {
    const entry = targetLogEntry(event);
    if (entry) this.host.log(entry.event, entry.data, entry.level);
  }

  onAnswered(media: CallMedia): void {
    if (this.state !== 'dialing') return; // our end crossed its 200 OK: the leg is being hung up
    this.state = 'bridged';
    this.bridgedAt = Date.now();
    this.untrack = this.host.trackMedia?.(media);
    this.bridge = new MediaBridge(this.host.customer, media);
    this.host.log('transfer_bridged');
    this.host.onBridged();
    this.settle({ ok: true });
  }

  onDtmf(digit: string): void {
    this.bridge?.digitFromTarget(digit);
  }

  onEnded(end: LegEnd): void {
    const was = this.state;
    this.stop();
    if (was === 'dialing') return this.settle({ ok: false, reason: targetFailureReason(end) });
    if (was !== 'bridged') return;
    const after = endAfterTarget(end);
    this.logBridgeEnded(after.endedBy, end.reason);
    this.host.onTargetEnded({ reason: after.reason, by: after.by });
  }

  private stop(): void {
    this.state = 'over';
    this.bridge?.stop();
    this.untrack?.();
    this.untrack = undefined;
  }

  private logBridgeEnded(by: 'customer' | 'target' | 'system', reason: string): void {
    const stats = this.bridge?.stats;
    this.host.log('transfer_bridge_ended', {
      by,
      ...(by === 'system' ? { reason } : {}),
      bridged_ms: Date.now() - (this.bridgedAt ?? Date.now()),
      frames_to_target: stats?.toTarget.relayed ?? 0,
      frames_to_customer: stats?.toCustomer.relayed ?? 0,
      frames_dropped: (stats?.toTarget.dropped ?? 0) + (stats?.toCustomer.dropped ?? 0),
      digits_relayed: (stats?.digitsToTarget ?? 0) + (stats?.digitsToCustomer ?? 0),
    });
  }
}
