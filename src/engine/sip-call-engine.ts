/**
 * The call engine of a running server: places outbound calls on the phone's trunk, takes
 * admitted inbound calls, keeps the registry of live calls (one CallSession each) and ends
 * them all on shutdown. Store access happens here and in CallSession; the SIP leg knows none.
 */
import type { Logger } from 'pino';
import { endReasonForInviteFailure } from '../domain/end-reasons.ts';
import { normalizePhoneNumber } from '../domain/phone-number.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import type { AgentRepository, AgentVersionRecord } from '../store/repositories/agents.ts';
import type { CallRepository } from '../store/repositories/calls.ts';
import type { ContactRepository } from '../store/repositories/contacts.ts';
import type { PhoneRecord, PhoneRepository } from '../store/repositories/phones.ts';
import { InboundLeg } from '../telephony/call/inbound-leg.ts';
import { OutboundLeg } from '../telephony/call/outbound-leg.ts';
import type { LegEnvironment } from '../telephony/call/types.ts';
import type { CallMedia, CallMediaPorts } from '../telephony/media/types.ts';
import type { MediaEncryption } from '../telephony/sdp/index.ts';
import type { AcceptedInvite } from '../telephony/sip/endpoint-types.ts';
import { getFrom } from '../telephony/sip/index.ts';
import type { VoiceCatalog } from '../voice/catalog.ts';
import type { CallEngine, HangupOutcome, OutboundCallOrder } from './call-engine.ts';
import { CallSession, type SessionDeps } from './call-session.ts';
import type { TransferDialer } from './invite-transfer.ts';
import { transferDialer } from './transfer-dialer.ts';
import { buildVoiceContext } from './voice-context.ts';

export interface SipCallEngineDeps extends Omit<SessionDeps, 'logger'> {
  phones: PhoneRepository;
  agents: AgentRepository;
  contacts: ContactRepository;
  secretBox: SecretBox;
  voices: VoiceCatalog;
  legs: LegEnvironment<CallMediaPorts, CallMedia>;
  instanceId: string;
  ringTimeoutMs: number;
  /** How long shutdown waits for BYEs to be answered and calls to be stored. */
  shutdownDeadlineMs?: number;
  logger: Logger;
}

export class SipCallEngine implements CallEngine {
  readonly instanceId: string;
  private readonly sessions = new Map<string, CallSession>();
  private closing?: Promise<void>;

  constructor(private readonly deps: SipCallEngineDeps) {
    this.instanceId = deps.instanceId;
  }

  get liveCalls(): number {
    return this.sessions.size;
  }

  async placeOutboundCall(order: OutboundCallOrder): Promise<void> {
    const phone = await this.deps.phones.get(order.projectId, order.phoneId);
    const version = await this.deps.agents.findVersion(order.projectId, order.agentVersionId);
    const dialer = phone && this.transferDialerOf(phone, order.fromNumber);
    const session = this.open(order.callId, order.projectId, 'outbound', version, order.toNumber, order.dynamicVariables, undefined, dialer);
    if (this.closing) return session.onEnded({ reason: 'server_shutdown', by: 'system', answered: false });
    if (!phone?.termination_uri) {
      session.log('sip_error', { detail: 'the phone has no outbound trunk' }, 'ERROR');
      return session.onEnded({ reason: 'no_route', by: 'system', answered: false });
    }
    const leg = await OutboundLeg.place(
      this.deps.legs,
      {
        trunk: phone.termination_uri,
        from: order.fromNumber,
        to: order.toNumber,
        credentials: this.credentialsOf(phone),
        encryption: encryptionOf(phone.outbound_media_encryption),
        ringTimeoutMs: this.deps.ringTimeoutMs,
      },
      session,
      endReasonForInviteFailure,
    );
    if (leg) session.attach(leg);
  }

  /** An INVITE admission accepted (InboundAdmission.onAdmitted): a call row, then the answer. */
  acceptInbound(accepted: AcceptedInvite, phone: PhoneRecord, version: AgentVersionRecord): void {
    this.startInbound(accepted, phone, version).catch((error: unknown) => {
      this.deps.logger.error({ err: error, phone_id: phone.id }, 'inbound call could not start');
      InboundLeg.refuse(this.deps.legs, accepted, 500, 'internal error');
    });
  }

