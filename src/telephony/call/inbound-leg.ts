/**
 * An inbound call leg (UAS) for an INVITE the admission layer accepted: checks the offer,
 * answers with 200 + SDP once the engine is ready, repeats the 2xx until the ACK, and turns
 * a CANCEL before that into `customer_cancelled`. In-dialog requests go to the peer the
 * INVITE came from (its Contact may be a private address behind NAT).
 */
import { acceptAnswer, answerOffer, createOffer, type MediaEncryption, type NegotiatedMedia, type PendingOffer } from '../sdp/index.ts';
import type { AcceptedInvite, SipTarget } from '../sip/endpoint-types.ts';
import { bodyText, type SipRequest } from '../sip/message.ts';
import { buildDialogResponse, confirmDialog, createUasDialog, reasonPhrase, type Dialog } from '../sip/dialog/index.ts';
import { createResponse } from '../sip/response.ts';
import { CallLeg, contactUriFor } from './call-leg.ts';
import { parseTrunk } from './peer-address.ts';
import type { HangupSide, LegEnvironment, LegListener, LegMedia, MediaPorts } from './types.ts';

export class InboundLeg<P extends MediaPorts, M extends LegMedia> extends CallLeg<P, M> {
  private offerless?: PendingOffer;

  private constructor(
    env: LegEnvironment<P, M>,
    listener: LegListener<M>,
    private readonly accepted: AcceptedInvite,
    private readonly encryption: MediaEncryption,
    private readonly early: Dialog,
  ) {
    super(env, listener, { host: accepted.source.host, port: accepted.source.port, transport: transportOf(accepted) });
  }

  /**
   * Checks that the INVITE can be answered (dialog headers, an acceptable offer) without
   * allocating anything. Returns the SIP status to refuse it with, or the leg.
   */
  static take<P extends MediaPorts, M extends LegMedia>(
    env: LegEnvironment<P, M>,
    accepted: AcceptedInvite,
    encryption: MediaEncryption,
    listener: LegListener<M>,
  ): { ok: true; leg: InboundLeg<P, M> } | { ok: false; status: number; reason: string } {
    const contact = contactUriFor(env.publicHost, env.sipPort, transportOf(accepted));
    const dialog = createUasDialog(accepted.invite, { localTag: accepted.toTag, localContact: contact });
    if (!dialog.ok) return { ok: false, status: dialog.error.status ?? 400, reason: dialog.error.message };
    const offer = bodyText(accepted.invite);
    if (offer.trim() !== '') {
      const probe = answerOffer(offer, { address: env.publicHost, port: 9, encryption });
      if (!probe.ok) return { ok: false, status: 488, reason: probe.error.reason };
    }
    const leg = new InboundLeg(env, listener, accepted, encryption, dialog.value);
    env.endpoint.watchInvite(accepted.tx, leg);
    return { ok: true, leg };
  }

  /** Sends a final refusal for an INVITE `take` rejected. */
  static refuse(env: LegEnvironment, accepted: AcceptedInvite, status: number, reason: string): void {
    // RFC 3261 §20.43: 305 "Incompatible media format" tells the caller why its offer failed.
    const warning = { name: 'Warning', value: `305 habla "${reason.replace(/["\\\r\n]/g, ' ')}"` };
    env.endpoint.respond(accepted.tx, createResponse(accepted.invite, status, reasonPhrase(status), { toTag: accepted.toTag, headers: status === 488 ? [warning] : [] }));
  }

  /**
   * A TCP caller is reached on the connection its INVITE came on. When that connection is gone (a
   * firewall dropped it during a long call) its source port no longer listens, so our request
   * goes to the dialog's remote target (the caller's Contact) on a new connection, as RFC 3261
   * §12.2.1.1 has it.
   */
  protected override requestTarget(): SipTarget {
    if (this.peer.transport !== 'TCP' || !this.dialog || this.env.endpoint.hasConnection(this.peer)) return this.peer;
    const target = parseTrunk(this.dialog.remoteTarget);
    return target ? { host: target.host, port: target.port, transport: 'TCP' } : this.peer;
  }

