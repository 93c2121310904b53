import type { Kysely } from 'kysely';
import { TERMINAL_CALL_STATUSES } from '../../domain/call-status.ts';
import type { CallAnalysis, TurnLatency } from '../../domain/call-analysis.ts';
import { nowIso } from '../../domain/ids.ts';
import { CALL_ANALYZED } from '../../webhooks/call-events.ts';
import { toDbBool } from '../columns.ts';
import { notifyOutboxWrite } from '../outbox-signal.ts';
import type { Database } from '../schema.ts';
import { readCall, type CallRecord } from './calls.ts';
import { writeCallEvents } from './webhook-outbox.ts';

// The analysis columns of a call (0006-transcript-analysis) move through
//   null ──first caller turn──▶ pending ──claim──▶ running ──▶ completed | failed
// Every move is a conditional UPDATE, so two analysers (two processes sharing PostgreSQL, or a
// restart racing a slow run) never both store a result: the first `complete` wins and writes
// the one `call_analyzed` event; the other changes nothing.
export class CallAnalysisRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The caller spoke: the call will need an analysis once it ends. Idempotent. */
  async markPending(callId: string): Promise<void> {
    await this.db.updateTable('calls').set({ analysis_status: 'pending' }).where('id', '=', callId).where('analysis_status', 'is', null).execute();
  }

  /** The voice agent's latency figures so far (the whole list: a few dozen entries at most). */
  async setLatency(callId: string, latency: readonly TurnLatency[]): Promise<void> {
    await this.db.updateTable('calls').set({ latency: JSON.stringify(latency) }).where('id', '=', callId).execute();
  }

  /**
   * Ended calls waiting for analysis, oldest first: `pending`, or `running` under a claim made
   * before `staleBefore` (its analyser died with it).
   */
  async listDue(staleBefore: string, limit = 100): Promise<string[]> {
    const rows = await this.db
      .selectFrom('calls')
      .select('id')
      .where((eb) => eb.or([
        eb('analysis_status', '=', 'pending'),
        eb.and([eb('analysis_status', '=', 'running'), eb('analysis_claimed_at', '<', staleBefore)]),
      ]))
      .where('status', 'in', [...TERMINAL_CALL_STATUSES])
      .orderBy('created_date')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Takes an ended call for analysis (pending, or running under a stale claim) and returns it;
   * undefined when it is not due: still live, already taken, done, or deleted.
   */
  async claim(callId: string, staleBefore: string, at: string = nowIso()): Promise<CallRecord | undefined> {
    const result = await this.db
      .updateTable('calls')
      .set({ analysis_status: 'running', analysis_claimed_at: at })
      .where('id', '=', callId)
      .where('status', 'in', [...TERMINAL_CALL_STATUSES])
      .where((eb) => eb.or([
        eb('analysis_status', '=', 'pending'),
        eb.and([eb('analysis_status', '=', 'running'), eb('analysis_claimed_at', '<', staleBefore)]),
      ]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return readCall(this.db, callId);
  }

  /**
   * Stores the analysis of a call this analyser claimed and, in the same transaction, its
   * `call_analyzed` webhook events. False (nothing written) when the claim was lost meanwhile.
   */
  async complete(callId: string, analysis: CallAnalysis): Promise<boolean> {
    const stored = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('calls')
        .set({
          summary: analysis.summary, sentiment: analysis.sentiment, success: toDbBool(analysis.success),
          analysis_status: 'completed', updated_at: nowIso(),
        })
        .where('id', '=', callId)
        .where('analysis_status', '=', 'running')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      const call = await readCall(trx, callId);
      if (call) await writeCallEvents(trx, call, [CALL_ANALYZED]);
      return true;
    });
    if (stored) notifyOutboxWrite(this.db);
    return stored;
  }

  /** The analyser stopped before finishing (shutdown): the call is due again. */
  async release(callId: string): Promise<void> {
    await this.db
      .updateTable('calls')
      .set({ analysis_status: 'pending', analysis_claimed_at: null })
      .where('id', '=', callId)
      .where('analysis_status', '=', 'running')
      .execute();
  }

  /** The model never gave a usable answer: final, no event. False when the claim was lost. */
  async fail(callId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('calls')
      .set({ analysis_status: 'failed', updated_at: nowIso() })
      .where('id', '=', callId)
      .where('analysis_status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
