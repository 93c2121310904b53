// Composition root: config → store → engine → http, and graceful shutdown.
// The only module that knows every other one.
import type { Logger } from 'pino';
import type { Config } from './config/index.ts';
import { UnavailableCallEngine } from './engine/call-engine.ts';
import { InboundAdmission } from './engine/inbound-admission.ts';
import type { AppDeps } from './http/deps.ts';
import { buildApp } from './http/server.ts';
import { createMetrics } from './lib/metrics.ts';
import { createSecretBox, resolveSecretKey } from './lib/secret-box.ts';
import { bootstrap } from './store/bootstrap.ts';
import { migrateToLatest, openStore } from './store/database.ts';
import { AgentRepository } from './store/repositories/agents.ts';
import { CallRepository } from './store/repositories/calls.ts';
import { PhoneRepository } from './store/repositories/phones.ts';
import type { Store } from './store/database.ts';
import { SipEndpoint } from './telephony/sip/endpoint.ts';
import { UdpTransport } from './telephony/transport/udp-transport.ts';
import { createVoiceCatalog } from './voice/espeak-catalog.ts';
import { WebhookDispatcher } from './webhooks/dispatcher.ts';
import { LocalRecordingStorage } from './storage/recording-storage.ts';
import { createRecordingUrlSigner } from './storage/recording-url.ts';

export interface RunningHabla {
  url: string;
  /** The bound SIP (UDP) address; the real port when HABLA_SIP_PORT=0. */
  sip: { host: string; port: number };
  /** Stops admitting requests, ends live calls and closes the store. Idempotent. */
  close(reason?: string): Promise<void>;
}

export async function startHabla(config: Config, logger: Logger): Promise<RunningHabla> {
  const store = openStore(config.databaseUrl);
  const applied = await migrateToLatest(store);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

  const boot = await bootstrap(store, config.adminApiKey);
  if (boot.generatedAdminKey) announceGeneratedKey(boot.generatedAdminKey);

  const secretKey = resolveSecretKey(config.secretKey, config.dataDir);
  // Filled in as the process comes up and goes down; /readyz reads them.
  let sip: SipEndpoint | undefined;
  let draining = false;
  const metrics = createMetrics();
  const deps: AppDeps = {
    store,
    secretBox: createSecretBox(secretKey),
    callEngine: new UnavailableCallEngine(new CallRepository(store.db)),
    voices: createVoiceCatalog(),
    recordings: LocalRecordingStorage.inDataDir(config.dataDir),
    recordingUrls: createRecordingUrlSigner(secretKey, { publicBaseUrl: config.publicUrl }),
    metrics,
    readiness: [
      { name: 'sip', check: () => assertReady(sip !== undefined && !draining, 'SIP endpoint not listening') },
      { name: 'draining', check: () => assertReady(!draining, 'shutting down') },
    ],
  };
  if (deps.voices.list().length === 0) logger.warn('espeak-ng not found: the voice catalogue is empty');

  const app = await buildApp(deps, { logger });
  const url = await app.listen({ port: config.port, host: config.host });
  try {
    sip = await startSip(config, store, logger);
  } catch (error) {
    await app.close();
    await store.close();
    throw error;
  }
  // Outbox rows left by a previous run (or written by other processes) are picked up here.
  const webhooks = new WebhookDispatcher({
    db: store.db, secretBox: deps.secretBox, logger: logger.child({ component: 'webhooks' }),
    allowPrivateNetworks: config.webhookAllowPrivateNetworks,
    onOutcome: (outcome) => metrics.webhookDeliveries.inc({ outcome }),
  });
  webhooks.start();

  let closing: Promise<void> | undefined;
  const close = (reason = 'server_shutdown') =>
    (closing ??= (async () => {
      draining = true;
      await sip?.close();
      await app.close();
      await deps.callEngine.close(reason);
      // After the engine: the events of calls it ended are in the outbox for the next start.
      await webhooks.stop();
      await store.close();
    })());
  return { url, sip: sip.address(), close };
}

// After HTTP is listening; if the SIP port cannot be bound the start fails loudly and HTTP is closed again.
async function startSip(config: Config, store: Store, logger: Logger): Promise<SipEndpoint> {
  const sipLogger = logger.child({ component: 'sip' });
  const transport = await UdpTransport.bind({
    host: config.sipHost,
    port: config.sipPort,
    onError: (error) => sipLogger.warn({ err: error }, 'sip socket error'),
  });
  const admission = new InboundAdmission({
    phones: new PhoneRepository(store.db),
    agents: new AgentRepository(store.db),
    logger: sipLogger,
    warnAgent: config.sipPublicHost,
  });
  const endpoint = new SipEndpoint({ transport, admission, logger: sipLogger });
  const { host, port } = endpoint.address();
  sipLogger.info({ host, port, transport: 'udp' }, 'sip listening');
  return endpoint;
}

function assertReady(condition: boolean, reason: string): void {
  if (!condition) throw new Error(reason);
}

// Printed once, to the terminal rather than the log: it is a secret and cannot be shown again.
function announceGeneratedKey(key: string): void {
  process.stdout.write(
    `\nHabla created a default project and its admin API key (shown only this once):\n\n  ${key}\n\n` +
      'Use it as "Authorization: Bearer <key>". Set HABLA_ADMIN_API_KEY to choose the key yourself.\n\n',
  );
}
