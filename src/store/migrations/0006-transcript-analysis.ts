import type { Kysely } from 'kysely';

// Transcript timing and post-call analysis (docs/calls.md).
// - messages: when each turn started and ended (ms from the call's answer) and whether the
//   caller cut the agent off. `seq` becomes unique per call: the call session is the one writer
//   of a call's transcript, and a second writer must fail loudly rather than duplicate a position.
// - calls: the analysis (summary, sentiment, success), where it stands (analysis_status, with a
//   claim time so a crashed analyser's work is taken over) and the per-turn latency figures.
// SQLite takes one ADD COLUMN per ALTER TABLE, hence one statement per column.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('start_ms', 'integer').execute();
  await db.schema.alterTable('messages').addColumn('end_ms', 'integer').execute();
  await db.schema.alterTable('messages').addColumn('interrupted', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.dropIndex('messages_call').execute();
  await db.schema.createIndex('messages_call_seq').on('messages').columns(['call_id', 'seq']).unique().execute();

  await db.schema.alterTable('calls').addColumn('summary', 'text').execute();
  await db.schema.alterTable('calls').addColumn('sentiment', 'text').execute();
  await db.schema.alterTable('calls').addColumn('success', 'integer').execute();
  // null: nothing to analyse (yet); pending → running → completed | failed.
  await db.schema.alterTable('calls').addColumn('analysis_status', 'text').execute();
  await db.schema.alterTable('calls').addColumn('analysis_claimed_at', 'text').execute();
  await db.schema.alterTable('calls').addColumn('latency', 'text').execute();
  await db.schema.createIndex('calls_analysis_status').on('calls').columns(['analysis_status', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('calls_analysis_status').execute();
  for (const column of ['latency', 'analysis_claimed_at', 'analysis_status', 'success', 'sentiment', 'summary']) {
    await db.schema.alterTable('calls').dropColumn(column).execute();
  }
  await db.schema.dropIndex('messages_call_seq').execute();
  await db.schema.createIndex('messages_call').on('messages').columns(['call_id', 'seq']).execute();
  for (const column of ['interrupted', 'end_ms', 'start_ms']) {
    await db.schema.alterTable('messages').dropColumn(column).execute();
  }
}
