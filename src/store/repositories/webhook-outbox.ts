import type { Kysely } from 'kysely';
import { newId, nowIso } from '../../domain/ids.ts';
import { CALL_EVENT_PAYLOADS, type CallEvent } from '../../webhooks/call-events.ts';
import { fromJson } from '../columns.ts';
import type { Database } from '../schema.ts';
import type { CallRecord } from './calls.ts';
import { MessageRepository } from './messages.ts';

/**
 * Writes, for each of `events` in order, one outbox row per webhook of the call's project
 * subscribed to it. Must run in the transaction of the change (status, analysis): the events
 * exist if and only if the change committed. Returns how many rows were written.
 */
export async function writeCallEvents(trx: Kysely<Database>, call: CallRecord, events: readonly CallEvent[]): Promise<number> {
  // A coarse LIKE narrows the project's webhooks in SQL; the JSON list decides exactly.
  const candidates = await trx
    .selectFrom('webhooks')
    .select(['id', 'subscribed_events'])
    .where('project_id', '=', call.project_id)
    .where((eb) => eb.or(events.map((event) => eb('subscribed_events', 'like', `%"${event}"%`))))
    .execute();
  if (candidates.length === 0) return 0;
  const hooks = candidates.map((hook) => ({ id: hook.id, events: fromJson<string[]>(hook.subscribed_events, []) }));
  // Status changes of one call are serialised by their guarded UPDATE (the row stays locked
  // until commit), so max+1 read after it cannot race another change of the same call.
  const last = await trx
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('call_id', '=', call.id)
    .executeTakeFirst();
  let seq = Number(last?.seq ?? 0);
  let written = 0;
  const now = nowIso();
  // The call as GET /v1/call/{id} shows it, transcript included (only read when someone listens).
  const turns = await new MessageRepository(trx).transcriptOf(call.id);
  for (const event of events) {
    const subscribed = hooks.filter((hook) => hook.events.includes(event));
    if (subscribed.length === 0) continue;
    seq += 1;
    const eventId = newId();
    const payload = JSON.stringify(CALL_EVENT_PAYLOADS[event](call, eventId, now, turns));
    await trx
      .insertInto('webhook_deliveries')
      .values(subscribed.map((hook) => ({
        id: newId(), project_id: call.project_id, webhook_id: hook.id, call_id: call.id, event_id: eventId,
        event_type: event, seq, payload, status: 'pending', attempts: 0, next_attempt_at: now,
        locked_until: null, last_error: null, created_date: now, completed_at: null,
      })))
      .execute();
    written += subscribed.length;
  }
  return written;
}
