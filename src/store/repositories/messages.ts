import type { Kysely, Selectable } from 'kysely';
import { newId, nowIso } from '../../domain/ids.ts';
import type { TranscriptTurn } from '../../domain/transcript.ts';
import type { Page, PageParams } from '../../domain/pagination.ts';
import { fromDbBool, fromJson, toDbBool, toJson } from '../columns.ts';
import { paginate } from '../paginate.ts';
import type { Database, MessagesTable } from '../schema.ts';

export type MessageRole = 'user' | 'assistant' | 'tool';

export type ToolCallStatus = 'error' | 'success' | 'cancelled';

/** The contract's FunctionSchema: an integration or workflow function the agent called. */
export interface FunctionCallRecord {
  type: 'function';
  function_name: string;
  payload: Record<string, unknown>;
  status: ToolCallStatus;
}

/** The contract's CallToolSchema: a built-in call tool (transfer, hang-up, AMD, …). */
export interface CallToolRecord {
  type: 'call_tool';
  tool_name: 'transfer' | 'hangup' | 'detect_answering_machine' | 'add_participant';
  payload: Record<string, unknown>;
  status: ToolCallStatus;
}

/** What a tool message did, in one of the two shapes MessageResponse.tool_call allows. */
export type ToolCallRecord = FunctionCallRecord | CallToolRecord;

export interface MessageRecord {
  id: string;
  created_date: string;
  role: MessageRole;
  content: string | null;
  tool_call: ToolCallRecord | null;
  /** Offsets from the call's answer in ms; null for turns stored without timing. */
  start_ms: number | null;
  end_ms: number | null;
  /** The caller cut this agent turn off; `content` is what was actually played. */
  interrupted: boolean;
}

/** One turn as its single writer (the call session's transcript recorder) stores it. */
export interface NewMessage {
  callId: string;
  projectId: string;
  /** Position in the conversation, counted by the writer (see MessageRepository.insert). */
  seq: number;
  role: MessageRole;
  content: string | null;
  toolCall: ToolCallRecord | null;
  createdDate: string;
  startMs: number | null;
  endMs: number | null;
  interrupted: boolean;
}

export type { TranscriptTurn };

// The transcript of a call, one row per turn, in conversation order (`seq`).
export class MessageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Appends a turn to a call's transcript, reading the next `seq` inside the transaction. For
   * tools and tests that add a turn now and then: two writers appending to one call at the same
   * instant collide on the unique (call_id, seq) index and one fails. Live calls write through
   * `insert` from their session, which counts `seq` itself.
   * Returns undefined when the call does not exist (it may have been deleted meanwhile).
   */
  async append(callId: string, role: MessageRole, content: string | null, toolCall: ToolCallRecord | null = null): Promise<MessageRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const call = await trx.selectFrom('calls').select('project_id').where('id', '=', callId).executeTakeFirst();
      if (!call) return undefined;
      const last = await trx
        .selectFrom('messages')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('call_id', '=', callId)
        .executeTakeFirst();
      const row: Selectable<MessagesTable> = {
        id: newId(),
        call_id: callId,
        project_id: call.project_id,
        seq: Number(last?.seq ?? 0) + 1,
        role,
        content,
        tool_call: toJson(toolCall),
        created_date: nowIso(),
        start_ms: null,
        end_ms: null,
        interrupted: 0,
      };
      await trx.insertInto('messages').values(row).execute();
      return toRecord(row);
    });
  }

  /**
   * Stores one turn at the position its writer counted. One writer per call (the call session):
   * it reads `lastSeq` once and counts from there, so a turn costs one INSERT, not a transaction.
   */
  async insert(message: NewMessage): Promise<MessageRecord> {
    const row: Selectable<MessagesTable> = {
      id: newId(),
      call_id: message.callId,
      project_id: message.projectId,
      seq: message.seq,
      role: message.role,
      content: message.content,
      tool_call: toJson(message.toolCall),
      created_date: message.createdDate,
      start_ms: message.startMs === null ? null : Math.round(message.startMs),
      end_ms: message.endMs === null ? null : Math.round(message.endMs),
      interrupted: toDbBool(message.interrupted),
    };
    await this.db.insertInto('messages').values(row).execute();
    return toRecord(row);
  }

  /** The highest `seq` of the call's transcript, 0 when it has none. */
  async lastSeq(callId: string): Promise<number> {
    const last = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('call_id', '=', callId)
      .executeTakeFirst();
    return Number(last?.seq ?? 0);
  }

  /** What was said on the call (user and assistant turns with text), in conversation order. */
  async transcriptOf(callId: string): Promise<TranscriptTurn[]> {
    return (await this.transcriptsOf([callId])).get(callId) ?? [];
  }

  /** The transcripts of several calls at once (a page of the call list), keyed by call id. */
  async transcriptsOf(callIds: readonly string[]): Promise<Map<string, TranscriptTurn[]>> {
    const byCall = new Map<string, TranscriptTurn[]>();
    if (callIds.length === 0) return byCall;
    const rows = await this.db
      .selectFrom('messages')
      .select(['call_id', 'role', 'content', 'start_ms', 'end_ms', 'interrupted'])
      .where('call_id', 'in', [...new Set(callIds)])
      .where('role', 'in', ['user', 'assistant'])
      .where('content', 'is not', null)
      .orderBy('call_id')
      .orderBy('seq')
      .execute();
    for (const row of rows) {
      let turns = byCall.get(row.call_id);
      if (!turns) byCall.set(row.call_id, (turns = []));
      turns.push({
        role: row.role as TranscriptTurn['role'],
        content: row.content!,
        start_ms: nullableNumber(row.start_ms),
        end_ms: nullableNumber(row.end_ms),
        interrupted: fromDbBool(row.interrupted),
      });
    }
    return byCall;
  }

  async hasAny(projectId: string, callId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('messages')
      .select('id')
      .where('project_id', '=', projectId)
      .where('call_id', '=', callId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** `asc` is conversation order; ties in created_date never reorder turns because `seq` sorts. */
  async list(projectId: string, callId: string, params: PageParams): Promise<Page<MessageRecord>> {
    const base = this.db.selectFrom('messages').where('project_id', '=', projectId).where('call_id', '=', callId);
    const page = await paginate<Selectable<MessagesTable>>(base, { sort: 'seq', id: 'id' }, params);
    return { ...page, data: page.data.map(toRecord) };
  }
}

function toRecord(row: Selectable<MessagesTable>): MessageRecord {
  return {
    id: row.id,
    created_date: row.created_date,
    role: row.role as MessageRole,
    content: row.content,
    tool_call: fromJson<ToolCallRecord | null>(row.tool_call, null),
    start_ms: nullableNumber(row.start_ms),
    end_ms: nullableNumber(row.end_ms),
    interrupted: fromDbBool(row.interrupted),
  };
}

/** PostgreSQL may hand integers back as strings (bigint); SQLite as numbers. */
function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}
