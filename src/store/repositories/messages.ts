import type { Kysely, Selectable } from 'kysely';
import { newId, nowIso } from '../../domain/ids.ts';
import type { Page, PageParams } from '../../domain/pagination.ts';
import { fromJson, toJson } from '../columns.ts';
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
}

// The transcript of a call, one row per turn, in conversation order (`seq`).
export class MessageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Appends a turn to a call's transcript. The voice agent appends one call's turns in order
   * from a single owner, so the next `seq` is read inside the same transaction as the insert.
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
      };
      await trx.insertInto('messages').values(row).execute();
      return toRecord(row);
    });
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
  };
}
