import { AppError } from '../../../domain/errors.ts';
import type { AgentRepository } from '../../../store/repositories/agents.ts';
import type { PhoneRecord, PhoneRepository } from '../../../store/repositories/phones.ts';

// DELETE /v1/phone/{id} (diga-features §6.1): an imported number is deleted at once; a
// purchased one is released when its monthly billing cycle ends; a reserved one cannot go.

export async function releaseNumber(
  phones: PhoneRepository, agents: AgentRepository, phone: PhoneRecord, now: Date = new Date(),
): Promise<void> {
  if (phone.status === 'reserved') {
    throw new AppError('BAD_PARAMETER', 'Reserved numbers (pending verification) cannot be released');
  }
  if (phone.telephony_provider === 'custom') {
    await phones.delete(phone.project_id, phone.id);
    await unpublishOrphanedAgents(phones, agents, phone);
    return;
  }
  if (phone.status !== 'assigned') throw new AppError('BAD_PARAMETER', 'This number has already been released');
  if (phone.scheduled_release_at) return;
  await phones.scheduleRelease(phone.project_id, phone.id, endOfBillingCycle(phone.assigned_at ?? phone.created_date, now));
}

/**
 * The agents that served the deleted number are unpublished, as Diga does, unless they still
 * serve another number: unpublishing those would leave that number without an agent.
 */
async function unpublishOrphanedAgents(phones: PhoneRepository, agents: AgentRepository, phone: PhoneRecord): Promise<void> {
  const agentIds = new Set([phone.inbound_agent_id, phone.outbound_agent_id].filter((id): id is string => id !== null));
  for (const agentId of agentIds) {
    if ((await phones.listBoundToAgent(phone.project_id, agentId)).length > 0) continue;
    const agent = await agents.getAgent(phone.project_id, agentId);
    if (agent?.published_version_id) await agents.publish(phone.project_id, agentId, null, {});
  }
}

/** The next monthly anniversary of `since` after `now` (day clamped to the month's length). */
export function endOfBillingCycle(since: string, now: Date): string {
  const start = new Date(since);
  for (let months = 1; months < 12 * 100; months++) {
    const candidate = addMonths(start, months);
    if (candidate > now) return candidate.toISOString();
  }
  return now.toISOString();
}

function addMonths(date: Date, months: number): Date {
  const target = new Date(date);
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target;
}
