/**
 * Admission of inbound calls (diga-features: inbound routing): which of our numbers an INVITE
 * dials, whether the source may call it, and whether an agent is there to answer. Rejections
 * create no call row; the SIP endpoint turns the decision into a final response.
 */
import { BlockList, isIP } from 'node:net';
import { normalizePhoneNumber, normalizeSipUserIdentifier } from '../domain/phone-number.ts';
import type { AgentVersionRecord } from '../store/repositories/agents.ts';
import type { PhoneRecord } from '../store/repositories/phones.ts';
import type { AcceptedInvite, EndpointLogger, InviteAdmission, InviteDecision } from '../telephony/sip/endpoint-types.ts';
import { getTo, parseUri, type SipRequest } from '../telephony/sip/index.ts';
import type { Destination } from '../telephony/sip/transaction/index.ts';

export interface InboundAdmissionDeps {
  phones: { findByNumberInAnyProject(number: string): Promise<PhoneRecord | undefined> };
  agents: { findPublishedVersion(projectId: string, agentId: string): Promise<AgentVersionRecord | undefined> };
  logger: EndpointLogger;
  /** Takes an admitted call over: answers it, or refuses it (bad SDP) without a call row. */
  onAdmitted(invite: AcceptedInvite, phone: PhoneRecord, version: AgentVersionRecord): void;
}

/** Numbers that no longer belong to the project route nowhere. */
const ROUTABLE_STATUSES = new Set(['assigned', 'reserved']);

export class InboundAdmission implements InviteAdmission {
  constructor(private readonly deps: InboundAdmissionDeps) {}

  async admit(invite: SipRequest, source: Destination): Promise<InviteDecision> {
    const phone = await this.findPhone(invite);
    if (!phone) return this.reject(404, 'Not Found', 'unknown_number', source, undefined, true);
    if (!addressAllowed(phone.allowed_addresses, source.host)) {
      return this.reject(403, 'Forbidden', 'source_not_allowed', source, phone, true);
    }
    const agentId = phone.inbound_agent_id;
    const version = agentId === null ? undefined : await this.deps.agents.findPublishedVersion(phone.project_id, agentId);
    if (!version) return this.reject(480, 'Temporarily Unavailable', 'no_inbound_agent', source, phone, false);
    this.deps.logger.info({ phone_id: phone.id, project_id: phone.project_id, agent_id: agentId, source: source.host }, 'inbound call admitted');
    return { action: 'accept', start: (accepted) => this.deps.onAdmitted(accepted, phone, version) };
  }

  private async findPhone(invite: SipRequest): Promise<PhoneRecord | undefined> {
    for (const candidate of dialledNumberCandidates(invite)) {
      const phone = await this.deps.phones.findByNumberInAnyProject(candidate);
      if (phone && ROUTABLE_STATUSES.has(phone.status)) return phone;
    }
    return undefined;
  }

  private reject(
    status: number,
    reason: string,
    why: string,
    source: Destination,
    phone: PhoneRecord | undefined,
    suspicious: boolean,
  ): InviteDecision {
    // Structured fields only: the dialled number is personal data and stays out of the log.
    this.deps.logger.info(
      { reason: why, status, source: source.host, phone_id: phone?.id, project_id: phone?.project_id },
      'inbound call rejected',
    );
    return { action: 'reject', status, reason, suspicious };
  }
}

/**
 * The stored forms the dialled number may have: E.164 from the user part of the Request-URI
 * (or of To when the Request-URI has none), whatever the trunk's spelling (`+34…`, `34…`,
 * `0034…`, national), and the `user@host` SIP identifier form.
 */
export function dialledNumberCandidates(invite: SipRequest): string[] {
  const target = userAndHost(invite.uri) ?? toUserAndHost(invite);
  if (!target) return [];
  const candidates = [normalizePhoneNumber(target.user)];
  if (target.host) candidates.push(normalizeSipUserIdentifier(`${target.user}@${target.host}`));
  return [...new Set(candidates.filter((c): c is string => c !== undefined))];
}

function userAndHost(uri: string): { user: string; host: string } | undefined {
  const parsed = parseUri(uri);
  if (!parsed.ok || !parsed.value.user) return undefined;
  return { user: parsed.value.user, host: parsed.value.host };
}

function toUserAndHost(invite: SipRequest): { user: string; host: string } | undefined {
  const to = getTo(invite);
  if (!to.ok || !to.value.uri.user) return undefined;
  return { user: to.value.uri.user, host: to.value.uri.host };
}

/** Whether `ip` is inside `allowed` (addresses or CIDR blocks); null or empty allows everyone. */
export function addressAllowed(allowed: readonly string[] | null, ip: string): boolean {
  if (!allowed || allowed.length === 0) return true;
  const address = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const entry of allowed) addEntry(list, entry.trim());
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function addEntry(list: BlockList, entry: string): void {
  const [host, prefixText] = entry.split('/');
  const family = isIP(host);
  if (family === 0) return; // the API validates entries; a bad stored one matches nothing
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return list.addAddress(host, type);
  const prefix = Number(prefixText);
  if (Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 4 ? 32 : 128)) list.addSubnet(host, prefix, type);
}
