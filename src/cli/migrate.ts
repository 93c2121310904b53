import type { Config } from '../config/index.ts';
import { migrateToLatest, openStore } from '../store/database.ts';

export async function runMigrate(config: Config): Promise<number> {
  const store = openStore(config.databaseUrl);
  try {
    const applied = await migrateToLatest(store);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    return 0;
  } finally {
    await store.close();
  }
}
