// Row types of every table, as Kysely sees them. Columns are snake_case as on the wire.
// Portable types across SQLite and PostgreSQL: ids, timestamps (ISO-8601 UTC) and JSON
// documents are text; booleans are 0/1 integers.

import type { Generated } from 'kysely';

export type DbBool = number;
export type JsonText = string;

export interface ProjectsTable {
  id: string;
  name: string;
  description: string | null;
  created_date: string;
  deleted_at: string | null;
}

/** The identity behind API keys (Diga's "profile"); the first key's is created at bootstrap. */
export interface ProfilesTable {
  id: string;
  name: string;
  created_date: string;
}

export interface ProjectMembersTable {
  project_id: string;
  profile_id: string;
  role: string;
  created_date: string;
}

export interface ApiKeysTable {
  id: string;
  project_id: string;
  creator_id: string;
  name: string;
  /** SHA-256 hex of the key value; the value itself is never stored. */
  key_hash: string;
  last_four_digits: string;
  restricted: DbBool;
  permissions: JsonText | null;
  expiry_date: string | null;
  created_date: string;
  last_used_at: string | null;
}

export interface VoiceFavouritesTable {
  project_id: string;
  voice_id: string;
  created_date: string;
}

export interface AgentsTable {
  id: string;
  project_id: string;
  draft_version_id: string;
  published_version_id: string | null;
  /** Version numbers come from one counter per agent and are never reused. */
  last_version_number: number;
  source_template_id: string | null;
  created_at: string;
  modified_at: string;
}

export interface AgentVersionsTable {
  id: string;
  agent_id: string;
  project_id: string;
  version_number: number;
  version_name: string | null;
  is_draft: DbBool;
  mode: string;
  /** Every agent setting (prompt, voice, tools, …) as one JSON document: versions are snapshots. */
  settings: JsonText;
  created_at: string;
  modified_at: string;
}

export interface PhonesTable {
  id: string;
  project_id: string;
  /** E.164 (`+34…`) or a SIP user identifier. */
  number: string;
  nickname: string | null;
  telephony_provider: string;
  status: string;
  assigned_at: string | null;
  released_at: string | null;
  scheduled_release_at: string | null;
  inbound_agent_id: string | null;
  outbound_agent_id: string | null;
  has_outbound_config: DbBool;
  termination_uri: string | null;
  sip_username: string | null;
  /** AES-256-GCM ciphertext of the trunk password (see lib/secret-box). */
  sip_password_encrypted: string | null;
  inbound_media_encryption: string;
  outbound_media_encryption: string;
  allowed_addresses: JsonText | null;
  created_date: string;
}

export interface ContactsTable {
  id: string;
  project_id: string;
  identifier: string;
  contact_type: string;
  created_date: string;
}

export interface CallsTable {
  id: string;
  project_id: string;
  agent_id: string | null;
  agent_version_id: string | null;
  phone_register_id: string | null;
  contact_id: string;
  status: string;
  type: string;
  from_number: string | null;
  to_number: string | null;
  start_time: string | null;
  end_time: string | null;
  duration: number | null;
  end_reason: string | null;
  /** Path of the recording inside the storage, once the call has been recorded. */
  recording_key: string | null;
  dynamic_variables: JsonText | null;
  created_date: string;
  updated_at: string;
  /** The process that drives the live call (see migration 0004); null for calls no engine took. */
  engine_instance: string | null;
  /** Post-call analysis (0006-transcript-analysis); null until analysed. */
  summary: string | null;
  /** positive | neutral | negative */
  sentiment: string | null;
  success: DbBool | null;
  /** null (nothing to analyse yet) | pending | running | completed | failed */
  analysis_status: string | null;
  /** When an analyser took the call (running); a stale claim is taken over. */
  analysis_claimed_at: string | null;
  /** Per-turn latency figures of the voice agent, a JSON array. */
  latency: JsonText | null;
}

export interface MessagesTable {
  id: string;
  call_id: string;
  project_id: string;
  /** Position in the conversation; ties in created_date are ordered by it. */
  seq: number;
  role: string;
  content: string | null;
  tool_call: JsonText | null;
  created_date: string;
  /** Offsets from the call's answer (0006-transcript-analysis); null for turns stored without timing. */
  start_ms: number | null;
  end_ms: number | null;
  /** The caller cut this agent turn off; the content is what was actually played. Defaults to 0. */
  interrupted: Generated<DbBool>;
}

export interface WebhooksTable {
  id: string;
  project_id: string;
  url: string;
  subscribed_events: JsonText;
  created_date: string;
  /** Signing secret, sealed with the secret box; null for webhooks made before secrets existed. */
  secret_sealed: string | null;
}

/** The webhook outbox: one row per event and subscribed webhook (0002-webhook-delivery). */
export interface WebhookDeliveriesTable {
  id: string;
  project_id: string;
  webhook_id: string;
  call_id: string;
  event_id: string;
  event_type: string;
  /** Order of the event among its call's events. */
  seq: number;
  payload: JsonText;
  /** pending | delivered | failed */
  status: string;
  attempts: number;
  next_attempt_at: string;
  /** Lease of the dispatcher delivering it; expired leases are claimed again (crash recovery). */
  locked_until: string | null;
  last_error: string | null;
  created_date: string;
  completed_at: string | null;
}

export interface WebhookDeliveryAttemptsTable {
  id: string;
  delivery_id: string;
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

/** Customer-visible events of a call, in append order (0003-call-logs). */
export interface CallLogsTable {
  /** UUIDv7: ordering by id is append order. */
  id: string;
  project_id: string;
  call_id: string;
  timestamp: string;
  level: string;
  category: string;
  event: string;
  data: JsonText | null;
  trace_id: string | null;
}

/** Finished OpenTelemetry spans of calls (0005-call-spans); one trace per call. */
export interface CallSpansTable {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  call_id: string;
  project_id: string;
  name: string;
  service_name: string;
  /** ISO-8601 UTC. */
  start_time: string;
  end_time: string;
  duration_ms: number;
  /** OK, ERROR, or null (UNSET). */
  status: string | null;
  status_message: string | null;
  attributes: JsonText | null;
}

export interface Database {
  projects: ProjectsTable;
  profiles: ProfilesTable;
  project_members: ProjectMembersTable;
  api_keys: ApiKeysTable;
  voice_favourites: VoiceFavouritesTable;
  agents: AgentsTable;
  agent_versions: AgentVersionsTable;
  phones: PhonesTable;
  contacts: ContactsTable;
  calls: CallsTable;
  messages: MessagesTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
  call_logs: CallLogsTable;
  call_spans: CallSpansTable;
}
