import type { Kysely, Selectable } from 'kysely';
import type { Page, PageParams } from '../../domain/pagination.ts';
import type { Role } from '../../domain/permissions.ts';
import { newId, nowIso } from '../../domain/ids.ts';
import { paginate } from '../paginate.ts';
import type { Database, ProjectsTable } from '../schema.ts';

export interface ProjectRecord {
  id: string;
  name: string;
  description: string | null;
  members_count: number;
}

// Projects are reached through a profile's membership; a project the profile is not a
// member of does not exist for it.
export class ProjectRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async createProfile(name: string): Promise<string> {
    const id = newId();
    await this.db.insertInto('profiles').values({ id, name, created_date: nowIso() }).execute();
    return id;
  }

  async create(profileId: string, name: string, description: string | null): Promise<ProjectRecord> {
    const id = newId();
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('projects').values({ id, name, description, created_date: now, deleted_at: null }).execute();
      await trx
        .insertInto('project_members')
        .values({ project_id: id, profile_id: profileId, role: 'admin' satisfies Role, created_date: now })
        .execute();
    });
    return { id, name, description, members_count: 1 };
  }

  private visible(profileId: string) {
    return this.db
      .selectFrom('projects')
      .where('projects.deleted_at', 'is', null)
      .where('projects.id', 'in', (eb) =>
        eb.selectFrom('project_members').select('project_id').where('profile_id', '=', profileId),
      );
  }

  async get(profileId: string, id: string): Promise<ProjectRecord | undefined> {
    const row = await this.visible(profileId).selectAll().where('projects.id', '=', id).executeTakeFirst();
    return row && (await this.withCounts([row]))[0];
  }

  async list(profileId: string, params: PageParams): Promise<Page<ProjectRecord>> {
    const page = await paginate<Selectable<ProjectsTable>>(
      this.visible(profileId),
      { sort: 'projects.created_date', id: 'projects.id' },
      params,
    );
    return { ...page, data: await this.withCounts(page.data) };
  }

  async roleOf(profileId: string, projectId: string): Promise<Role | undefined> {
    const row = await this.db
      .selectFrom('project_members')
      .select('role')
      .where('profile_id', '=', profileId)
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    return row?.role as Role | undefined;
  }

  async update(id: string, patch: { name?: string; description?: string | null }): Promise<void> {
    if (patch.name === undefined && patch.description === undefined) return;
    await this.db.updateTable('projects').set(patch).where('id', '=', id).execute();
  }

  /** Deleted projects are kept for audit; their keys stop working at once. */
  async softDelete(id: string): Promise<void> {
    await this.db.updateTable('projects').set({ deleted_at: nowIso() }).where('id', '=', id).execute();
  }

  /**
   * Soft-deletes a project unless it is the last one the profile can see. Concurrent
   * deletes by one profile are serialised on its profile row, so two of them can never
   * both pass the check and leave the profile with no project.
   */
  async softDeleteUnlessLast(profileId: string, id: string): Promise<'deleted' | 'last'> {
    return this.db.transaction().execute(async (trx) => {
      // A no-op write: takes the row lock on PostgreSQL; SQLite serialises writers anyway.
      await trx.updateTable('profiles').set((eb) => ({ name: eb.ref('name') })).where('id', '=', profileId).execute();
      const row = await new ProjectRepository(trx).visible(profileId)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      if (Number(row?.n ?? 0) <= 1) return 'last';
      await trx.updateTable('projects').set({ deleted_at: nowIso() }).where('id', '=', id).where('deleted_at', 'is', null).execute();
      return 'deleted';
    });
  }

  async addMember(projectId: string, profileId: string, role: Role): Promise<void> {
    await this.db
      .insertInto('project_members')
      .values({ project_id: projectId, profile_id: profileId, role, created_date: nowIso() })
      .execute();
  }

  /** A live project and one of its admins: whom a key created by the operator (CLI) belongs to. */
  async findAdmin(projectId: string): Promise<{ projectId: string; profileId: string } | undefined> {
    return this.db
      .selectFrom('projects')
      .innerJoin('project_members', 'project_members.project_id', 'projects.id')
      .select(['projects.id as projectId', 'project_members.profile_id as profileId'])
      .where('projects.id', '=', projectId)
      .where('projects.deleted_at', 'is', null)
      .where('project_members.role', '=', 'admin')
      .orderBy('project_members.created_date', 'asc')
      .executeTakeFirst();
  }

  async countVisible(profileId: string): Promise<number> {
    const row = await this.visible(profileId).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async countAll(): Promise<number> {
    const row = await this.db.selectFrom('projects').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The oldest live project and one of its admins: where the operator's admin key goes. */
  async findDefault(): Promise<{ projectId: string; profileId: string } | undefined> {
    return this.db
      .selectFrom('projects')
      .innerJoin('project_members', 'project_members.project_id', 'projects.id')
      .select(['projects.id as projectId', 'project_members.profile_id as profileId'])
      .where('projects.deleted_at', 'is', null)
      .where('project_members.role', '=', 'admin')
      .orderBy('projects.created_date', 'asc')
      .executeTakeFirst();
  }

  private async withCounts(rows: Selectable<ProjectsTable>[]): Promise<ProjectRecord[]> {
    if (rows.length === 0) return [];
    const counts = await this.db
      .selectFrom('project_members')
      .select(['project_id', (eb) => eb.fn.countAll().as('n')])
      .where('project_id', 'in', rows.map((r) => r.id))
      .groupBy('project_id')
      .execute();
    const byId = new Map(counts.map((c) => [c.project_id, Number(c.n)]));
    return rows.map((r) => ({ id: r.id, name: r.name, description: r.description, members_count: byId.get(r.id) ?? 0 }));
  }
}
