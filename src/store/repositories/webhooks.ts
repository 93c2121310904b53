import type { Kysely, Selectable } from 'kysely';
import type { Page, PageParams } from '../../domain/pagination.ts';
import { newId, nowIso } from '../../domain/ids.ts';
import type { WebhookEventName } from '../../domain/webhook-events.ts';
import { fromJson } from '../columns.ts';
import { paginate } from '../paginate.ts';
import type { Database, WebhooksTable } from '../schema.ts';

export interface WebhookRecord {
  id: string;
  url: string;
  subscribed_events: WebhookEventName[];
  created_date: string;
}

export class WebhookRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** `sealedSecret`: the signing secret, already sealed with the secret box. */
  async create(projectId: string, url: string, events: WebhookEventName[], sealedSecret: string | null = null): Promise<WebhookRecord> {
    const row = {
      id: newId(), project_id: projectId, url, subscribed_events: JSON.stringify(events), created_date: nowIso(), secret_sealed: sealedSecret,
    };
    await this.db.insertInto('webhooks').values(row).execute();
    return toRecord(row);
  }

  async get(projectId: string, id: string): Promise<WebhookRecord | undefined> {
    const row = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** `events`, when given, keeps only webhooks subscribed to at least one of them. */
  async list(projectId: string, params: PageParams, events?: WebhookEventName[]): Promise<Page<WebhookRecord>> {
    let base = this.db.selectFrom('webhooks').where('project_id', '=', projectId);
    if (events && events.length > 0) {
      // Events are a small closed enum stored as a JSON array of quoted names.
      base = base.where((eb) => eb.or(events.map((e) => eb('subscribed_events', 'like', `%"${e}"%`))));
    }
    const page = await paginate<Selectable<WebhooksTable>>(base, { sort: 'created_date', id: 'id' }, params);
    return { ...page, data: page.data.map(toRecord) };
  }

  async update(projectId: string, id: string, patch: { url?: string; events?: WebhookEventName[] }): Promise<WebhookRecord | undefined> {
    const set: Partial<WebhooksTable> = {};
    if (patch.url !== undefined) set.url = patch.url;
    if (patch.events !== undefined) set.subscribed_events = JSON.stringify(patch.events);
    if (Object.keys(set).length > 0) {
      await this.db.updateTable('webhooks').set(set).where('project_id', '=', projectId).where('id', '=', id).execute();
    }
    return this.get(projectId, id);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhooks').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toRecord(row: Omit<Selectable<WebhooksTable>, 'secret_sealed'>): WebhookRecord {
  return {
    id: row.id,
    url: row.url,
    subscribed_events: fromJson<WebhookEventName[]>(row.subscribed_events, []),
    created_date: row.created_date,
  };
}
