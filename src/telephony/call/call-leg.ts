/**
 * What inbound and outbound legs share once a dialog exists: answering in-dialog requests
 * (BYE, re-INVITE for hold/unhold, OPTIONS, INFO DTMF), hanging up with BYE, retransmitting
 * our 2xx until the ACK, and ending exactly once with everything released.
 */
import { performance } from 'node:perf_hooks';
import { answerOffer, type LocalMediaParams, type NegotiatedMedia } from '../sdp/index.ts';
import type { DialogHandler, SipTarget } from '../sip/endpoint-types.ts';
import { bodyText, getHeader, type SipRequest, type SipResponse } from '../sip/message.ts';
import {
  ack2xxRetransmit,
  buildBye,
  buildInDialogRequest,
  buildDialogResponse,
  newBranch,
  nextDeadline,
  receiveRequest,
  rejectRequest,
  start2xxRetransmit,
  terminateDialog,
  tick2xxRetransmit,
  type Dialog,
  type Retransmit2xx,
  type ViaInput,
} from '../sip/dialog/index.ts';
import { parseDtmfRelay } from './dtmf-relay.ts';
import { readReferNotify, referTargetUri, sendRefer, transferVerdict, type TransferResult } from './refer.ts';
import type { HangupSide, LegEnd, LegEnvironment, LegEvent, LegListener, LegMedia, MediaPorts } from './types.ts';

/** How long a BYE may wait for its answer before we stop waiting (the call is over either way). */
const BYE_WAIT_MS = 32_000;

interface Pending2xx {
  tx: string;
  response: SipResponse;
  state: Retransmit2xx;
  timer?: NodeJS.Timeout;
  onGiveUp: () => void;
}

export abstract class CallLeg<P extends MediaPorts, M extends LegMedia> implements DialogHandler {
  protected dialog?: Dialog;
  protected media?: M;
  protected ports?: P;
  protected local?: LocalMediaParams;
  protected answered = false;
  private ending?: LegEnd;
  private byeFinished?: Promise<void>;
  private pending2xx?: Pending2xx;
  private remoteHold = false;
  /** The transfer under way: settled by the REFER's failure, the final NOTIFY, a timeout or the end. */
  private referring?: (result: TransferResult) => void;
  /** The transfer target took the call: a BYE from the peer now ends it as transferred. */
  private handedOver = false;
  /** A REFER left during this call: a later success NOTIFY still means the call was handed over. */
  private referSent = false;

  protected constructor(
    protected readonly env: LegEnvironment<P, M>,
    protected readonly listener: LegListener<M>,
    /** Where our requests go: the trunk, or the address an inbound INVITE came from (NAT-safe). */
    protected readonly peer: SipTarget,
  ) {}

  get ended(): boolean {
    return this.ending !== undefined;
  }

  /** Ends the call from our side; resolves when the peer has been told (or gave no answer). */
  abstract hangup(reason: string, by: HangupSide): Promise<void>;

  onRequest(tx: string, request: SipRequest): void {
    if (!this.dialog || this.dialog.state === 'terminated') {
      return this.env.endpoint.respond(tx, rejectRequest(request, { code: 'unknown_dialog', message: 'ended', status: 481 }));
    }
    const received = receiveRequest(this.dialog, request);
    if (!received.ok) return this.env.endpoint.respond(tx, rejectRequest(request, received.error));
    this.dialog = received.value;
    const reply = (status: number, sdp?: string) => this.env.endpoint.respond(tx, buildDialogResponse(request, this.dialog!, status, { sdp }));
    switch (request.method) {
      case 'BYE':
        reply(200);
        if (this.handedOver) return this.finish({ reason: 'transferred', by: 'agent', answered: true });
        this.emit({ event: 'hangup', data: { by: 'customer' } });
        return this.finish({ reason: 'customer_hangup', by: 'customer', answered: this.answered });
      case 'NOTIFY':
        return this.onNotify(request, reply);
      case 'INVITE':
        return this.onReInvite(tx, request);
      case 'INFO':
        return this.onInfo(request, reply);
      case 'OPTIONS':
      case 'UPDATE':
        return reply(request.method === 'OPTIONS' ? 200 : 501);
      default:
        return reply(405);
    }
  }

  onAck(ack: SipRequest): void {
    if (!this.pending2xx) return;
    this.pending2xx.state = ack2xxRetransmit(this.pending2xx.state);
    clearTimeout(this.pending2xx.timer);
    this.pending2xx = undefined;
    this.onAcknowledged(ack);
  }

  /** The ACK for our 2xx arrived (an offerless INVITE's answer rides on it). */
  protected onAcknowledged(_ack: SipRequest): void {}