  private async startInbound(accepted: AcceptedInvite, phone: PhoneRecord, version: AgentVersionRecord): Promise<void> {
    if (this.closing) return InboundLeg.refuse(this.deps.legs, accepted, 503, 'shutting down');
    const receivedAt = Date.now();
    // The session is created before the call row exists; the leg only reports to it afterwards.
    let session: CallSession | undefined;
    const relay = lateBoundListener(() => session);
    const taken = InboundLeg.take(this.deps.legs, accepted, encryptionOf(phone.inbound_media_encryption), relay);
    if (!taken.ok) return InboundLeg.refuse(this.deps.legs, accepted, taken.status, taken.reason);
    const caller = callerNumber(accepted);
    const contact = await this.deps.contacts.findOrCreate(phone.project_id, 'call', caller);
    const call = await this.deps.calls.create({
      projectId: phone.project_id,
      agentId: version.agent_id,
      agentVersionId: version.id,
      phoneId: phone.id,
      contactId: contact.id,
      type: 'inbound',
      status: 'dialing',
      fromNumber: caller,
      toNumber: phone.number,
      dynamicVariables: version.settings.dynamic_variables ?? {},
      engineInstance: this.instanceId,
    });
    session = this.open(call.id, phone.project_id, 'inbound', version, caller, null, receivedAt, this.transferDialerOf(phone, phone.number));
    session.log('inbound_received', { source: accepted.source.host });
    relay.flush();
    session.attach(taken.leg);
    await taken.leg.answer();
  }

  async hangup(callId: string, reason: 'api_hangup'): Promise<HangupOutcome> {
    const session = this.sessions.get(callId);
    if (!session) return 'not_live';
    await session.hangup(reason, 'agent');
    await session.finished;
    return 'hung_up';
  }

  /** Ends every live call with `reason` (server_shutdown) and waits, within a deadline, for them to be stored. */
  close(reason: string): Promise<void> {
    this.closing ??= (async () => {
      const sessions = [...this.sessions.values()];
      if (sessions.length > 0) this.deps.logger.info({ calls: sessions.length, reason }, 'hanging up live calls');
      const hungUp = Promise.all(sessions.map(async (s) => {
        await s.hangup(reason as 'server_shutdown', 'system');
        await s.finished;
      }));
      await withDeadline(hungUp, this.deps.shutdownDeadlineMs ?? 10_000);
    })();
    return this.closing;
  }

  private open(
    callId: string,
    projectId: string,
    direction: 'inbound' | 'outbound',
    version: AgentVersionRecord | undefined,
    customerNumber: string,
    callVariables: Record<string, unknown> | null,
    startedAt?: number,
    dialer?: TransferDialer,
  ): CallSession {
    const voice = buildVoiceContext({ callId, direction, version, customerNumber, callVariables, now: new Date() }, this.deps.voices);
    const call = { id: callId, projectId, voice, startedAt, transferDialer: dialer };
    const session = new CallSession(call, { ...this.deps, logger: this.deps.logger.child({ call_id: callId }) });
    this.sessions.set(callId, session);
    void session.finished.then(() => this.sessions.delete(callId));
    session.log('call_created', { direction });
    return session;
  }

  /**
   * How a refused REFER falls back to Habla dialing the target: through the phone's outbound
   * trunk, as its outbound calls go; undefined for an inbound-only number.
   */
  private transferDialerOf(phone: PhoneRecord, from: string): TransferDialer | undefined {
    const trunk = phone.termination_uri;
    if (!trunk) return undefined;
    return transferDialer(this.deps.legs, () => ({
      trunk,
      from,
      credentials: this.credentialsOf(phone),
      encryption: encryptionOf(phone.outbound_media_encryption),
      ringTimeoutMs: this.deps.ringTimeoutMs,
    }));
  }

  private credentialsOf(phone: PhoneRecord): { username: string; password: string } | null {
    if (!phone.sip_username || !phone.sip_password_encrypted) return null;
    return { username: phone.sip_username, password: this.deps.secretBox.open(phone.sip_password_encrypted) };
  }
}

function encryptionOf(value: string): MediaEncryption {
  return value === 'require' || value === 'allow' ? value : 'disable';
}

/** The caller's number in E.164 when it is one; otherwise the From user as sent (anonymous, extensions). */
function callerNumber(accepted: AcceptedInvite): string {
  const from = getFrom(accepted.invite);
  const user = from.ok ? (from.value.uri.user ?? '') : '';
  return normalizePhoneNumber(user) ?? (user.replace(/[^\w+.-]/g, '').slice(0, 64) || 'anonymous');
}

/**
 * A leg listener that buffers events until the session exists (the INVITE is checked before the
 * call row is written), then forwards them. A CANCEL in that gap is therefore not lost.
 */
function lateBoundListener(target: () => CallSession | undefined) {
  const queued: ((s: CallSession) => void)[] = [];
  const forward = (deliver: (s: CallSession) => void) => {
    const session = target();
    if (session) deliver(session);
    else queued.push(deliver);
  };
  return {
    onAnswered: (media: CallMedia) => forward((s) => s.onAnswered(media)),
    onEvent: (event: Parameters<CallSession['onEvent']>[0]) => forward((s) => s.onEvent(event)),
    onEnded: (end: Parameters<CallSession['onEnded']>[0]) => forward((s) => s.onEnded(end)),
    flush(): void {
      const session = target();
      if (session) for (const deliver of queued.splice(0)) deliver(session);
    },
  };
}

async function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([work, deadline]);
  clearTimeout(timer);
}
