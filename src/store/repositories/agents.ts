import type { Kysely, Selectable } from 'kysely';
import type { AgentMode, AgentSettings } from '../../domain/agent.ts';
import { AppError } from '../../domain/errors.ts';
import { newId, nowIso } from '../../domain/ids.ts';
import type { Page, PageParams } from '../../domain/pagination.ts';
import { fromDbBool, fromJson, toDbBool } from '../columns.ts';
import { paginate } from '../paginate.ts';
import type { AgentsTable, AgentVersionsTable, Database } from '../schema.ts';
import { bindPublishedNumbers, unbindAllNumbers, type PhoneBinding, type PublishResult } from './agent-phone-binding.ts';

export type { PhoneBinding, PublishResult } from './agent-phone-binding.ts';

/** The draft is a version too; it carries number 0 because it has not been launched. */
export const DRAFT_VERSION_NUMBER = 0;

export interface AgentRecord {
  id: string;
  project_id: string;
  draft_version_id: string;
  published_version_id: string | null;
  last_version_number: number;
  source_template_id: string | null;
  created_at: string;
  modified_at: string;
}

export interface AgentVersionRecord {
  id: string;
  agent_id: string;
  project_id: string;
  version_number: number;
  version_name: string | null;
  is_draft: boolean;
  is_published: boolean;
  settings: AgentSettings;
  created_at: string;
  modified_at: string;
}

/** One version seen through its agent: what every AgentResponseSchema is built from. */
export interface AgentView {
  agent: AgentRecord;
  version: AgentVersionRecord;
}

export interface AgentListFilters {
  mode?: AgentMode | null;
  /** true: the published version of each agent that has one; false: every agent's draft. */
  isPublished: boolean;
}

export interface VersionSummary {
  version_id: string;
  version_name: string | null;
  version_number: number;
  is_published: boolean;
  is_draft: boolean;
}

type Db = Kysely<Database>;

// Agents and their versions. The draft is the only mutable version; launching snapshots it
// into the next number of the agent's counter; at most one version is published.
export class AgentRepository {
  constructor(private readonly db: Db) {}

  /** Creates the agent with its draft and, unless `isDraft`, a launched v1 (returned then). */
  async create(
    projectId: string,
    settings: AgentSettings,
    options: { isDraft: boolean; versionName?: string | null; sourceTemplateId?: string | null },
  ): Promise<AgentView> {
    return this.db.transaction().execute(async (trx) => {
      const now = nowIso();
      const agent: AgentRecord = {
        id: newId(),
        project_id: projectId,
        draft_version_id: newId(),
        published_version_id: null,
        last_version_number: 0,
        source_template_id: options.sourceTemplateId ?? null,
        created_at: now,
        modified_at: now,
      };
      await trx.insertInto('agents').values(agent).execute();
      await insertVersion(trx, agent, agent.draft_version_id, DRAFT_VERSION_NUMBER, null, true, settings, now);
      if (options.isDraft) return (await this.viewIn(trx, projectId, agent.draft_version_id)) as AgentView;
      return launchIn(trx, agent, options.versionName ?? null);
    });
  }

  async getAgent(projectId: string, agentId: string): Promise<AgentRecord | undefined> {
    return agentIn(this.db, projectId, agentId);
  }

  async findVersion(projectId: string, versionId: string): Promise<AgentVersionRecord | undefined> {
    return (await this.viewIn(this.db, projectId, versionId))?.version;
  }

  async findPublishedVersion(projectId: string, agentId: string): Promise<AgentVersionRecord | undefined> {
    const agent = await agentIn(this.db, projectId, agentId);
    if (!agent?.published_version_id) return undefined;
    return this.findVersion(projectId, agent.published_version_id);
  }

  /** A version with its agent; undefined when either is unknown in the project. */
  async view(projectId: string, versionId: string): Promise<AgentView | undefined> {
    return this.viewIn(this.db, projectId, versionId);
  }

  async draft(projectId: string, agentId: string): Promise<AgentView | undefined> {
    const agent = await agentIn(this.db, projectId, agentId);
    return agent && this.viewIn(this.db, projectId, agent.draft_version_id);
  }

