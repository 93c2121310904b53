import type { Migration, MigrationProvider } from 'kysely';
import * as core from './0001-core.ts';
import * as webhookDelivery from './0002-webhook-delivery.ts';
import * as callLogs from './0003-call-logs.ts';
import * as callOwnership from './0004-call-ownership.ts';
import * as callSpans from './0005-call-spans.ts';
import * as transcriptAnalysis from './0006-transcript-analysis.ts';

// Forward-only: migrations are appended here and never edited once released.
const MIGRATIONS: Record<string, Migration> = {
  '0001-core': core,
  '0002-webhook-delivery': webhookDelivery,
  '0003-call-logs': callLogs,
  '0004-call-ownership': callOwnership,
  '0005-call-spans': callSpans,
  '0006-transcript-analysis': transcriptAnalysis,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
