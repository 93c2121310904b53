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
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const store = openStore(PG_URL, { pgSchema: schema });
  await migrateToLatest(store);
  return {
    ...store,
    async close() {
      await store.close();
      const dropper = new pg.Client({ connectionString: PG_URL });
      await dropper.connect();
      await dropper.query(`DROP SCHEMA ${schema} CASCADE`);
      await dropper.end();
    },
  };
}
