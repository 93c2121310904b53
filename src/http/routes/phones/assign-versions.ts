import { AppError } from '../../../domain/errors.ts';
import type { AgentRepository, AgentVersionRecord } from '../../../store/repositories/agents.ts';
import type { PhoneRecord, PhoneRepository } from '../../../store/repositories/phones.ts';

// PATCH /v1/phone/{id} {inbound_version_id, outbound_version_id}: assigning a version to a
// number publishes it (diga-features §1.5). An agent has one published version; assigning
// another version of it fails while the published one still serves some other number.

type Direction = 'inbound' | 'outbound';

export interface VersionAssignment {
  inbound_version_id?: string | null;
  outbound_version_id?: string | null;
}

export async function assignVersions(
  phones: PhoneRepository, agents: AgentRepository, phone: PhoneRecord, body: VersionAssignment,
): Promise<void> {
  const requested: [Direction, string | null | undefined][] = [
    ['inbound', body.inbound_version_id],
    ['outbound', body.outbound_version_id],
  ];
  const toPublish = new Map<string, { version: AgentVersionRecord; directions: Direction[] }>();
  // Resolve every version before changing anything, so an unknown id leaves the number as it was.
  for (const [direction, versionId] of requested) {
    if (!versionId) continue;
    const version = await agents.findVersion(phone.project_id, versionId);
    if (!version) throw new AppError('AGENT_NOT_FOUND', `Agent version ${versionId} not found`);
    const entry = toPublish.get(version.agent_id);
    if (entry && entry.version.id !== version.id) throw onePublishedVersion(version.agent_id);
    toPublish.set(version.agent_id, { version, directions: [...(entry?.directions ?? []), direction] });
  }
  for (const { version, directions } of toPublish.values()) {
    await checkNotPublishedElsewhere(phones, agents, phone, version, directions);
  }

  for (const [direction, versionId] of requested) {
    if (versionId === null) await phones.bindAgent(phone.project_id, phone.id, direction, null);
  }
  for (const { version, directions } of toPublish.values()) {
    await agents.publish(phone.project_id, version.agent_id, version.id, {
      inboundPhoneId: directions.includes('inbound') ? phone.id : undefined,
      outboundPhoneId: directions.includes('outbound') ? phone.id : undefined,
    });
  }
}

/** Publishing `version` would take the published version away from the agent's other numbers. */
async function checkNotPublishedElsewhere(
  phones: PhoneRepository, agents: AgentRepository, phone: PhoneRecord, version: AgentVersionRecord, directions: Direction[],
): Promise<void> {
  const agent = await agents.getAgent(phone.project_id, version.agent_id);
  if (!agent?.published_version_id || agent.published_version_id === version.id) return;
  const bound = await phones.listBoundToAgent(phone.project_id, agent.id);
  const servesElsewhere = bound.some((other) =>
    (other.inbound_agent_id === agent.id && !(other.id === phone.id && directions.includes('inbound'))) ||
    (other.outbound_agent_id === agent.id && !(other.id === phone.id && directions.includes('outbound'))));
  if (servesElsewhere) throw onePublishedVersion(agent.id);
}

function onePublishedVersion(agentId: string): AppError {
  return new AppError(
    'BAD_PARAMETER',
    `Agent ${agentId} already has a different published version serving another number; an agent can only have one published version`,
    409,
  );
}
