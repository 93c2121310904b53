import type { Kysely } from 'kysely';

// Written with the schema builder only, so the same migration runs on SQLite and PostgreSQL.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_date', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();

  await db.schema
    .createTable('profiles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_date', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('project_members')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('profile_id', 'text', (c) => c.notNull().references('profiles.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'profile_id'])
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('creator_id', 'text', (c) => c.notNull().references('profiles.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('last_four_digits', 'text', (c) => c.notNull())
    .addColumn('restricted', 'integer', (c) => c.notNull())
    .addColumn('permissions', 'text')
    .addColumn('expiry_date', 'text')
    .addColumn('created_date', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_project').on('api_keys').columns(['project_id', 'created_date']).execute();

  await db.schema
    .createTable('voice_favourites')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('voice_id', 'text', (c) => c.notNull())
    .addColumn('created_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('voice_favourites_pk', ['project_id', 'voice_id'])
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('draft_version_id', 'text', (c) => c.notNull())
    .addColumn('published_version_id', 'text')
    .addColumn('last_version_number', 'integer', (c) => c.notNull())
    .addColumn('source_template_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agents_project').on('agents').columns(['project_id', 'created_at']).execute();

  await db.schema
    .createTable('agent_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('version_number', 'integer', (c) => c.notNull())
    .addColumn('version_name', 'text')
    .addColumn('is_draft', 'integer', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_versions_agent').on('agent_versions').columns(['agent_id', 'created_at']).execute();

  await db.schema
    .createTable('phones')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('nickname', 'text')
    .addColumn('telephony_provider', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'text')
    .addColumn('released_at', 'text')
    .addColumn('scheduled_release_at', 'text')
    .addColumn('inbound_agent_id', 'text')
    .addColumn('outbound_agent_id', 'text')
    .addColumn('has_outbound_config', 'integer', (c) => c.notNull())
    .addColumn('termination_uri', 'text')
    .addColumn('sip_username', 'text')
    .addColumn('sip_password_encrypted', 'text')
    .addColumn('inbound_media_encryption', 'text', (c) => c.notNull())
    .addColumn('outbound_media_encryption', 'text', (c) => c.notNull())
    .addColumn('allowed_addresses', 'text')
    .addColumn('created_date', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('phones_project').on('phones').columns(['project_id', 'created_date']).execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('contact_type', 'text', (c) => c.notNull())
    .addColumn('created_date', 'text', (c) => c.notNull())
    .addUniqueConstraint('contacts_identity', ['project_id', 'contact_type', 'identifier'])
    .execute();

  await db.schema
    .createTable('calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('agent_id', 'text')
    .addColumn('agent_version_id', 'text')
    .addColumn('phone_register_id', 'text')
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text')
    .addColumn('to_number', 'text')
    .addColumn('start_time', 'text')
    .addColumn('end_time', 'text')
    .addColumn('duration', 'integer')
    .addColumn('end_reason', 'text')
    .addColumn('recording_key', 'text')
    .addColumn('dynamic_variables', 'text')
    .addColumn('created_date', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('calls_project_created').on('calls').columns(['project_id', 'created_date']).execute();
  await db.schema.createIndex('calls_status').on('calls').columns(['status']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('call_id', 'text', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('content', 'text')
    .addColumn('tool_call', 'text')
    .addColumn('created_date', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_call').on('messages').columns(['call_id', 'seq']).execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('subscribed_events', 'text', (c) => c.notNull())
    .addColumn('created_date', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_project').on('webhooks').columns(['project_id', 'created_date']).execute();
}
