/**
 * An outbound call leg (UAC): INVITE to the trunk with our SDP offer, one digest retry when
 * challenged, ring timeout via CANCEL, ACK for every 2xx, and the dialog once answered.
 * Failures never throw: they end the leg with an end_reason.
 */
import { acceptAnswer, createOffer, type PendingOffer } from '../sdp/index.ts';
import { bodyText, type SipRequest, type SipResponse } from '../sip/message.ts';
import {
  buildAck,
  buildAuthenticatedRequest,
  buildBye,
  buildInvite,
  createUacDialog,
  newCallId,
  newTag,
  type Dialog,
} from '../sip/dialog/index.ts';
import { CallLeg, hostForUri } from './call-leg.ts';
import { resolveTrunk, type TrunkAddress } from './peer-address.ts';
import type { HangupSide, LegEnvironment, LegListener, LegMedia, MediaPorts, OutboundLegRequest } from './types.ts';

type EndReasonFor = (status: number) => string;

/** How long a hang-up before the answer waits for the INVITE to end after our CANCEL (the 487, ACKed). */
const CANCEL_WAIT_MS = 5_000;

export class OutboundLeg<P extends MediaPorts, M extends LegMedia> extends CallLeg<P, M> {
  private invite?: SipRequest;
  private inviteTx?: string;
  private offer?: PendingOffer;
  private authRetried = false;
  /** Any response at all (even 100 Trying) proves the trunk is there. */
  private responded = false;
  private ringTimer?: NodeJS.Timeout;
  private ack?: SipRequest;
  /** Settles when the current INVITE transaction has its final response or failed. */
  private inviteOver: Promise<void> = Promise.resolve();
  /** Set when we gave up before an answer: a late 2xx is acknowledged and hung up at once. */
  private abandoned?: { reason: string; by: HangupSide };
  private readonly ringing = new Set<number>();

  private constructor(
    env: LegEnvironment<P, M>,
    listener: LegListener<M>,
    private readonly trunk: TrunkAddress,
    private readonly request: OutboundLegRequest,
    private readonly endReasonFor: EndReasonFor,
  ) {
    super(env, listener, { host: trunk.host, port: trunk.port, transport: trunk.transport });
  }

  /** Places the call. Never rejects: every failure ends the leg through `listener.onEnded`. */
  static async place<P extends MediaPorts, M extends LegMedia>(
    env: LegEnvironment<P, M>,
    request: OutboundLegRequest,
    listener: LegListener<M>,
    endReasonFor: EndReasonFor,
  ): Promise<OutboundLeg<P, M> | undefined> {
    const trunk = await resolveTrunk(request.trunk);
    if (!trunk) {
      listener.onEvent?.({ event: 'sip_error', level: 'ERROR', data: { detail: 'trunk address does not resolve' } });
      listener.onEnded({ reason: 'trunk_unreachable', by: 'system', answered: false });
      return undefined;
    }
    const leg = new OutboundLeg(env, listener, trunk, request, endReasonFor);
    await leg.start();
    return leg;
  }

  private async start(): Promise<void> {
    try {
      this.ports = await this.env.allocatePorts();
    } catch (error) {
      this.env.logger.error({ err: error }, 'no RTP ports for an outbound call');
      return this.finish({ reason: 'internal_error', by: 'system', answered: false });
    }
    this.local = { address: this.env.publicHost, port: this.ports.port, encryption: this.request.encryption, sessionVersion: '1' };
    this.offer = createOffer(this.local);
    this.lastSdp = this.offer.sdp;
    const host = this.trunk.uriHost;
    const toUri = this.request.toUri ?? `sip:${this.request.to}@${host}`;
    const built = buildInvite({
      requestUri: toUri,
      from: { uri: `sip:${this.request.from}@${host}` },
      fromTag: newTag(),
      to: { uri: toUri },
      callId: newCallId(undefined, hostForUri(this.env.publicHost)),
      via: this.via(),
      contact: this.contactUri(),
      sdp: this.offer.sdp,
      userAgent: 'Habla',
    });
    if (!built.ok) {
      this.env.logger.warn({ code: built.error.code }, 'outbound INVITE could not be built');
      return this.finish({ reason: 'no_route', by: 'system', answered: false });
    }
    this.sendInvite(built.value);
    this.ringTimer = setTimeout(() => void this.onRingTimeout(), this.request.ringTimeoutMs);
    this.ringTimer.unref();
  }

  private sendInvite(invite: SipRequest): void {
    let over!: () => void;
    this.inviteOver = new Promise((resolve) => (over = resolve));
    const sent = this.env.endpoint.sendRequest(invite, this.peer, {
      onResponse: (response) => {
        if (response.status >= 200) over();
        this.onResponse(response);
      },
      onFailure: (reason) => {
        over();
        this.onInviteFailure(reason);
      },
    });
    if (!sent) {
      over();
      return this.finish({ reason: 'internal_error', by: 'system', answered: false });
    }
    this.invite = sent.request;
    this.inviteTx = sent.id;
    this.emit({ event: 'invite_sent', data: { trunk: `${this.peer.host}:${this.peer.port}`, authenticated: this.authRetried } });
  }

  /** A number we transfer to goes where our calls go: the trunk. */
  protected override referHost(): string {
    return this.trunk.uriHost;
  }

  async hangup(reason: string, by: HangupSide): Promise<void> {
    if (this.answered) {
      if (!this.ended) this.emit({ event: 'hangup', data: { by } });
      const bye = this.sendBye();
      this.finish({ reason, by, answered: true });
      return bye;
    }
    return this.giveUp(reason, by);
  }

