import type { Kysely } from 'kysely';
import { newId, nowIso } from '../../domain/ids.ts';
import { statusChangedPayload, STATUS_CHANGED } from '../../webhooks/call-events.ts';
import type { Database } from '../schema.ts';
import type { CallRecord } from './calls.ts';

/**
 * Writes one outbox row per webhook of the call's project subscribed to `status_changed`.
 * Must run in the transaction of the status change: the event exists if and only if the
 * change committed. Returns how many rows were written.
 */
export async function writeStatusChangedEvents(trx: Kysely<Database>, call: CallRecord): Promise<number> {
  const hooks = await trx
    .selectFrom('webhooks')
    .select('id')
    .where('project_id', '=', call.project_id)
    .where('subscribed_events', 'like', `%"${STATUS_CHANGED}"%`)
    .execute();
  if (hooks.length === 0) return 0;
  // Status changes of one call are serialised by their guarded UPDATE (the row stays locked
  // until commit), so max+1 read after it cannot race another change of the same call.
  const last = await trx
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('call_id', '=', call.id)
    .executeTakeFirst();
  const seq = Number(last?.seq ?? 0) + 1;
  const eventId = newId();
  const now = nowIso();
  const payload = JSON.stringify(statusChangedPayload(call, eventId, now));
  await trx
    .insertInto('webhook_deliveries')
    .values(hooks.map((hook) => ({
      id: newId(), project_id: call.project_id, webhook_id: hook.id, call_id: call.id, event_id: eventId,
      event_type: STATUS_CHANGED, seq, payload, status: 'pending', attempts: 0, next_attempt_at: now,
      locked_until: null, last_error: null, created_date: now, completed_at: null,
    })))
    .execute();
  return hooks.length;
}
