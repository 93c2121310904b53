import type { Kysely, Selectable } from 'kysely';
import type { Page, PageParams } from '../../domain/pagination.ts';
import { effectivePermissions } from '../../domain/permissions.ts';
import { newId, nowIso } from '../../domain/ids.ts';
import { generateApiKeyValue, hashApiKey, lastFour } from '../../lib/api-key-value.ts';
import { fromDbBool, fromJson, toDbBool, toJson } from '../columns.ts';
import { paginate } from '../paginate.ts';
import { param, prepareQuery } from '../prepared.ts';
import type { ApiKeysTable, Database } from '../schema.ts';

export interface ApiKeyRecord {
  id: string;
  projectId: string;
  creatorId: string;
  name: string;
  lastFourDigits: string;
  restricted: boolean;
  /** As stored: only meaningful for restricted keys. */
  permissions: string[] | null;
  expiryDate: string | null;
  createdDate: string;
}

export interface NewApiKey {
  projectId: string;
  creatorId: string;
  name: string;
  restricted: boolean;
  permissions: string[] | null;
  expiryDate: string | null;
  /** Supplied by the operator (HABLA_ADMIN_API_KEY); otherwise generated. */
  value?: string;
}

export interface ApiKeyUpdate {
  name?: string;
  restricted?: boolean;
  permissions?: string[] | null;
}

export class ApiKeyRepository {
  /** Runs on every request: compiled once (see store/prepared.ts). */
  private readonly activeByHash;

  constructor(private readonly db: Kysely<Database>) {
    this.activeByHash = prepareQuery<Selectable<ApiKeysTable>, 'hash' | 'now'>(
      db,
      db
        .selectFrom('api_keys')
        .innerJoin('projects', 'projects.id', 'api_keys.project_id')
        .selectAll('api_keys')
        .where('api_keys.key_hash', '=', param('hash'))
        .where('projects.deleted_at', 'is', null)
        .where((eb) => eb.or([eb('api_keys.expiry_date', 'is', null), eb('api_keys.expiry_date', '>', param('now'))])),
    );
  }

  /** The key matching a hash, if it is not expired and its project still exists. */
  async findActiveByHash(keyHash: string, now: string) {
    const [row] = await this.activeByHash({ hash: keyHash, now });
    if (!row) return undefined;
    const record = toRecord(row);
    return { ...record, permissions: effectivePermissions(record.restricted, record.permissions) };
  }

  /** Creates a key and returns its value, which is never readable again. */
  async create(input: NewApiKey): Promise<{ record: ApiKeyRecord; value: string }> {
    const value = input.value ?? generateApiKeyValue();
    const row: Selectable<ApiKeysTable> = {
      id: newId(),
      project_id: input.projectId,
      creator_id: input.creatorId,
      name: input.name,
      key_hash: hashApiKey(value),
      last_four_digits: lastFour(value),
      restricted: toDbBool(input.restricted),
      permissions: input.restricted ? toJson(input.permissions ?? []) : null,
      expiry_date: input.expiryDate,
      created_date: nowIso(),
      last_used_at: null,
    };
    await this.db.transaction().execute(async (trx) => {
      // An operator-supplied value must always be addable: a stale row holding the same
      // value (expired, or left in a deleted project) would otherwise violate the unique
      // hash and stop the server at boot. That row can no longer authenticate anyway.
      if (input.value !== undefined) await trx.deleteFrom('api_keys').where('key_hash', '=', row.key_hash).execute();
      await trx.insertInto('api_keys').values(row).execute();
    });
    return { record: toRecord(row), value };
  }

  async get(projectId: string, id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async list(projectId: string, params: PageParams): Promise<Page<ApiKeyRecord>> {
    const base = this.db.selectFrom('api_keys').where('project_id', '=', projectId);
    const page = await paginate<Selectable<ApiKeysTable>>(base, { sort: 'created_date', id: 'id' }, params);
    return { ...page, data: page.data.map(toRecord) };
  }

  async update(projectId: string, id: string, patch: ApiKeyUpdate): Promise<ApiKeyRecord | undefined> {
    const current = await this.get(projectId, id);
    if (!current) return undefined;
    const restricted = patch.restricted ?? current.restricted;
    const permissions = patch.permissions !== undefined ? patch.permissions : current.permissions;
    await this.db
      .updateTable('api_keys')
      .set({
        name: patch.name ?? current.name,
        restricted: toDbBool(restricted),
        permissions: restricted ? toJson(permissions ?? []) : null,
      })
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .execute();
    return this.get(projectId, id);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('api_keys')
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async countAll(): Promise<number> {
    const row = await this.db.selectFrom('api_keys').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

function toRecord(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    creatorId: row.creator_id,
    name: row.name,
    lastFourDigits: row.last_four_digits,
    restricted: fromDbBool(row.restricted),
    permissions: fromJson<string[] | null>(row.permissions, null),
    expiryDate: row.expiry_date,
    createdDate: row.created_date,
  };
}
