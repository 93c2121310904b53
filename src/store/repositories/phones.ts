import type { Kysely, Selectable } from 'kysely';
import { newId, nowIso } from '../../domain/ids.ts';
import type { Page, PageParams } from '../../domain/pagination.ts';
import { fromDbBool, fromJson, toDbBool, toJson } from '../columns.ts';
import { paginate } from '../paginate.ts';
import type { Database, PhonesTable } from '../schema.ts';

export type MediaEncryption = 'disable' | 'allow' | 'require';
export type PhoneStatus = 'reserved' | 'assigned' | 'released' | 'finished';

export interface PhoneRecord {
  id: string;
  project_id: string;
  /** E.164 or a SIP user identifier, normalised (see domain/phone-number). */
  number: string;
  nickname: string | null;
  telephony_provider: string;
  status: string;
  assigned_at: string | null;
  released_at: string | null;
  scheduled_release_at: string | null;
  inbound_agent_id: string | null;
  outbound_agent_id: string | null;
  /** False for inbound-only trunks: outbound calls from them fail with SIP_CONFIG_NOT_SET. */
  has_outbound_config: boolean;
  termination_uri: string | null;
  sip_username: string | null;
  /** Sealed with lib/secret-box; open it only to authenticate towards the trunk. */
  sip_password_encrypted: string | null;
  inbound_media_encryption: string;
  outbound_media_encryption: string;
  allowed_addresses: string[] | null;
  created_date: string;
}

export interface PhoneListFilter {
  inboundAgentId?: string | null;
  outboundAgentId?: string | null;
  status?: string | null;
  startAssignedAt?: string | null;
  endAssignedAt?: string | null;
}

/** What an import stores; the number must already be normalised and the password sealed. */
export interface NewCustomPhone {
  number: string;
  nickname: string | null;
  inboundMediaEncryption: MediaEncryption;
  allowedAddresses: string[] | null;
  outbound: {
    terminationUri: string;
    username: string | null;
    passwordEncrypted: string | null;
    mediaEncryption: MediaEncryption;
  } | null;
}

/** Columns of the SIP trunk a sip-config PATCH may change; absent keys are left alone. */
export interface SipConfigPatch {
  inbound_media_encryption?: MediaEncryption;
  allowed_addresses?: string[] | null;
  outbound_media_encryption?: MediaEncryption;
  termination_uri?: string | null;
  sip_username?: string | null;
  sip_password_encrypted?: string | null;
  has_outbound_config?: boolean;
}