  /** Answers the call: RTP ports, SDP answer (or offer, for an offerless INVITE), 200 OK. */
  async answer(): Promise<void> {
    if (this.ended) return;
    try {
      this.ports = await this.env.allocatePorts();
    } catch (error) {
      this.env.logger.error({ err: error }, 'no RTP ports for an inbound call');
      return this.reject(503, 'internal_error', 'system');
    }
    if (this.ended) return void this.ports.close();
    this.local = { address: this.env.publicHost, port: this.ports.port, encryption: this.encryption, sessionVersion: '1' };
    const offer = bodyText(this.accepted.invite);
    let sdp: string;
    let media: NegotiatedMedia | undefined;
    if (offer.trim() === '') {
      this.offerless = createOffer(this.local);
      sdp = this.offerless.sdp;
    } else {
      const answer = answerOffer(offer, this.local);
      if (!answer.ok) return this.reject(488, 'media_negotiation_failed', 'system');
      sdp = answer.value.sdp;
      media = answer.value.media;
    }
    this.lastSdp = sdp;
    this.env.endpoint.watchInvite(this.accepted.tx, undefined);
    this.dialog = confirmDialog(this.early);
    this.env.endpoint.addDialog(this.dialog.id.callId, this.dialog.id.localTag, this, this.peer);
    const ok = buildDialogResponse(this.accepted.invite, this.dialog, 200, { sdp });
    this.send2xx(this.accepted.tx, ok, () => this.ackNeverCame());
    this.answered = true;
    this.emit({ event: 'answered', data: media ? { codec: media.codec, srtp: media.crypto !== null } : { offerless: true } });
    if (media) this.startMedia(this.env.openMedia(this.ports, media));
  }

  private startMedia(media: M): void {
    this.attachMedia(media);
    this.listener.onAnswered(media);
  }

  protected override onAcknowledged(ack: SipRequest): void {
    if (!this.offerless || this.media || !this.ports) return;
    const answer = acceptAnswer(this.offerless, bodyText(ack));
    if (!answer.ok) {
      this.emit({ event: 'sip_error', level: 'ERROR', data: { detail: answer.error.reason } });
      void this.hangup('media_negotiation_failed', 'system');
      return;
    }
    this.startMedia(this.env.openMedia(this.ports, answer.value));
  }

  private ackNeverCame(): void {
    this.emit({ event: 'sip_error', level: 'ERROR', data: { detail: 'no ACK for our 200 OK' } });
    void this.hangup('ack_timeout', 'system');
  }

  /** The caller gave up before we answered; the endpoint already sent 200 (CANCEL) and 487. */
  onCancel(): void {
    this.emit({ event: 'hangup', data: { by: 'customer', before_answer: true } });
    this.finish({ reason: 'customer_cancelled', by: 'customer', answered: false });
  }

  async hangup(reason: string, by: HangupSide): Promise<void> {
    if (this.ended) return;
    if (!this.answered) return this.reject(reason === 'server_shutdown' ? 503 : 480, reason, by);
    this.emit({ event: 'hangup', data: { by } });
    const bye = this.sendBye();
    this.finish({ reason, by, answered: true });
    return bye;
  }

  private reject(status: number, reason: string, by: HangupSide): void {
    if (this.ended) return;
    this.env.endpoint.watchInvite(this.accepted.tx, undefined);
    this.env.endpoint.respond(this.accepted.tx, buildDialogResponse(this.accepted.invite, this.early, status));
    this.finish({ reason, by, answered: false });
  }
}

/** The transport the INVITE came on: the dialog stays on it. */
function transportOf(accepted: AcceptedInvite): 'UDP' | 'TCP' {
  return accepted.source.transport === 'TCP' ? 'TCP' : 'UDP';
}
