import type { Kysely, Selectable } from 'kysely';
import {
  callDurationSeconds, statusesLeadingTo,
  TERMINAL_CALL_STATUSES, type CallStatus, type CallType, type TerminalCallStatus,
} from '../../domain/call-status.ts';
import { newId, nowIso } from '../../domain/ids.ts';
import type { Page, PageParams } from '../../domain/pagination.ts';
import type { AnalysisStatus, Sentiment, TurnLatency } from '../../domain/call-analysis.ts';
import { fromDbBool, fromJson, toJson } from '../columns.ts';
import { paginate } from '../paginate.ts';
import { param, prepareQuery } from '../prepared.ts';
import type { CallsTable, Database } from '../schema.ts';
import { notifyOutboxWrite } from '../outbox-signal.ts';
import { ContactRepository, type ContactRecord } from './contacts.ts';
import { CALL_ENDED, STATUS_CHANGED, type CallStatusEvent } from '../../webhooks/call-events.ts';
import { writeCallEvents } from './webhook-outbox.ts';

export interface CallRecord {
  id: string;
  project_id: string;
  agent_id: string | null;
  agent_version_id: string | null;
  phone_register_id: string | null;
  contact: ContactRecord;
  status: CallStatus;
  type: CallType;
  from_number: string | null;
  to_number: string | null;
  start_time: string | null;
  end_time: string | null;
  /** Seconds from answer to hang-up; null until an answered call ends. */
  duration: number | null;
  end_reason: string | null;
  /** Key of the recording in the recording storage; null until the call is recorded. */
  recording_key: string | null;
  dynamic_variables: Record<string, unknown> | null;
  created_date: string;
  /** Post-call analysis (docs/calls.md); null until analysed. */
  summary: string | null;
  sentiment: Sentiment | null;
  success: boolean | null;
  analysis_status: AnalysisStatus | null;
  /** The voice agent's per-turn latency figures; null when no agent turn was measured. */
  latency: TurnLatency[] | null;
}

export interface NewCall {
  projectId: string;
  agentId: string | null;
  agentVersionId: string | null;
  phoneId: string | null;
  contactId: string;
  type: CallType;
  status: 'dialing' | 'in_progress';
  fromNumber: string | null;
  toNumber: string | null;
  dynamicVariables: Record<string, unknown> | null;
  /** Set for calls that start answered (inbound). */
  startTime?: string | null;
  /** The engine process that will drive the call (CallEngine.instanceId). */
  engineInstance?: string | null;
}

export interface CallFilter {
  agent_id?: string | null;
  status?: CallStatus | null;
  type?: CallType | null;
  /** ISO-8601 UTC bounds, inclusive. */
  start_created_date?: string | null;
  end_created_date?: string | null;
  contact_id?: string | null;
  phone_id?: string | null;
}

type CallWithContactRow = Selectable<CallsTable> & {
  contact_created_date: string;
  contact_identifier: string;
  contact_type: string;
};

// Writes of status go through the status machine (domain/call-status): every transition is a
// conditional UPDATE guarded by the statuses it may start from, so concurrent or late events
// can never reopen or rewrite an ended call. Each committed change also writes its webhook
// events to the outbox in the same transaction (webhook-outbox.ts).
export class CallRepository {
  private readonly contacts: ContactRepository;

  private readonly byId;

  constructor(private readonly db: Kysely<Database>) {
    this.contacts = new ContactRepository(db);
    this.byId = prepareQuery<CallWithContactRow, 'projectId' | 'id'>(
      db,
      db
        .selectFrom('calls')
        .innerJoin('contacts', 'contacts.id', 'calls.contact_id')
        .selectAll('calls')
        .select([
          'contacts.created_date as contact_created_date',
          'contacts.identifier as contact_identifier',
          'contacts.contact_type as contact_type',
        ])
        .where('calls.project_id', '=', param('projectId'))
        .where('calls.id', '=', param('id')),
    );
  }

