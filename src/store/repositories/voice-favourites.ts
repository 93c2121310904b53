import type { Kysely } from 'kysely';
import { nowIso } from '../../domain/ids.ts';
import type { Database } from '../schema.ts';

// A project's favourite voices. Voices live in an in-memory catalogue, so only their ids are stored.
export class VoiceFavouriteRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async has(projectId: string, voiceId: string): Promise<boolean> {
    const row = await this.db.selectFrom('voice_favourites').select('voice_id')
      .where('project_id', '=', projectId).where('voice_id', '=', voiceId).executeTakeFirst();
    return row !== undefined;
  }

  /** Idempotent: favouriting a favourite keeps the first entry. */
  async add(projectId: string, voiceId: string): Promise<void> {
    await this.db.insertInto('voice_favourites')
      .values({ project_id: projectId, voice_id: voiceId, created_date: nowIso() })
      .onConflict((oc) => oc.columns(['project_id', 'voice_id']).doNothing())
      .execute();
  }

  /** Whether the voice was a favourite before. */
  async remove(projectId: string, voiceId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('voice_favourites')
      .where('project_id', '=', projectId).where('voice_id', '=', voiceId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The project's favourite voice ids, oldest favourite first. */
  async listIds(projectId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('voice_favourites').select('voice_id')
      .where('project_id', '=', projectId).orderBy('created_date').orderBy('voice_id').execute();
    return rows.map((r) => r.voice_id);
  }
}
