/**
 * Turns what a call's SIP leg reports (the call-log events, the answer, the end) into the
 * spans of its trace:
 *
 *   call ─┬─ sip.setup   outbound: first INVITE sent → answer or failure;
 *         │   └─ sip.auth      the INVITE resent with credentials after a 401/407 → its outcome
 *         │                inbound: INVITE received → 200 OK sent
 *         ├─ media       answer → end of the call (hold, re-INVITE, DTMF, timeout as events)
 *         └─ recording.save
 *
 * Plain inputs only (event names and their data), so it knows nothing of SIP or the store.
 * Attributes never carry phone numbers or DTMF digits.
 */
import type { CallTrace, SpanAttributes, TraceSpan } from './call-trace.ts';

export interface CallOutcome {
  status: string;
  endReason: string;
  by: string;
  /** The final SIP status that ended an unanswered call. */
  sipStatus?: number;
}

/** Leg events recorded as events of the media span, with the data fields safe to keep. */
const MEDIA_EVENTS: Record<string, readonly string[]> = {
  hold: [],
  unhold: [],
  reinvite_received: ['direction'],
  reinvite_rejected: [],
  dtmf_received: ['via'],
  media_timeout: [],
  hangup: ['by'],
};

export class CallLifecycleSpans {
  private setup?: TraceSpan;
  private auth?: TraceSpan;
  private media?: TraceSpan;
  private answeredMedia: SpanAttributes = {};
  private outcome?: CallOutcome;

  /** `inviteReceivedAt` (epoch ms) starts an inbound call's setup span. */
  constructor(
    private readonly trace: CallTrace,
    direction: 'inbound' | 'outbound',
    inviteReceivedAt?: number,
  ) {
    if (direction === 'inbound') this.setup = trace.startSpan('sip.setup', { 'sip.direction': 'inbound' }, { startTime: inviteReceivedAt });
  }

  /** A leg event (the names of docs/call-logs.md). */
  onLegEvent(event: string, data: Record<string, unknown> = {}): void {
    switch (event) {
      case 'invite_sent':
        this.setup ??= this.trace.startSpan('sip.setup', { 'sip.direction': 'outbound' });
        break;
      case 'auth_challenge':
        this.setup?.addEvent('auth_challenge', { 'sip.status_code': numberOr(data.status_code) });
        this.auth = this.trace.startSpan('sip.auth', { 'sip.challenge_status_code': numberOr(data.status_code) }, { parent: this.setup });
        break;
      case 'ringing':
        this.setup?.addEvent('ringing', { 'sip.status_code': numberOr(data.status_code) });
        break;
      case 'sip_error':
        if (typeof data.status_code === 'number') this.setup?.setAttributes({ 'sip.status_code': data.status_code });
        break;
      case 'answered':
        this.answeredMedia = { 'media.codec': stringOr(data.codec), 'media.srtp': booleanOr(data.srtp) };
        this.endSetup({ attributes: { 'sip.status_code': 200 } });
        break;
      default:
        if (event in MEDIA_EVENTS) this.media?.addEvent(event, pick(data, MEDIA_EVENTS[event]!));
    }
  }

  /** Media flows (the call is answered): the `media` span starts. */
  mediaStarted(): void {
    this.endSetup({ attributes: { 'sip.status_code': 200 } });
    this.media ??= this.trace.startSpan('media', this.answeredMedia);
  }

  /** The call ended (not yet stored): setup and media end here; the root waits for `finish`. */
  callEnded(outcome: CallOutcome): void {
    this.outcome = outcome;
    const failed = outcome.status === 'failed';
    const sipStatus = outcome.sipStatus === undefined ? {} : { 'sip.status_code': outcome.sipStatus };
    // A setup still open here never got an answer: busy, declined, cancelled, unreachable…
    this.endSetup({ error: failed ? outcome.endReason : undefined, attributes: { 'call.end_reason': outcome.endReason, ...sipStatus } });
    this.media?.end({ attributes: { 'call.ended_by': outcome.by } });
    this.trace.root.setAttributes({ 'call.status': outcome.status, 'call.end_reason': outcome.endReason, 'call.ended_by': outcome.by, ...sipStatus });
  }

  /** The recording is being saved; end the returned span when it is. */
  recordingSaveStarted(): TraceSpan {
    return this.trace.startSpan('recording.save');
  }

  /** The call is stored (status, recording): the trace is complete. */
  finish(): void {
    this.trace.end({ error: this.outcome?.status === 'failed' ? this.outcome.endReason : undefined });
  }

  private endSetup(end: { error?: string; attributes: SpanAttributes }): void {
    this.auth?.end(end);
    this.setup?.end(end);
  }
}

function pick(data: Record<string, unknown>, keys: readonly string[]): SpanAttributes {
  const out: SpanAttributes = {};
  for (const key of keys) {
    const value = data[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

const numberOr = (value: unknown) => (typeof value === 'number' ? value : undefined);
const stringOr = (value: unknown) => (typeof value === 'string' ? value : undefined);
const booleanOr = (value: unknown) => (typeof value === 'boolean' ? value : undefined);
