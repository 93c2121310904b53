import type { Kysely, Selectable } from 'kysely';
import { newId, nowIso } from '../../domain/ids.ts';
import type { ContactsTable, Database } from '../schema.ts';

export type ContactType = 'call' | 'web';

export interface ContactRecord {
  id: string;
  created_date: string;
  /** E.164 number for phone contacts, browser id for web ones. */
  identifier: string;
  contact_type: ContactType;
}

// A contact is created the first time someone calls or is called, and reused afterwards.
export class ContactRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Race-safe: two calls to the same new number at once end up with the same contact. */
  async findOrCreate(projectId: string, contactType: ContactType, identifier: string): Promise<ContactRecord> {
    const existing = await this.find(projectId, contactType, identifier);
    if (existing) return existing;
    await this.db
      .insertInto('contacts')
      .values({ id: newId(), project_id: projectId, identifier, contact_type: contactType, created_date: nowIso() })
      .onConflict((oc) => oc.columns(['project_id', 'contact_type', 'identifier']).doNothing())
      .execute();
    return (await this.find(projectId, contactType, identifier))!;
  }

  async getMany(projectId: string, ids: string[]): Promise<Map<string, ContactRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((row) => [row.id, toRecord(row)]));
  }

  private async find(projectId: string, contactType: ContactType, identifier: string): Promise<ContactRecord | undefined> {
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('contact_type', '=', contactType)
      .where('identifier', '=', identifier)
      .executeTakeFirst();
    return row && toRecord(row);
  }
}

function toRecord(row: Selectable<ContactsTable>): ContactRecord {
  return { id: row.id, created_date: row.created_date, identifier: row.identifier, contact_type: row.contact_type as ContactType };
}
