import type { Kysely, Selectable } from 'kysely';
import { newId, nowIso } from '../../domain/ids.ts';
import type { Page, PageParams } from '../../domain/pagination.ts';
import { fromJson, toJson } from '../columns.ts';
import { paginate } from '../paginate.ts';
import type { CallLogsTable, Database } from '../schema.ts';

/** The contract's LogLevel. WARNING: recovered by itself; ERROR: an operation failed; CRITICAL: the call was affected. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The contract's LogCategory. */
export const LOG_CATEGORIES = [
  'CALL_LIFECYCLE', 'USER', 'AGENT', 'CALL_TOOLS', 'INTEGRATION_TOOLS', 'CONVERSATIONAL_PATHS', 'TRANSFER',
  'METRICS', 'SECURITY', 'WEBHOOKS', 'WORKFLOWS', 'KNOWLEDGE', 'REALTIME_SESSION',
] as const;
export type LogCategory = (typeof LOG_CATEGORIES)[number];

export interface CallLogInput {
  level: LogLevel;
  category: LogCategory;
  /** snake_case event name, e.g. `call_created` (docs/call-logs.md lists them). */
  event: string;
  /** Event details shown to the customer; never secrets. */
  data?: Record<string, unknown> | null;
  /** ISO-8601 instant the event happened; defaults to now. Stored as UTC. */
  timestamp?: string;
  /** OpenTelemetry trace id, when the call is traced. */
  traceId?: string | null;
}

/** One entry, as the contract's CallLogResponse. */
export interface CallLogRecord {
  id: string;
  timestamp: string;
  level: LogLevel;
  category: LogCategory;
  event: string;
  call_id: string;
  trace_id: string | null;
  data: Record<string, unknown> | null;
}

export interface CallLogFilter {
  category?: LogCategory | null;
  level?: LogLevel | null;
}

// Rows per INSERT: 9 parameters each stays far below SQLite's and PostgreSQL's bind limits.
const INSERT_CHUNK = 500;

const LEVELS: ReadonlySet<string> = new Set(LOG_LEVELS);
const CATEGORIES: ReadonlySet<string> = new Set(LOG_CATEGORIES);

// The customer-visible log of each call. Entries are ordered by id: ids are UUIDv7 and made
// strictly increasing within a process, and one engine process owns a live call, so id order
// is append order even for entries with equal (or caller-given, out-of-order) timestamps.
export class CallLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends one entry. False when the call is not (or no longer) one of the project's calls. */
  async append(projectId: string, callId: string, entry: CallLogInput): Promise<boolean> {
    return this.appendMany(projectId, callId, [entry]);
  }

  /**
   * Appends entries in the order given, all or none. False, storing nothing, when the call is
   * not one of the project's calls — e.g. an event that arrives after the call was deleted.
   * Throws on an unknown level or category or an invalid timestamp (a programming error).
   */
  async appendMany(projectId: string, callId: string, entries: readonly CallLogInput[]): Promise<boolean> {
    const rows = entries.map((entry) => toRow(projectId, callId, entry));
    try {
      return await this.db.transaction().execute(async (trx) => {
        const call = await trx.selectFrom('calls').select('id').where('id', '=', callId).where('project_id', '=', projectId).executeTakeFirst();
        if (!call) return false;
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          await trx.insertInto('call_logs').values(rows.slice(i, i + INSERT_CHUNK)).execute();
        }
        return true;
      });
    } catch (error) {
      // The call was deleted between the check and the insert (PostgreSQL only: SQLite
      // serialises writers). That is the same outcome as not finding it.
      if (isForeignKeyViolation(error)) return false;
      throw error;
    }
  }

  /** A call's entries, by id (append order) in `params.order`; filters combine with AND. */
  async list(projectId: string, callId: string, params: PageParams, filter: CallLogFilter = {}): Promise<Page<CallLogRecord>> {
    let base = this.db.selectFrom('call_logs').where('call_id', '=', callId).where('project_id', '=', projectId);
    if (filter.category) base = base.where('category', '=', filter.category);
    if (filter.level) base = base.where('level', '=', filter.level);
    const page = await paginate<Selectable<CallLogsTable>>(base, { sort: 'id', id: 'id' }, params);
    return { ...page, data: page.data.map(toRecord) };
  }
}

function toRow(projectId: string, callId: string, entry: CallLogInput): Selectable<CallLogsTable> {
  if (!LEVELS.has(entry.level)) throw new TypeError(`Unknown log level ${JSON.stringify(entry.level)}`);
  if (!CATEGORIES.has(entry.category)) throw new TypeError(`Unknown log category ${JSON.stringify(entry.category)}`);
  return {
    id: newId(),
    project_id: projectId,
    call_id: callId,
    timestamp: entry.timestamp === undefined ? nowIso() : utcIso(entry.timestamp),
    level: entry.level,
    category: entry.category,
    event: entry.event,
    data: toJson(entry.data ?? null),
    trace_id: entry.traceId ?? null,
  };
}

function utcIso(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TypeError(`Invalid log timestamp ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

function toRecord(row: Selectable<CallLogsTable>): CallLogRecord {
  return {
    id: row.id,
    timestamp: row.timestamp,
    level: row.level as LogLevel,
    category: row.category as LogCategory,
    event: row.event,
    call_id: row.call_id,
    trace_id: row.trace_id,
    data: fromJson<Record<string, unknown> | null>(row.data, null),
  };
}
