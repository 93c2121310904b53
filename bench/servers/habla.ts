import { loadConfig, type LogLevel } from '../../src/config/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startHabla } from '../../src/main.ts';
import { openStore } from '../../src/store/database.ts';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { ContactRepository } from '../../src/store/repositories/contacts.ts';
import { ProjectRepository } from '../../src/store/repositories/projects.ts';

// Child process of bench/api.ts: Habla as `habla serve` composes it (main.ts), on SQLite in
// the given data directory, with one finished call to read. Reports its port over IPC.

const dataDir = process.env.BENCH_DATA_DIR!;
const level = (process.env.BENCH_LOG_LEVEL ?? 'info') as LogLevel;
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  HABLA_DATA_DIR: dataDir,
  HABLA_ADMIN_API_KEY: process.env.BENCH_ADMIN_KEY!,
  LOG_LEVEL: level,
});
const habla = await startHabla(config, createLogger(level));

// The call is written through a second connection, as another Habla process would.
const store = openStore(config.databaseUrl);
const project = (await new ProjectRepository(store.db).findDefault())!;
const contact = await new ContactRepository(store.db).findOrCreate(project.projectId, 'call', '+34600000001');
const calls = new CallRepository(store.db);
const call = await calls.create({
  projectId: project.projectId, agentId: null, agentVersionId: null, phoneId: null, contactId: contact.id,
  type: 'outbound', status: 'dialing', fromNumber: '+34910000001', toNumber: '+34600000001',
  dynamicVariables: { customer_name: 'Ana', plan: 'premium' },
});
await calls.markAnswered(call.id);
await calls.finish(call.id, 'completed', 'customer_hangup');
await store.close();

process.send!({ ready: true, port: Number(new URL(habla.url).port), callId: call.id, projectId: project.projectId });
process.on('disconnect', () => {
  void habla.close().finally(() => process.exit(0));
});