export class PhoneRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(projectId: string, id: string): Promise<PhoneRecord | undefined> {
    const row = await this.db.selectFrom('phones').selectAll()
      .where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Exact match on the stored normalised number, within one project. */
  async findByNumber(projectId: string, number: string): Promise<PhoneRecord | undefined> {
    const row = await this.db.selectFrom('phones').selectAll()
      .where('project_id', '=', projectId).where('number', '=', number).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Exact match in any project: numbers are unique across the installation (inbound routing). */
  async findByNumberInAnyProject(number: string): Promise<PhoneRecord | undefined> {
    const row = await this.db.selectFrom('phones').selectAll().where('number', '=', number).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(projectId: string, params: PageParams, filter: PhoneListFilter = {}): Promise<Page<PhoneRecord>> {
    let base = this.db.selectFrom('phones').where('project_id', '=', projectId);
    if (filter.inboundAgentId) base = base.where('inbound_agent_id', '=', filter.inboundAgentId);
    if (filter.outboundAgentId) base = base.where('outbound_agent_id', '=', filter.outboundAgentId);
    if (filter.status) base = base.where('status', '=', filter.status);
    if (filter.startAssignedAt) base = base.where('assigned_at', '>=', filter.startAssignedAt);
    if (filter.endAssignedAt) base = base.where('assigned_at', '<=', filter.endAssignedAt);
    const page = await paginate<Selectable<PhonesTable>>(base, { sort: 'created_date', id: 'id' }, params);
    return { ...page, data: page.data.map(toRecord) };
  }

  /** Stores an imported (`custom`) number, assigned from now on. */
  async createCustom(projectId: string, phone: NewCustomPhone): Promise<PhoneRecord> {
    const now = nowIso();
    const row: Selectable<PhonesTable> = {
      id: newId(),
      project_id: projectId,
      number: phone.number,
      nickname: phone.nickname,
      telephony_provider: 'custom',
      status: 'assigned',
      assigned_at: now,
      released_at: null,
      scheduled_release_at: null,
      inbound_agent_id: null,
      outbound_agent_id: null,
      has_outbound_config: toDbBool(phone.outbound !== null),
      termination_uri: phone.outbound?.terminationUri ?? null,
      sip_username: phone.outbound?.username ?? null,
      sip_password_encrypted: phone.outbound?.passwordEncrypted ?? null,
      inbound_media_encryption: phone.inboundMediaEncryption,
      outbound_media_encryption: phone.outbound?.mediaEncryption ?? 'allow',
      allowed_addresses: toJson(phone.allowedAddresses),
      created_date: now,
    };
    await this.db.insertInto('phones').values(row).execute();
    return toRecord(row);
  }

  async setNickname(projectId: string, phoneId: string, nickname: string | null): Promise<void> {
    await this.db.updateTable('phones').set({ nickname })
      .where('project_id', '=', projectId).where('id', '=', phoneId).execute();
  }

  async updateSipConfig(projectId: string, phoneId: string, patch: SipConfigPatch): Promise<void> {
    const { allowed_addresses, has_outbound_config, ...columns } = patch;
    const set: Partial<PhonesTable> = { ...columns };
    if (allowed_addresses !== undefined) set.allowed_addresses = toJson(allowed_addresses);
    if (has_outbound_config !== undefined) set.has_outbound_config = toDbBool(has_outbound_config);
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('phones').set(set)
      .where('project_id', '=', projectId).where('id', '=', phoneId).execute();
  }

  /** Routes one direction of the number to an agent (null leaves that direction unrouted). */
  async bindAgent(projectId: string, phoneId: string, direction: 'inbound' | 'outbound', agentId: string | null): Promise<void> {
    const set = direction === 'inbound' ? { inbound_agent_id: agentId } : { outbound_agent_id: agentId };
    await this.db.updateTable('phones').set(set)
      .where('project_id', '=', projectId).where('id', '=', phoneId).execute();
  }

  /** Clears the agent from every number it answers or calls from (unpublish, agent deletion). */
  async unbindAgent(projectId: string, agentId: string): Promise<void> {
    await this.db.updateTable('phones').set({ inbound_agent_id: null })
      .where('project_id', '=', projectId).where('inbound_agent_id', '=', agentId).execute();
    await this.db.updateTable('phones').set({ outbound_agent_id: null })
      .where('project_id', '=', projectId).where('outbound_agent_id', '=', agentId).execute();
  }

  /** The numbers that route either direction to this agent. */
  async listBoundToAgent(projectId: string, agentId: string): Promise<PhoneRecord[]> {
    const rows = await this.db.selectFrom('phones').selectAll()
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('inbound_agent_id', '=', agentId), eb('outbound_agent_id', '=', agentId)]))
      .orderBy('created_date').orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  /** Purchased numbers are released at the end of their billing cycle, not deleted. */
  async scheduleRelease(projectId: string, phoneId: string, at: string): Promise<void> {
    await this.db.updateTable('phones').set({ scheduled_release_at: at })
      .where('project_id', '=', projectId).where('id', '=', phoneId).execute();
  }

  async delete(projectId: string, phoneId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('phones')
      .where('project_id', '=', projectId).where('id', '=', phoneId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toRecord(row: Selectable<PhonesTable>): PhoneRecord {
  return {
    ...row,
    has_outbound_config: fromDbBool(row.has_outbound_config),
    allowed_addresses: fromJson<string[] | null>(row.allowed_addresses, null),
  };
}
