import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, openStore, type Store } from '../../src/store/database.ts';

// Every store-backed test runs on both engines. PostgreSQL must be reachable (scripts/test.sh
// installs and starts it): a missing server fails the suite, it is never skipped.
export const PG_URL = process.env.HABLA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  open(): Promise<Store>;
}

export const TEST_DATABASES: TestDatabase[] = [
  { name: 'sqlite', open: openSqlite },
  { name: 'postgres', open: openPostgres },
];

async function openSqlite(): Promise<Store> {
  const store = openStore('sqlite::memory:');
  await migrateToLatest(store);
  return store;
}

/** A fresh schema per store, dropped on close, so tests never see each other's rows. */
async function openPostgres(): Promise<Store> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (admin) => {
    await admin.query(`CREATE SCHEMA ${schema}`);
  });
  const store = openStore(PG_URL, { pgSchema: schema });
  // Kysely's migrator introspects every schema of the database; a schema dropped by a test
  // running in parallel in that instant makes it fail ("schema … does not exist"). Migrations
  // hold a shared lock and drops an exclusive one, so the two never overlap.
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock_shared($1)', [SCHEMA_LOCK]);
    try {
      await migrateToLatest(store);
    } finally {
      await admin.query('SELECT pg_advisory_unlock_shared($1)', [SCHEMA_LOCK]);
    }
  });
  return {
    ...store,
    async close() {
      await store.close();
      await withAdmin(async (admin) => {
        await admin.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      });
    },
  };
}

/** Advisory lock key that orders test-schema migrations against test-schema drops. */
const SCHEMA_LOCK = 727_001;

/** A short-lived connection; its session locks are released when it ends. */
async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
