import type { Kysely } from 'kysely';
import { AppError } from '../../domain/errors.ts';
import type { Database } from '../schema.ts';
import { PhoneRepository } from './phones.ts';

export interface PhoneBinding {
  inboundPhoneId?: string | null;
  outboundPhoneId?: string | null;
}

export interface PublishResult {
  agent_id: string;
  published_version_id: string | null;
  inbound_phone_number_id: string | null;
  outbound_phone_number_id: string | null;
}

type Numbers = Pick<PublishResult, 'inbound_phone_number_id' | 'outbound_phone_number_id'>;
type Direction = 'inbound' | 'outbound';

// Publishing routes numbers to the agent (the published version answers/places their calls).
// `db` is the publish transaction, so binding and publishing commit together.
export async function bindPublishedNumbers(
  db: Kysely<Database>,
  projectId: string,
  agentId: string,
  binding: PhoneBinding,
): Promise<Numbers> {
  const phones = new PhoneRepository(db);
  // Check both numbers before touching either, so a bad id leaves no half-applied binding.
  for (const phoneId of [binding.inboundPhoneId, binding.outboundPhoneId]) {
    if (phoneId && !(await phones.get(projectId, phoneId))) {
      throw new AppError('PHONE_NUMBER_NOT_FOUND', `Phone number ${phoneId} not found`);
    }
  }
  await applyDirection(db, phones, projectId, agentId, 'inbound', binding.inboundPhoneId);
  await applyDirection(db, phones, projectId, agentId, 'outbound', binding.outboundPhoneId);
  return {
    inbound_phone_number_id: binding.inboundPhoneId ?? (await boundNumber(db, projectId, agentId, 'inbound')),
    outbound_phone_number_id: binding.outboundPhoneId ?? (await boundNumber(db, projectId, agentId, 'outbound')),
  };
}

/** An unpublished agent answers and places no calls: every number it had is released. */
export async function unbindAllNumbers(db: Kysely<Database>, projectId: string, agentId: string): Promise<Numbers> {
  await new PhoneRepository(db).unbindAgent(projectId, agentId);
  return { inbound_phone_number_id: null, outbound_phone_number_id: null };
}

async function applyDirection(
  db: Kysely<Database>,
  phones: PhoneRepository,
  projectId: string,
  agentId: string,
  direction: Direction,
  phoneId: string | null | undefined,
): Promise<void> {
  if (phoneId === undefined) return;
  if (phoneId === null) {
    for (const id of await boundNumbers(db, projectId, agentId, direction)) {
      await phones.bindAgent(projectId, id, direction, null);
    }
    return;
  }
  await phones.bindAgent(projectId, phoneId, direction, agentId);
}

async function boundNumbers(db: Kysely<Database>, projectId: string, agentId: string, direction: Direction): Promise<string[]> {
  const column = direction === 'inbound' ? 'inbound_agent_id' : 'outbound_agent_id';
  const rows = await db
    .selectFrom('phones')
    .select('id')
    .where('project_id', '=', projectId)
    .where(column, '=', agentId)
    .orderBy('created_date')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

async function boundNumber(db: Kysely<Database>, projectId: string, agentId: string, direction: Direction): Promise<string | null> {
  return (await boundNumbers(db, projectId, agentId, direction))[0] ?? null;
}