  /** Sends a 2xx to an INVITE and repeats it until the ACK (§13.3.1.4). */
  protected send2xx(tx: string, response: SipResponse, onGiveUp: () => void): void {
    this.env.endpoint.respond(tx, response);
    const state = start2xxRetransmit(performance.now(), this.env.timers);
    this.pending2xx = { tx, response, state, onGiveUp };
    this.arm2xx();
  }

  private arm2xx(): void {
    const pending = this.pending2xx;
    const at = pending && nextDeadline(pending.state);
    if (!pending || at === undefined) return;
    pending.timer = setTimeout(() => {
      const { state, action } = tick2xxRetransmit(pending.state, performance.now());
      pending.state = state;
      if (action === 'retransmit') this.env.endpoint.respond(pending.tx, pending.response);
      if (action === 'give_up') {
        this.pending2xx = undefined;
        return pending.onGiveUp();
      }
      this.arm2xx();
    }, Math.max(0, at - performance.now()));
    pending.timer.unref();
  }

  private onReInvite(tx: string, request: SipRequest): void {
    const offer = bodyText(request);
    if (!this.local || offer.trim() === '') {
      // An offerless re-INVITE (a session refresh): answer with the description we have.
      return this.send2xx(tx, buildDialogResponse(request, this.dialog!, 200, { sdp: this.currentSdp() }), () => {});
    }
    this.local = { ...this.local, sessionVersion: String(Number(this.local.sessionVersion ?? '1') + 1) };
    const answer = answerOffer(offer, this.local);
    if (!answer.ok) {
      this.emit({ event: 'reinvite_rejected', level: 'WARNING', data: { reason: answer.error.reason } });
      return this.env.endpoint.respond(tx, buildDialogResponse(request, this.dialog!, 488, { reason: 'Not Acceptable Here' }));
    }
    this.lastSdp = answer.value.sdp;
    this.send2xx(tx, buildDialogResponse(request, this.dialog!, 200, { sdp: answer.value.sdp }), () => {});
    this.media?.update(answer.value.media);
    this.noteHold(answer.value.media);
  }

  protected lastSdp?: string;

  private currentSdp(): string | undefined {
    return this.lastSdp;
  }

  private noteHold(media: NegotiatedMedia): void {
    this.emit({ event: 'reinvite_received', data: { direction: media.direction } });
    if (media.remoteHold === this.remoteHold) return;
    this.remoteHold = media.remoteHold;
    this.emit({ event: media.remoteHold ? 'hold' : 'unhold' });
  }

  /**
   * Cold transfer (RFC 3515): REFER the peer to `target` (E.164 or a sip: URI), then wait for
   * the NOTIFY whose sipfrag carries the new call's final status. On success we BYE and the leg
   * ends `transferred`; on any failure the call stays ours and the reason says why (the engine
   * logs it: it may still transfer another way, src/engine/sip-call-control.ts).
   */
  async transfer(target: string, signal: AbortSignal): Promise<TransferResult> {
    const dialog = this.dialog;
    if (this.ended || !this.answered || !dialog || dialog.state !== 'confirmed') return { ok: false, reason: 'call_not_active' };
    if (this.referring) return { ok: false, reason: 'transfer_in_progress' };
    const referTo = referTargetUri(target, this.referHost());
    if (!referTo) return { ok: false, reason: 'invalid_target' };
    const built = buildInDialogRequest(dialog, 'REFER', {
      via: this.via(),
      headers: [
        { name: 'Refer-To', value: `<${referTo}>` },
        { name: 'Referred-By', value: `<${this.contactUri()}>` },
        { name: 'Contact', value: `<${this.contactUri()}>` },
      ],
    });
    if (!built.ok) return { ok: false, reason: 'refer_not_built' };
    this.dialog = built.value.dialog;
    this.referSent = true;
    const result = await this.awaitTransfer(built.value.request, signal);
    if (result.ok) await this.handOver();
    return result;
  }

  /** The target took the call: it is no longer ours. BYE our side and end `transferred`. */
  private handOver(): Promise<void> {
    this.handedOver = true;
    this.emit({ event: 'transferred' });
    if (this.ended) return Promise.resolve();
    const bye = this.sendBye();
    this.finish({ reason: 'transferred', by: 'agent', answered: true });
    return bye;
  }

  private awaitTransfer(refer: SipRequest, signal: AbortSignal): Promise<TransferResult> {
    return sendRefer({
      endpoint: this.env.endpoint, request: refer, peer: this.requestTarget(), signal,
      emit: (event) => this.emit(event),
      waiting: (settle) => (this.referring = settle),
    });
  }

