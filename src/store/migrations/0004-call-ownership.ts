import type { Kysely } from 'kysely';

// Which Habla process owns a live call. On start-up a process closes the calls it owned before
// a crash (`server_restart`) without touching calls other processes sharing the database hold.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('calls').addColumn('engine_instance', 'text').execute();
  await db.schema.createIndex('calls_engine_instance_live').on('calls').columns(['engine_instance', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('calls_engine_instance_live').execute();
  await db.schema.alterTable('calls').dropColumn('engine_instance').execute();
}