  /**
   * A ring timeout shorter than timer B (32 s) must not turn a dead trunk into no_answer: with
   * not even a 100 Trying by then, nothing rang — the trunk is unreachable.
   */
  private onRingTimeout(): Promise<void> {
    if (this.responded) return this.giveUp('ring_timeout', 'system');
    if (!this.ended && !this.answered) this.emit({ event: 'sip_error', level: 'ERROR', data: { detail: 'no answer from the trunk (no response within the ring timeout)' } });
    return this.giveUp('trunk_unreachable', 'system');
  }

  /**
   * Before an answer: CANCEL (held by the transaction layer until a 1xx, §9.1) and end now.
   * Resolves once the INVITE is over (its 487 received and ACKed by the transaction), within
   * CANCEL_WAIT_MS: a shutdown awaits this before it closes the SIP socket.
   */
  private async giveUp(reason: string, by: HangupSide): Promise<void> {
    if (this.ended || this.answered) return;
    this.abandoned = { reason, by };
    if (reason === 'ring_timeout') this.emit({ event: 'ring_timeout' });
    const cancelled = this.inviteTx !== undefined && this.env.endpoint.cancelRequest(this.inviteTx);
    this.finish({ reason, by, answered: false });
    // No response yet: the CANCEL waits for a 1xx that may never come, so there is nothing to wait for.
    if (!cancelled || !this.responded) return;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, CANCEL_WAIT_MS)));
    timer?.unref();
    await Promise.race([this.inviteOver, waited]);
    clearTimeout(timer);
  }

  private onResponse(response: SipResponse): void {
    const status = response.status;
    this.responded = true;
    if (status < 200) return this.onProvisional(status);
    if (status < 300) return this.onSuccess(response);
    if (this.ended) return; // the 487 to our CANCEL, or a late failure: already reported
    if ((status === 401 || status === 407) && this.retryWithCredentials(response)) return;
    const reason = (status === 401 || status === 407 || (status === 403 && this.authRetried)) ? 'trunk_auth_failed' : this.endReasonFor(status);
    this.emit({ event: 'sip_error', level: status >= 500 ? 'ERROR' : 'WARNING', data: { status_code: status, reason: response.reason } });
    this.finish({ reason, by: 'system', answered: false, sipStatus: status });
  }

  private onProvisional(status: number): void {
    if (status === 100 || this.ended || this.ringing.has(status)) return;
    this.ringing.add(status);
    this.emit({ event: 'ringing', data: { status_code: status } });
    this.listener.onRinging?.(status);
  }

  private retryWithCredentials(challenge: SipResponse): boolean {
    const credentials = this.request.credentials;
    if (!credentials || this.authRetried || !this.invite) return false;
    const retry = buildAuthenticatedRequest(this.invite, challenge, credentials, { via: this.via() });
    if (!retry.ok) return false;
    this.authRetried = true;
    this.emit({ event: 'auth_challenge', data: { status_code: challenge.status } });
    this.sendInvite(retry.value);
    return true;
  }

  private onSuccess(response: SipResponse): void {
    if (this.ack) return this.env.endpoint.sendStateless(this.ack, this.peer); // a retransmitted 2xx
    if (!this.invite) return;
    const created = createUacDialog(this.invite, response);
    if (!created.ok) {
      this.env.logger.warn({ code: created.error.code }, 'unusable 2xx to our INVITE');
      return this.finish({ reason: 'sip_error_200', by: 'system', answered: false, sipStatus: 200 });
    }
    const dialog = created.value;
    if (!this.acknowledge(dialog)) return;
    if (this.abandoned || this.ended) return this.hangUpLateAnswer(dialog);
    const negotiated = this.offer && acceptAnswer(this.offer, bodyText(response));
    if (!negotiated || !negotiated.ok) {
      this.emit({ event: 'sip_error', level: 'ERROR', data: { detail: negotiated?.ok === false ? negotiated.error.reason : 'no offer' } });
      this.dialog = dialog;
      void this.sendBye();
      return this.finish({ reason: 'media_negotiation_failed', by: 'system', answered: false });
    }
    clearTimeout(this.ringTimer);
    this.dialog = dialog;
    this.env.endpoint.addDialog(dialog.id.callId, dialog.id.localTag, this, this.peer);
    this.answered = true;
    this.emit({ event: 'answered', data: { codec: negotiated.value.codec, srtp: negotiated.value.crypto !== null } });
    this.attachMedia(this.env.openMedia(this.ports!, negotiated.value));
    this.listener.onAnswered(this.media!);
  }

  private acknowledge(dialog: Dialog): boolean {
    const ack = buildAck(dialog, { via: this.via(), invite: this.invite });
    if (!ack.ok) return false;
    this.ack = ack.value;
    this.env.endpoint.sendStateless(ack.value, this.peer);
    return true;
  }

  /** The callee answered after we gave up (CANCEL crossed the 200): ACK and BYE at once. */
  private hangUpLateAnswer(dialog: Dialog): void {
    const bye = buildBye(dialog, { via: this.via() });
    if (bye.ok) this.env.endpoint.sendRequest(bye.value.request, this.peer, { onResponse: () => {}, onFailure: () => {} });
  }

  private onInviteFailure(reason: 'timeout' | 'transport_error'): void {
    if (this.ended || this.answered) return;
    this.emit({ event: 'sip_error', level: 'ERROR', data: { detail: `no answer from the trunk (${reason})` } });
    this.finish({ reason: 'trunk_unreachable', by: 'system', answered: false });
  }

  protected override releaseSipState(): void {
    clearTimeout(this.ringTimer);
    super.releaseSipState();
  }
}