  /** NOTIFYs of the refer subscription report the transfer target's call (a sipfrag status line). */
  private onNotify(request: SipRequest, reply: (status: number) => void): void {
    const notify = readReferNotify(request);
    if (!notify) return reply(489); // Bad Event: we subscribe to nothing else
    reply(200);
    const verdict = transferVerdict(notify);
    if (!verdict) return;
    // Some peers BYE us right after a success NOTIFY: that BYE must end the call as transferred too.
    if (verdict.ok && this.referSent) this.handedOver = true;
    if (this.referring) return this.referring(verdict);
    // We stopped waiting (the caller spoke over it, or the timeout), but the transfer went through.
    if (verdict.ok && this.referSent && !this.ended) void this.handOver();
  }

  /** Where a number we transfer to is routed: the peer we talk to (outbound legs use the trunk's host). */
  protected referHost(): string {
    return `${hostForUri(this.peer.host)}:${this.peer.port}`;
  }

  private onInfo(request: SipRequest, reply: (status: number) => void): void {
    const type = (getHeader(request, 'Content-Type') ?? '').toLowerCase();
    const digit = type.startsWith('application/dtmf-relay') || type.startsWith('application/dtmf') ? parseDtmfRelay(bodyText(request)) : undefined;
    reply(type === '' || digit !== undefined ? 200 : 415);
    if (digit !== undefined) this.receivedDigit(digit, 'sip_info');
  }

  protected receivedDigit(digit: string, via: 'rfc4733' | 'sip_info'): void {
    this.emit({ event: 'dtmf_received', data: { digit, via } });
    this.listener.onDtmf?.(digit);
  }

  /** Wires a freshly opened media session to the leg. */
  protected attachMedia(media: M): void {
    this.media = media;
    media.onDtmf((digit) => this.receivedDigit(digit, 'rfc4733'));
    media.onMediaTimeout(() => {
      if (this.ended) return;
      this.emit({ event: 'media_timeout', level: 'WARNING' });
      void this.hangup('media_timeout', 'system');
    });
  }

  /** BYE the confirmed dialog; resolves on its final response or when waiting stops making sense. */
  protected sendBye(): Promise<void> {
    if (this.byeFinished) return this.byeFinished;
    const dialog = this.dialog;
    if (!dialog || dialog.state !== 'confirmed') return (this.byeFinished = Promise.resolve());
    const built = buildBye(dialog, { via: this.via() });
    if (!built.ok) return (this.byeFinished = Promise.resolve());
    this.dialog = terminateDialog(built.value.dialog);
    this.byeFinished = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, BYE_WAIT_MS);
      timer.unref();
      const done = (outcome: string) => {
        clearTimeout(timer);
        if (outcome !== 'answered') this.emit({ event: 'bye_unanswered', level: 'WARNING', data: { outcome } });
        resolve();
      };
      const sent = this.env.endpoint.sendRequest(built.value.request, this.requestTarget(), {
        onResponse: (response) => { if (response.status >= 200) done('answered'); },
        onFailure: (reason) => done(reason),
      });
      if (!sent) done('not_sent');
    });
    return this.byeFinished;
  }

  /** Where our in-dialog requests (BYE, REFER) go: the peer (InboundLeg refines it for TCP). */
  protected requestTarget(): SipTarget {
    return this.peer;
  }

  protected via(): ViaInput {
    return { transport: this.peer.transport ?? 'UDP', host: this.env.publicHost, port: this.env.sipPort, branch: newBranch(), rport: true };
  }

  protected contactUri(): string {
    return contactUriFor(this.env.publicHost, this.env.sipPort, this.peer.transport);
  }

  protected emit(event: LegEvent): void {
    this.listener.onEvent?.(event);
  }

  /** Ends the leg once: releases media, timers and the dialog, then tells the listener. */
  protected finish(end: LegEnd): void {
    if (this.ending) return;
    this.ending = end;
    this.referring?.({ ok: false, reason: 'call_ended' });
    if (this.pending2xx) clearTimeout(this.pending2xx.timer);
    this.pending2xx = undefined;
    this.releaseSipState();
    void this.releaseMedia();
    this.listener.onEnded(end);
  }

  /** Removes the dialog route; subclasses drop their own transaction bookkeeping too. */
  protected releaseSipState(): void {
    if (this.dialog) this.env.endpoint.removeDialog(this.dialog.id.callId, this.dialog.id.localTag);
  }

  private async releaseMedia(): Promise<void> {
    const media = this.media;
    const ports = this.ports;
    this.media = undefined;
    this.ports = undefined;
    try {
      if (media) await media.close();
      else if (ports) await ports.close();
    } catch (error) {
      this.env.logger.warn({ err: error }, 'closing call media failed');
    }
  }
}

export function hostForUri(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Our Contact: the peer sends in-dialog requests there, over TCP when the dialog runs on TCP. */
export function contactUriFor(publicHost: string, sipPort: number, transport: SipTarget['transport']): string {
  return `sip:habla@${hostForUri(publicHost)}:${sipPort}${transport === 'TCP' ? ';transport=tcp' : ''}`;
}