  async create(call: NewCall): Promise<CallRecord> {
    const now = nowIso();
    const row: Selectable<CallsTable> = {
      id: newId(),
      project_id: call.projectId,
      agent_id: call.agentId,
      agent_version_id: call.agentVersionId,
      phone_register_id: call.phoneId,
      contact_id: call.contactId,
      status: call.status,
      type: call.type,
      from_number: call.fromNumber,
      to_number: call.toNumber,
      start_time: call.startTime ?? null,
      end_time: null,
      duration: null,
      end_reason: null,
      recording_key: null,
      dynamic_variables: toJson(call.dynamicVariables),
      created_date: now,
      updated_at: now,
      engine_instance: call.engineInstance ?? null,
      summary: null,
      sentiment: null,
      success: null,
      analysis_status: null,
      analysis_claimed_at: null,
      latency: null,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('calls').values(row).execute();
      await emitStatusChanged(trx, row.id);
    });
    notifyOutboxWrite(this.db);
    return (await this.get(call.projectId, row.id))!;
  }

  /** One query with the contact joined in, compiled once: this is the API's hottest read. */
  async get(projectId: string, id: string): Promise<CallRecord | undefined> {
    const [row] = await this.byId({ projectId, id });
    if (!row) return undefined;
    const { contact_created_date, contact_identifier, contact_type, ...call } = row;
    return toRecord(call, {
      id: call.contact_id,
      created_date: contact_created_date,
      identifier: contact_identifier,
      contact_type: contact_type as ContactRecord['contact_type'],
    });
  }

  /** Calls of the project among `ids`, in no particular order. */
  async getMany(projectId: string, ids: string[]): Promise<CallRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('calls')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return this.withContacts(projectId, rows);
  }

  async list(projectId: string, params: PageParams, filter: CallFilter = {}): Promise<Page<CallRecord>> {
    let base = this.db.selectFrom('calls').where('project_id', '=', projectId);
    if (filter.agent_id) base = base.where('agent_id', '=', filter.agent_id);
    if (filter.status) base = base.where('status', '=', filter.status);
    if (filter.type) base = base.where('type', '=', filter.type);
    if (filter.contact_id) base = base.where('contact_id', '=', filter.contact_id);
    if (filter.phone_id) base = base.where('phone_register_id', '=', filter.phone_id);
    if (filter.start_created_date) base = base.where('created_date', '>=', filter.start_created_date);
    if (filter.end_created_date) base = base.where('created_date', '<=', filter.end_created_date);
    const page = await paginate<Selectable<CallsTable>>(base, { sort: 'created_date', id: 'id' }, params);
    return { ...page, data: await this.withContacts(projectId, page.data) };
  }

  /** dialing → in_progress; the answer time becomes `start_time`. False if the call was not dialing. */
  async markAnswered(callId: string, at: string = nowIso()): Promise<boolean> {
    const changed = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('calls')
        .set({ status: 'in_progress', start_time: at, updated_at: nowIso() })
        .where('id', '=', callId)
        .where('status', 'in', statusesLeadingTo('in_progress'))
        .executeTakeFirst();
      const updated = Number(result.numUpdatedRows) > 0;
      if (updated) await emitStatusChanged(trx, callId);
      return updated;
    });
    if (changed) notifyOutboxWrite(this.db);
    return changed;
  }

  /** Ends the call if it may still end this way (see `finish`). */
  async endCall(callId: string, status: TerminalCallStatus, endReason: string): Promise<void> {
    await this.finish(callId, status, endReason);
  }

  /**
   * Ends a call once: sets status, end_reason, end_time and, for answered calls, the duration.
   * Returns false, changing nothing, when the call is already terminal or the status machine
   * does not allow this ending from its current status.
   */
  async finish(callId: string, status: TerminalCallStatus, endReason: string, at: string = nowIso()): Promise<boolean> {
    const changed = await this.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('calls').select(['status', 'start_time']).where('id', '=', callId).executeTakeFirst();
      if (!current) return false;
      const from = statusesLeadingTo(status);
      if (!from.includes(current.status as CallStatus)) return false;
      // start_time is only ever set by markAnswered, which also requires a non-terminal status,
      // so guarding on the status read above keeps the computed duration consistent.
      const result = await trx
        .updateTable('calls')
        .set({ status, end_reason: endReason, end_time: at, duration: callDurationSeconds(current.start_time, at), updated_at: nowIso() })
        .where('id', '=', callId)
        .where('status', '=', current.status)
        .executeTakeFirst();
      const updated = Number(result.numUpdatedRows) > 0;
      // The change that ends the call is also its one `call_ended` (after status_changed).
      if (updated) await emitStatusChanged(trx, callId, [STATUS_CHANGED, CALL_ENDED]);
      return updated;
    });
    if (changed) notifyOutboxWrite(this.db);
    return changed;
  }

  /** Calls `instance` was driving when it stopped without ending them (a crash): recovery closes them. */
  async listLiveOwnedBy(instance: string): Promise<{ id: string; answered: boolean }[]> {
    const rows = await this.db
      .selectFrom('calls')
      .select(['id', 'start_time'])
      .where('engine_instance', '=', instance)
      .where('status', 'in', ['dialing', 'in_progress'])
      .execute();
    return rows.map((row) => ({ id: row.id, answered: row.start_time !== null }));
  }

  async projectOf(callId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('calls').select('project_id').where('id', '=', callId).executeTakeFirst();
    return row?.project_id;
  }

  /** A call's recording key in any project (null: not recorded; undefined: no such call). */
  async recordingKeyOf(callId: string): Promise<string | null | undefined> {
    const row = await this.db.selectFrom('calls').select('recording_key').where('id', '=', callId).executeTakeFirst();
    return row?.recording_key;
  }

  async setRecordingKey(callId: string, key: string): Promise<void> {
    await this.db.updateTable('calls').set({ recording_key: key, updated_at: nowIso() }).where('id', '=', callId).execute();
  }

  /**
   * Deletes the project's terminal calls among `ids` (active calls are skipped); their messages
   * and call logs go with them (ON DELETE CASCADE). Returns the deleted calls' recording keys,
   * so the caller can remove the audio too.
   */
  async deleteTerminal(projectId: string, ids: string[]): Promise<{ deleted: number; recordingKeys: string[] }> {
    const unique = [...new Set(ids)];
    return this.db.transaction().execute(async (trx) => {
      const doomed = await trx
        .selectFrom('calls')
        .select(['id', 'recording_key'])
        .where('project_id', '=', projectId)
        .where('id', 'in', unique)
        .where('status', 'in', [...TERMINAL_CALL_STATUSES])
        .execute();
      if (doomed.length === 0) return { deleted: 0, recordingKeys: [] };
      const result = await trx
        .deleteFrom('calls')
        .where('project_id', '=', projectId)
        .where('id', 'in', doomed.map((c) => c.id))
        .where('status', 'in', [...TERMINAL_CALL_STATUSES])
        .executeTakeFirst();
      return {
        deleted: Number(result.numDeletedRows),
        recordingKeys: doomed.flatMap((c) => (c.recording_key ? [c.recording_key] : [])),
      };
    });
  }

  private async withContacts(projectId: string, rows: Selectable<CallsTable>[]): Promise<CallRecord[]> {
    const contacts = await this.contacts.getMany(projectId, rows.map((r) => r.contact_id));
    return rows.map((row) => toRecord(row, contacts.get(row.contact_id)!));
  }
}

