import type { Kysely } from 'kysely';

// Call spans: the finished OpenTelemetry spans of each call (GET /v1/trace/call/{call_id}),
// written in batches by the tracing span processor (src/observability/). Kept in the database
// so a trace survives restarts and is served by any instance sharing it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('call_spans')
    .addColumn('trace_id', 'text', (c) => c.notNull())
    .addColumn('span_id', 'text', (c) => c.notNull())
    .addColumn('parent_span_id', 'text')
    // Spans go with their call (bulk delete), like its logs: tags may describe the conversation.
    .addColumn('call_id', 'text', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('service_name', 'text', (c) => c.notNull())
    // ISO-8601 UTC with milliseconds, like every other timestamp; duration_ms keeps sub-ms precision.
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'double precision', (c) => c.notNull())
    // OK, ERROR, or null when the span did not set one (UNSET).
    .addColumn('status', 'text')
    .addColumn('status_message', 'text')
    .addColumn('attributes', 'text')
    .addPrimaryKeyConstraint('call_spans_pk', ['trace_id', 'span_id'])
    .execute();
  await db.schema.createIndex('call_spans_call').on('call_spans').columns(['call_id', 'start_time']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('call_spans').execute();
}
