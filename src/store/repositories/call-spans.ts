import type { Kysely, Selectable } from 'kysely';
import { fromJson, toJson } from '../columns.ts';
import type { CallSpansTable, Database } from '../schema.ts';

/** One finished span of a call's trace, as stored (0005-call-spans), with its attributes parsed. */
export type CallSpanRecord = Omit<CallSpansTable, 'attributes'> & { attributes: Record<string, unknown> };

// 13 parameters a row: 200 rows stay far below SQLite's and PostgreSQL's bind limits.
const INSERT_CHUNK = 200;

export class CallSpanRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores finished spans, all in one transaction. Spans of calls that do not exist (deleted
   * meanwhile) or belong to another project are dropped; a span stored twice is kept once.
   * Resolves with how many rows were added.
   */
  async insertMany(spans: readonly CallSpanRecord[]): Promise<number> {
    if (spans.length === 0) return 0;
    try {
      return await this.insertExisting(spans);
    } catch (error) {
      // A call deleted between the check and the insert (PostgreSQL only: SQLite serialises
      // writers). One more pass sees it gone and drops its spans.
      if (!isForeignKeyViolation(error)) throw error;
      return this.insertExisting(spans);
    }
  }

  /** A call's spans by start time (of spans starting in the same ms, the enclosing one first), at most `limit`. */
  async listForCall(projectId: string, callId: string, limit: number): Promise<CallSpanRecord[]> {
    const rows = await this.db
      .selectFrom('call_spans')
      .selectAll()
      .where('call_id', '=', callId)
      .where('project_id', '=', projectId)
      .orderBy('start_time')
      .orderBy('end_time', 'desc')
      .orderBy('span_id')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async countForCall(projectId: string, callId: string): Promise<number> {
    const row = await this.db
      .selectFrom('call_spans')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('call_id', '=', callId)
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private insertExisting(spans: readonly CallSpanRecord[]): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const callIds = [...new Set(spans.map((s) => s.call_id))];
      const calls = await trx.selectFrom('calls').select(['id', 'project_id']).where('id', 'in', callIds).execute();
      const owner = new Map(calls.map((c) => [c.id, c.project_id]));
      const rows = spans.filter((s) => owner.get(s.call_id) === s.project_id).map(toRow);
      let added = 0;
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const result = await trx
          .insertInto('call_spans')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .onConflict((oc) => oc.columns(['trace_id', 'span_id']).doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      return added;
    });
  }
}

function toRow(span: CallSpanRecord): Selectable<CallSpansTable> {
  return { ...span, attributes: toJson(span.attributes) };
}

function toRecord(row: Selectable<CallSpansTable>): CallSpanRecord {
  return { ...row, duration_ms: Number(row.duration_ms), attributes: fromJson<Record<string, unknown>>(row.attributes, {}) };
}

function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
