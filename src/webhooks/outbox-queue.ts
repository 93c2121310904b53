import type { Kysely } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { Database } from '../store/schema.ts';

// The dispatcher's view of the outbox table: find due rows, lease them, record outcomes.

export interface DueDelivery {
  id: string;
  webhook_id: string;
  call_id: string;
  event_id: string;
  seq: number;
  payload: string;
  attempts: number;
  url: string;
  secret_sealed: string | null;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

export class OutboxQueue {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Pending rows that are due, not leased, and first among their webhook's pending events of
   * the same call: event n+1 of a call waits until event n is delivered or failed.
   */
  async due(now: string, limit: number): Promise<DueDelivery[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select(['d.id', 'd.webhook_id', 'd.call_id', 'd.event_id', 'd.seq', 'd.payload', 'd.attempts', 'w.url', 'w.secret_sealed'])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('d.locked_until', 'is', null), eb('d.locked_until', '<=', now)]))
      .where(({ not, exists, selectFrom }) => not(exists(
        selectFrom('webhook_deliveries as e')
          .select('e.id')
          .whereRef('e.webhook_id', '=', 'd.webhook_id')
          .whereRef('e.call_id', '=', 'd.call_id')
          .whereRef('e.seq', '<', 'd.seq')
          .where('e.status', '=', 'pending'),
      )))
      .orderBy('d.next_attempt_at')
      .orderBy('d.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq), attempts: Number(r.attempts) }));
  }

  /** Takes the lease on a row; false when another dispatcher (process) took it first. */
  async claim(id: string, now: string, lockedUntil: string): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ locked_until: lockedUntil })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records the attempt and the row's new state together. */
  async settle(
    id: string,
    attempt: AttemptRecord,
    next: { status: 'delivered' | 'failed'; at: string } | { status: 'pending'; retryAt: string },
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('webhook_delivery_attempts').values({
        id: newId(), delivery_id: id, attempt: attempt.attempt, started_at: attempt.startedAt,
        duration_ms: attempt.durationMs, status_code: attempt.statusCode, error: attempt.error,
      }).execute();
      const lastError = attempt.error ?? (attempt.statusCode !== null && (attempt.statusCode < 200 || attempt.statusCode >= 300) ? `HTTP ${attempt.statusCode}` : null);
      await trx.updateTable('webhook_deliveries').set({
        status: next.status,
        attempts: attempt.attempt,
        locked_until: null,
        last_error: lastError,
        ...(next.status === 'pending' ? { next_attempt_at: next.retryAt } : { completed_at: next.at }),
      }).where('id', '=', id).execute();
    });
  }

  /**
   * Deletes delivered rows completed before `before` (their attempts go with them, ON DELETE
   * CASCADE), in batches so no statement holds the table for long. Pending and failed rows stay:
   * failed ones are kept for redelivery by hand. Returns how many rows were deleted.
   */
  async pruneDelivered(before: string, batchSize = 500): Promise<number> {
    let deleted = 0;
    for (;;) {
      const result = await this.db
        .deleteFrom('webhook_deliveries')
        .where('id', 'in', (eb) => eb
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('status', '=', 'delivered')
          .where('completed_at', '<', before)
          .limit(batchSize))
        .executeTakeFirst();
      const n = Number(result.numDeletedRows);
      deleted += n;
      if (n < batchSize) return deleted;
    }
  }

  /** Gives a lease back without counting an attempt (shutdown interrupted the delivery). */
  async release(id: string): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set({ locked_until: null }).where('id', '=', id).execute();
  }
}