  async updateDraft(projectId: string, agentId: string, settings: AgentSettings): Promise<AgentView | undefined> {
    const agent = await agentIn(this.db, projectId, agentId);
    if (!agent) return undefined;
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('agent_versions')
        .set({ settings: JSON.stringify(settings), mode: settings.mode, modified_at: now })
        .where('id', '=', agent.draft_version_id)
        .execute();
      await trx.updateTable('agents').set({ modified_at: now }).where('id', '=', agent.id).execute();
    });
    return this.viewIn(this.db, projectId, agent.draft_version_id);
  }

  /** Snapshots the draft into the next numbered version. */
  async launchVersion(projectId: string, agentId: string, versionName: string | null): Promise<AgentView | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const agent = await agentIn(trx, projectId, agentId);
      return agent && launchIn(trx, agent, versionName);
    });
  }

  async listAgents(projectId: string, params: PageParams, filters: AgentListFilters): Promise<Page<AgentView>> {
    let base = this.db.selectFrom('agents').where('agents.project_id', '=', projectId);
    const versionColumn = filters.isPublished ? 'agents.published_version_id' : 'agents.draft_version_id';
    if (filters.isPublished) base = base.where('agents.published_version_id', 'is not', null);
    if (filters.mode) {
      const mode = filters.mode;
      base = base.where(versionColumn, 'in', (eb) =>
        eb.selectFrom('agent_versions').select('id').where('project_id', '=', projectId).where('mode', '=', mode),
      );
    }
    const page = await paginate<Selectable<AgentsTable>>(base, { sort: 'agents.created_at', id: 'agents.id' }, params);
    const versionIds = page.data.map((a) => (filters.isPublished ? a.published_version_id : a.draft_version_id) as string);
    const versions = await versionsById(this.db, projectId, versionIds);
    const data = page.data.map((row) => {
      const agent = toAgent(row);
      const version = versions.get(filters.isPublished ? (agent.published_version_id as string) : agent.draft_version_id);
      return { agent, version: toVersion(version as Selectable<AgentVersionsTable>, agent) };
    });
    return { ...page, data };
  }

  async listVersions(
    projectId: string,
    agent: AgentRecord,
    params: PageParams,
    filters: AgentListFilters,
  ): Promise<Page<AgentView>> {
    let base = this.db
      .selectFrom('agent_versions')
      .where('agent_versions.project_id', '=', projectId)
      .where('agent_versions.agent_id', '=', agent.id);
    if (filters.isPublished) base = base.where('agent_versions.id', '=', agent.published_version_id ?? '');
    if (filters.mode) base = base.where('agent_versions.mode', '=', filters.mode);
    const page = await paginate<Selectable<AgentVersionsTable>>(
      base,
      { sort: 'agent_versions.version_number', id: 'agent_versions.id' },
      params,
    );
    return { ...page, data: page.data.map((row) => ({ agent, version: toVersion(row, agent) })) };
  }

  /** Every agent of the project with all its versions, newest first (dashboard dropdown). */
  async dropdown(projectId: string): Promise<{ agent: AgentRecord; name: string | null; versions: VersionSummary[] }[]> {
    const agents = (
      await this.db.selectFrom('agents').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').orderBy('id').execute()
    ).map(toAgent);
    const rows = await this.db
      .selectFrom('agent_versions')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('version_number', 'desc')
      .execute();
    return agents.map((agent) => {
      const own = rows.filter((r) => r.agent_id === agent.id).map((r) => toVersion(r, agent));
      const draft = own.find((v) => v.is_draft);
      return {
        agent,
        name: draft?.settings.name ?? null,
        versions: own.map((v) => ({
          version_id: v.id,
          version_name: v.version_name,
          version_number: v.version_number,
          is_published: v.is_published,
          is_draft: v.is_draft,
        })),
      };
    });
  }

  /** Refuses (409) while a version is published; numbers bound to it are released. */
  async deleteAgent(projectId: string, agentId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const agent = await agentIn(trx, projectId, agentId);
      if (!agent) throw agentNotFound(agentId);
      if (agent.published_version_id) {
        throw new AppError('PUBLISHED_AGENT_VERSION_DELETION', `Cannot delete agent ${agentId} with published versions`);
      }
      await unbindAllNumbers(trx, projectId, agentId);
      await trx.deleteFrom('agent_versions').where('agent_id', '=', agentId).execute();
      await trx.deleteFrom('agents').where('id', '=', agentId).execute();
    });
  }

  /** The draft and the published version cannot be deleted (409); their numbers are never reused. */
  async deleteVersion(projectId: string, agentId: string, versionId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const agent = await agentIn(trx, projectId, agentId);
      if (!agent) throw agentNotFound(agentId);
      const row = await trx
        .selectFrom('agent_versions')
        .select('id')
        .where('agent_id', '=', agentId)
        .where('id', '=', versionId)
        .executeTakeFirst();
      if (!row) throw new AppError('AGENT_NOT_FOUND', `Version ${versionId} of agent ${agentId} not found`);
      if (versionId === agent.published_version_id) {
        throw new AppError('PUBLISHED_AGENT_VERSION_DELETION', `Cannot delete published version ${versionId} of agent ${agentId}`);
      }
      if (versionId === agent.draft_version_id) {
        throw new AppError('PUBLISHED_AGENT_VERSION_DELETION', `Cannot delete draft version ${versionId} of agent ${agentId}`);
      }
      await trx.deleteFrom('agent_versions').where('id', '=', versionId).execute();
      await trx.updateTable('agents').set({ modified_at: nowIso() }).where('id', '=', agentId).execute();
    });
  }

  /**
   * Publishes `versionId` (null unpublishes and releases every bound number). Publishing the
   * draft first launches it as a new numbered version. Publishing replaces the previously
   * published version. `binding` binds numbers to the agent: undefined leaves the direction
   * as is, null releases it. Errors: AGENT_NOT_FOUND, BAD_PARAMETER (version not of this
   * agent), PHONE_NUMBER_NOT_FOUND.
   */
  async publish(projectId: string, agentId: string, versionId: string | null, binding: PhoneBinding): Promise<PublishResult> {
    return this.db.transaction().execute(async (trx) => {
      const agent = await agentIn(trx, projectId, agentId);
      if (!agent) throw agentNotFound(agentId);
      let publishedId: string | null = null;
      if (versionId !== null) {
        const row = await trx
          .selectFrom('agent_versions')
          .select(['id', 'is_draft'])
          .where('agent_id', '=', agentId)
          .where('id', '=', versionId)
          .executeTakeFirst();
        if (!row) throw new AppError('BAD_PARAMETER', `Version ${versionId} does not belong to agent ${agentId}`);
        publishedId = fromDbBool(row.is_draft) ? (await launchIn(trx, agent, null)).version.id : row.id;
      } else if (binding.inboundPhoneId || binding.outboundPhoneId) {
        throw new AppError('BAD_PARAMETER', 'Cannot bind phone numbers while unpublishing the agent');
      }
      await trx
        .updateTable('agents')
        .set({ published_version_id: publishedId, modified_at: nowIso() })
        .where('id', '=', agentId)
        .execute();
      const numbers = publishedId === null
        ? await unbindAllNumbers(trx, projectId, agentId)
        : await bindPublishedNumbers(trx, projectId, agentId, binding);
      return { agent_id: agentId, published_version_id: publishedId, ...numbers };
    });
  }

  private async viewIn(db: Db, projectId: string, versionId: string): Promise<AgentView | undefined> {
    const row = await db
      .selectFrom('agent_versions')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '=', versionId)
      .executeTakeFirst();
    if (!row) return undefined;
    const agent = await agentIn(db, projectId, row.agent_id);
    return agent && { agent, version: toVersion(row, agent) };
  }
}

