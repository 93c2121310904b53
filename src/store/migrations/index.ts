import type { Migration, MigrationProvider } from 'kysely';
import * as core from './0001-core.ts';
import * as webhookDelivery from './0002-webhook-delivery.ts';

// Forward-only: migrations are appended here and never edited once released.
const MIGRATIONS: Record<string, Migration> = {
  '0001-core': core,
  '0002-webhook-delivery': webhookDelivery,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
