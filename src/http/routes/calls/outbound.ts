import type { FastifyBaseLogger } from 'fastify';
import type { CallEngine } from '../../../engine/call-engine.ts';
import { AppError } from '../../../domain/errors.ts';
import { isUuid } from '../../../domain/ids.ts';
import { isSpanishNumber, normalizePhoneNumber, normalizeSipUserIdentifier } from '../../../domain/phone-number.ts';
import type { AgentRepository, AgentVersionRecord } from '../../../store/repositories/agents.ts';
import type { CallRecord, CallRepository } from '../../../store/repositories/calls.ts';
import type { ContactRepository } from '../../../store/repositories/contacts.ts';
import type { PhoneRecord, PhoneRepository } from '../../../store/repositories/phones.ts';

export interface OutboundCallRequest {
  from_number: string;
  to_number: string;
  dynamic_variables?: Record<string, unknown> | null;
  agent_version_id?: string | null;
}

export interface OutboundDeps {
  calls: CallRepository;
  contacts: ContactRepository;
  phones: PhoneRepository;
  agents: AgentRepository;
  engine: CallEngine;
  log: FastifyBaseLogger;
}

// POST /v1/call/: checks the request in the order a caller can fix it (callee, caller number,
// trunk, agent), stores the call as `dialing` and hands it to the engine.
export async function placeOutboundCall(deps: OutboundDeps, projectId: string, request: OutboundCallRequest): Promise<CallRecord> {
  const toNumber = spanishCallee(request.to_number);
  const phone = await callerPhone(deps.phones, projectId, request.from_number);
  if (!phone.has_outbound_config) {
    throw new AppError('SIP_CONFIG_NOT_SET', `SIP outbound configuration not set for phone number ${phone.number}`);
  }
  const version = await agentVersion(deps.agents, projectId, phone, request.agent_version_id ?? null);
  const dynamicVariables = { ...(version.settings.dynamic_variables ?? {}), ...(request.dynamic_variables ?? {}) };
  const contact = await deps.contacts.findOrCreate(projectId, 'call', toNumber);
  const call = await deps.calls.create({
    projectId,
    agentId: version.agent_id,
    agentVersionId: version.id,
    phoneId: phone.id,
    contactId: contact.id,
    type: 'outbound',
    status: 'dialing',
    fromNumber: phone.number,
    toNumber,
    dynamicVariables,
    engineInstance: deps.engine.instanceId,
  });
  await handToEngine(deps, call, version.id, dynamicVariables);
  // The engine may already have moved the call on (e.g. failed at once without telephony).
  return (await deps.calls.get(projectId, call.id)) ?? call;
}

/** Only Spanish numbers may be called; anything that does not parse as one is refused the same way. */
function spanishCallee(input: string): string {
  const e164 = normalizePhoneNumber(input);
  if (!e164 || !isSpanishNumber(e164)) {
    throw new AppError('NON_SPANISH_PHONE_NUMBER', `Phone number ${input} is not a Spanish phone number`);
  }
  return e164;
}

/** `from_number` is one of the project's numbers: its id, its E.164 form or its SIP user identifier. */
async function callerPhone(phones: PhoneRepository, projectId: string, from: string): Promise<PhoneRecord> {
  const trimmed = from.trim();
  let phone: PhoneRecord | undefined;
  if (isUuid(trimmed)) {
    phone = await phones.get(projectId, trimmed.toLowerCase());
  } else {
    const number = normalizePhoneNumber(trimmed) ?? normalizeSipUserIdentifier(trimmed);
    phone = number === undefined ? undefined : await phones.findByNumber(projectId, number);
  }
  // Released or reserved numbers cannot place calls: they are not usable numbers of the project.
  if (!phone || phone.status !== 'assigned') throw new AppError('PHONE_NUMBER_NOT_FOUND', `Phone number ${from} not found`);
  return phone;
}

/**
 * The version named in the request, or the published version of the number's outbound agent.
 * The draft never serves real calls (diga-features §1.5): naming it is a 400.
 */
async function agentVersion(agents: AgentRepository, projectId: string, phone: PhoneRecord, versionId: string | null): Promise<AgentVersionRecord> {
  if (versionId) {
    const version = await agents.findVersion(projectId, versionId);
    if (!version) throw new AppError('AGENT_NOT_FOUND', `Agent version ${versionId} not found`);
    if (version.is_draft) {
      throw new AppError('BAD_PARAMETER', `Agent version ${versionId} is a draft; launch a version to use it in calls`);
    }
    return version;
  }
  if (!phone.outbound_agent_id) {
    throw new AppError('AGENT_NOT_FOUND', `Phone number ${phone.number} has no outbound agent; publish an agent on it or pass agent_version_id`);
  }
  const published = await agents.findPublishedVersion(projectId, phone.outbound_agent_id);
  if (!published) throw new AppError('AGENT_NOT_FOUND', `Agent ${phone.outbound_agent_id} has no published version`);
  return published;
}

async function handToEngine(deps: OutboundDeps, call: CallRecord, agentVersionId: string, dynamicVariables: Record<string, unknown>): Promise<void> {
  try {
    await deps.engine.placeOutboundCall({
      callId: call.id,
      projectId: call.project_id,
      phoneId: call.phone_register_id!,
      fromNumber: call.from_number!,
      toNumber: call.to_number!,
      agentVersionId,
      dynamicVariables,
    });
  } catch (error) {
    // The engine reports call failures through the store; a throw is a bug. Never leave the
    // call `dialing` with nobody owning it.
    deps.log.error({ err: error, callId: call.id }, 'call engine rejected an outbound call');
    await deps.calls.endCall(call.id, 'failed', 'internal_error');
    throw error;
  }
}
