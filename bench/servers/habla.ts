import { randomBytes } from 'node:crypto';
import type { LogLevel } from '../../src/config/index.ts';
import { UnavailableCallEngine } from '../../src/engine/call-engine.ts';
import type { AppDeps } from '../../src/http/deps.ts';
import { buildApp } from '../../src/http/server.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';
import { LocalRecordingStorage } from '../../src/storage/recording-storage.ts';
import { createRecordingUrlSigner } from '../../src/storage/recording-url.ts';
import { bootstrap } from '../../src/store/bootstrap.ts';
import { migrateToLatest, openStore } from '../../src/store/database.ts';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { ContactRepository } from '../../src/store/repositories/contacts.ts';
import { ProjectRepository } from '../../src/store/repositories/projects.ts';
import { createVoiceCatalog } from '../../src/voice/espeak-catalog.ts';

// Child process of bench/api.ts: Habla's real app on SQLite in the given data directory,
// with a bootstrapped admin key and one finished call to read. Reports its port over IPC.

const dataDir = process.env.BENCH_DATA_DIR!;
const adminKey = process.env.BENCH_ADMIN_KEY!;

const store = openStore(`sqlite:${dataDir}/habla.sqlite`);
await migrateToLatest(store);
await bootstrap(store, adminKey);
const project = (await new ProjectRepository(store.db).findDefault())!;
const contact = await new ContactRepository(store.db).findOrCreate(project.projectId, 'call', '+34600000001');
const calls = new CallRepository(store.db);
const call = await calls.create({
  projectId: project.projectId, agentId: null, agentVersionId: null, phoneId: null, contactId: contact.id,
  type: 'outbound', status: 'dialing', fromNumber: '+34910000001', toNumber: '+34600000001',
  dynamicVariables: { customer_name: 'Ana', plan: 'premium' },
});
await calls.markAnswered(call.id);
await calls.finish(call.id, 'completed', 'user_hangup');

// The dependencies main.ts gives the app, and its logger at the server's default level
// (Fastify then logs two lines per request, as a deployment does).
const secretKey = randomBytes(32);
const deps: AppDeps = {
  store,
  secretBox: createSecretBox(secretKey),
  callEngine: new UnavailableCallEngine(calls),
  voices: createVoiceCatalog(),
  recordings: LocalRecordingStorage.inDataDir(dataDir),
  recordingUrls: createRecordingUrlSigner(secretKey),
};
const level = (process.env.BENCH_LOG_LEVEL ?? 'info') as LogLevel;
const app = await buildApp(deps, level === 'silent' ? {} : { logger: createLogger(level) });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.send!({ ready: true, port, callId: call.id, projectId: project.projectId });

process.on('disconnect', () => {
  void app.close().then(() => store.close()).finally(() => process.exit(0));
});