export function agentNotFound(agentId: string): AppError {
  return new AppError('AGENT_NOT_FOUND', `Agent ${agentId} not found`);
}

async function agentIn(db: Db, projectId: string, agentId: string): Promise<AgentRecord | undefined> {
  const row = await db
    .selectFrom('agents')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', agentId)
    .executeTakeFirst();
  return row && toAgent(row);
}

// Called inside a transaction: the counter update locks the agent row, so concurrent launches
// get distinct numbers, and a deleted version's number is never handed out again.
async function launchIn(db: Db, agent: AgentRecord, versionName: string | null): Promise<AgentView> {
  const now = nowIso();
  await db
    .updateTable('agents')
    .set((eb) => ({ last_version_number: eb('last_version_number', '+', 1), modified_at: now }))
    .where('id', '=', agent.id)
    .execute();
  const fresh = (await agentIn(db, agent.project_id, agent.id)) as AgentRecord;
  const draft = await db
    .selectFrom('agent_versions')
    .select('settings')
    .where('id', '=', fresh.draft_version_id)
    .executeTakeFirstOrThrow();
  const settings = fromJson<AgentSettings>(draft.settings, {} as AgentSettings);
  const id = newId();
  await insertVersion(db, fresh, id, fresh.last_version_number, versionName, false, settings, now);
  const row = await db.selectFrom('agent_versions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { agent: fresh, version: toVersion(row, fresh) };
}

async function insertVersion(
  db: Db,
  agent: AgentRecord,
  id: string,
  versionNumber: number,
  versionName: string | null,
  isDraft: boolean,
  settings: AgentSettings,
  now: string,
): Promise<void> {
  await db
    .insertInto('agent_versions')
    .values({
      id,
      agent_id: agent.id,
      project_id: agent.project_id,
      version_number: versionNumber,
      version_name: versionName,
      is_draft: toDbBool(isDraft),
      mode: settings.mode,
      settings: JSON.stringify(settings),
      created_at: now,
      modified_at: now,
    })
    .execute();
}

async function versionsById(db: Db, projectId: string, ids: string[]): Promise<Map<string, Selectable<AgentVersionsTable>>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('agent_versions').selectAll().where('project_id', '=', projectId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

function toAgent(row: Selectable<AgentsTable>): AgentRecord {
  return { ...row, last_version_number: Number(row.last_version_number) };
}

function toVersion(row: Selectable<AgentVersionsTable>, agent: AgentRecord): AgentVersionRecord {
  return {
    id: row.id,
    agent_id: row.agent_id,
    project_id: row.project_id,
    version_number: Number(row.version_number),
    version_name: row.version_name,
    is_draft: fromDbBool(row.is_draft),
    is_published: agent.published_version_id === row.id,
    settings: fromJson<AgentSettings>(row.settings, {} as AgentSettings),
    created_at: row.created_at,
    modified_at: row.modified_at,
  };
}
