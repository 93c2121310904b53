/**
 * The agent's CallControl on a SIP call. A cold transfer is first a REFER on the call's leg
 * (src/telephony/call/call-leg.ts): the leg ends itself `transferred` when the target took the
 * call. When the customer's side refuses the REFER (referRefused: a final error, no answer),
 * Habla dials the target itself through the phone's trunk and bridges the two calls
 * (invite-transfer.ts, owned by the CallSession). A target that fails — busy, no answer, on a
 * REFER's NOTIFY or on our own INVITE — leaves the call with the agent, told why.
 * `transfer_type: invite` skips the REFER: Habla dials the target and bridges it at once (for
 * trunks known not to take REFER, and to keep the call's media on Habla).
 */
import { referRefused, type TransferResult } from '../telephony/call/refer.ts';
import type { LegEvent } from '../telephony/call/types.ts';
import type { CallControl, TransferOutcome, TransferRequest } from '../voice/tools/call-control.ts';

export interface TransferableLeg {
  transfer?(target: string, signal: AbortSignal): Promise<TransferResult>;
}

export interface SipCallControlDeps {
  /** Read at transfer time: an outbound call's leg is attached after its answer may have started the agent. */
  leg(): TransferableLeg | undefined;
  /**
   * Dials the target and bridges it in; resolves once bridged or failed. Absent when the phone
   * has no outbound trunk (an inbound-only number): a refused REFER then ends the attempt.
   */
  bridgeTo?(target: string): Promise<TransferResult>;
  log(event: string, data?: Record<string, unknown>, level?: LegEvent['level']): void;
}

export class SipCallControl implements CallControl {
  constructor(private readonly deps: SipCallControlDeps) {}

  async transfer(request: TransferRequest, signal: AbortSignal): Promise<TransferOutcome> {
    const leg = this.deps.leg();
    if (!leg?.transfer) return { status: 'failed', reason: 'call_not_active' };
    if (request.mode === 'invite') return this.bridge(request.target);
    const refer = await leg.transfer(request.target, signal);
    if (refer.ok) return { status: 'transferred' };
    if (!referRefused(refer.reason) || !this.deps.bridgeTo) return this.failed(refer.reason);
    this.deps.log('transfer_refused', { reason: refer.reason }, 'WARNING');
    // The caller speaking while the target rings (`signal` aborting) does not stop the dial:
    // people say "ok, thanks" while they wait. The dial ends on an answer, a failure, the ring
    // timeout or the end of the call; the agent stays quiet until then.
    return this.bridge(request.target);
  }

  private async bridge(target: string): Promise<TransferOutcome> {
    if (!this.deps.bridgeTo) return this.failed('no_outbound_trunk');
    const bridged = await this.deps.bridgeTo(target);
    return bridged.ok ? { status: 'transferred' } : this.failed(bridged.reason);
  }

  private failed(reason: string): TransferOutcome {
    this.deps.log('transfer_failed', { reason }, 'WARNING');
    return { status: 'failed', reason };
  }
}