/** Inside the status change's transaction: the call as it now is, to the webhook outbox. */
async function emitStatusChanged(trx: Kysely<Database>, callId: string, events: readonly CallStatusEvent[] = [STATUS_CHANGED]): Promise<void> {
  const call = await readCall(trx, callId);
  if (!call) throw new Error(`call ${callId} vanished inside its status change`);
  await writeCallEvents(trx, call, events);
}

/** A call of any project, contact joined, read through `db` (a transaction when given one). */
export async function readCall(db: Kysely<Database>, callId: string): Promise<CallRecord | undefined> {
  const row = await db
    .selectFrom('calls')
    .innerJoin('contacts', 'contacts.id', 'calls.contact_id')
    .selectAll('calls')
    .select(['contacts.created_date as contact_created_date', 'contacts.identifier as contact_identifier', 'contacts.contact_type as contact_type'])
    .where('calls.id', '=', callId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { contact_created_date, contact_identifier, contact_type, ...call } = row;
  return toRecord(call, {
    id: call.contact_id, created_date: contact_created_date, identifier: contact_identifier,
    contact_type: contact_type as ContactRecord['contact_type'],
  });
}

function toRecord(row: Selectable<CallsTable>, contact: ContactRecord): CallRecord {
  return {
    id: row.id,
    project_id: row.project_id,
    agent_id: row.agent_id,
    agent_version_id: row.agent_version_id,
    phone_register_id: row.phone_register_id,
    contact,
    status: row.status as CallStatus,
    type: row.type as CallType,
    from_number: row.from_number,
    to_number: row.to_number,
    start_time: row.start_time,
    end_time: row.end_time,
    duration: row.duration === null ? null : Number(row.duration),
    end_reason: row.end_reason,
    recording_key: row.recording_key,
    dynamic_variables: fromJson<Record<string, unknown> | null>(row.dynamic_variables, null),
    created_date: row.created_date,
    summary: row.summary,
    sentiment: row.sentiment as Sentiment | null,
    success: row.success === null ? null : fromDbBool(Number(row.success)),
    analysis_status: row.analysis_status as AnalysisStatus | null,
    latency: fromJson<TurnLatency[] | null>(row.latency, null),
  };
}
