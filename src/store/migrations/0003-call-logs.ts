import type { Kysely } from 'kysely';

// Call logs: the customer-visible events of a call (GET /v1/log/call/{call_id}), written by
// the call engine. Ids are UUIDv7, so ordering by id is the order the entries were appended.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('call_logs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    // Logs go with their call (bulk delete): an orphan log is unreachable through the API and
    // may hold personal data (message text, digits). SQLite enforces it with foreign_keys = ON.
    .addColumn('call_id', 'text', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('trace_id', 'text')
    .execute();
  await db.schema.createIndex('call_logs_call').on('call_logs').columns(['call_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('call_logs').execute();
}
