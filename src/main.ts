// Composition root: config → store → engine → http, and graceful shutdown.
// The only module that knows every other one.
import type { Logger } from 'pino';
import { CallAnalyzer } from './analysis/call-analyzer.ts';
import type { Config } from './config/index.ts';
import { InboundAdmission } from './engine/inbound-admission.ts';
import { resolveInstanceId } from './engine/instance-id.ts';
import { closeOrphanedCalls } from './engine/recovery.ts';
import { RtpMetricsFeed } from './engine/rtp-metrics-feed.ts';
import { SipCallEngine } from './engine/sip-call-engine.ts';
import { resolvePublicHost } from './engine/public-host.ts';
import type { AppDeps } from './http/deps.ts';
import { buildApp } from './http/server.ts';
import { createMetrics, type Metrics } from './lib/metrics.ts';
import { Tracing } from './observability/tracing.ts';
import { createSecretBox, resolveSecretKey } from './lib/secret-box.ts';
import { bootstrap } from './store/bootstrap.ts';
import { migrateToLatest, openStore } from './store/database.ts';
import { AgentRepository } from './store/repositories/agents.ts';
import { CallLogRepository } from './store/repositories/call-logs.ts';
import { CallAnalysisRepository } from './store/repositories/call-analysis.ts';
import { CallRepository } from './store/repositories/calls.ts';
import { MessageRepository } from './store/repositories/messages.ts';
import { CallSpanRepository } from './store/repositories/call-spans.ts';
import { ContactRepository } from './store/repositories/contacts.ts';
import { PhoneRepository } from './store/repositories/phones.ts';
import type { Store } from './store/database.ts';
import { InProcessMediaHost, type MediaHost } from './telephony/media/media-host.ts';
import { WorkerMediaHost } from './telephony/media/worker/worker-media-host.ts';
import { SipEndpoint } from './telephony/sip/endpoint.ts';
import { UdpTransport } from './telephony/transport/udp-transport.ts';
import { TcpTransport } from './telephony/transport/tcp-transport.ts';
import { mediaPriorityFor } from './telephony/media/worker/gc-priority.ts';
import { frameSipStream } from './telephony/sip/stream-framing.ts';
import type { SecretBox } from './lib/secret-box.ts';
import type { RecordingStorage } from './storage/recording-storage.ts';
import type { VoiceCatalog } from './voice/catalog.ts';
import { createLlmProvider } from './voice/llm/create-llm.ts';
import { GreetingApp } from './voice/greeting-app.ts';
import { synthesizeEspeak } from './voice/tts/espeak.ts';
import { createVoiceAgentApps } from './voice/agent/voice-agent-app.ts';
import { createSttProvider } from './voice/stt/create-stt.ts';
import { createTtsProvider } from './voice/tts/create-tts.ts';
import { loadVoiceCatalog } from './voice/tts/voices.ts';
import { createVadProvider } from './voice/vad/index.ts';
import type { SessionVoiceApps } from './engine/call-session.ts';
import { WebhookDispatcher } from './webhooks/dispatcher.ts';
import path from 'node:path';
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
  const instanceId = resolveInstanceId(config.instanceId, config.dataDir);
  const orphans = await closeOrphanedCalls(new CallRepository(store.db), new CallLogRepository(store.db), instanceId);
  if (orphans > 0) logger.warn({ calls: orphans }, 'closed calls left live by a previous run (server_restart)');
  // Filled in as the process comes up and goes down; /readyz reads them.
  let draining = false;
  const metrics = createMetrics();
  const secretBox = createSecretBox(secretKey);
  // espeak-ng voices always; ElevenLabs / OpenAI-compatible ones when configured (listed at start).
  const voices = await loadVoiceCatalog(config.tts, { logger: logger.child({ component: 'voices' }) });
  const recordings = LocalRecordingStorage.inDataDir(config.dataDir);
  const tracing = Tracing.create({
    serviceName: config.otelServiceName,
    instanceId,
    spanSink: new CallSpanRepository(store.db),
    otlpTracesUrl: config.otlpTracesUrl,
    logger: logger.child({ component: 'tracing' }),
  });
  const analysis = createAnalyzer(config, store, logger.child({ component: 'analysis' }));
  const voiceApps = await createVoiceApps(config, logger.child({ component: 'agent' }));
  let telephony: Telephony;
  try {
    telephony = await startTelephony({ config, store, logger, instanceId, secretBox, voices, recordings, metrics, tracing, analysis, voiceApps: voiceApps.create });
  } catch (error) {
    await voiceApps.close();
    await tracing.shutdown();
    await store.close();
    throw error;
  }
  const { sip, engine } = telephony;
  const deps: AppDeps = {
    store,
    secretBox,
    callEngine: engine,
    voices,
    recordings,
    recordingUrls: createRecordingUrlSigner(secretKey, { publicBaseUrl: config.publicUrl }),
    metrics,
    readiness: [
      { name: 'sip', check: () => assertReady(!draining, 'SIP endpoint not listening') },
      { name: 'draining', check: () => assertReady(!draining, 'shutting down') },
    ],
  };
  if (deps.voices.list().length === 0) logger.warn('espeak-ng not found: the voice catalogue is empty');

  const app = await buildApp(deps, { logger });
  let url: string;
  try {
    url = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await sip.close();
    await store.close();
    throw error;
  }
  // Outbox rows left by a previous run (or written by other processes) are picked up here.
  const webhooks = new WebhookDispatcher({
    db: store.db, secretBox: deps.secretBox, logger: logger.child({ component: 'webhooks' }),
    allowPrivateNetworks: config.webhookAllowPrivateNetworks,
    retentionMs: config.webhookRetentionDays * 86_400_000,
    onOutcome: (outcome) => metrics.webhookDeliveries.inc({ outcome }),
  });
  webhooks.start();
  // Calls that ended unanalysed (process stopped, analyser died) are found in the database.
  analysis?.resumePending().then(
    (queued) => queued > 0 && logger.info({ calls: queued }, 'post-call analysis resumed'),
    (error: unknown) => logger.error({ err: error }, 'pending post-call analyses could not be listed'),
  );

  let closing: Promise<void> | undefined;
  const close = (reason = 'server_shutdown') =>
    (closing ??= (async () => {
      draining = true;
      // New INVITEs get 503 while the live calls are hung up; BYEs need the SIP socket open.
      sip.stopAdmitting();
      await engine.close(reason);
      // Analyses in flight are given back (pending): the next start does them.
      await analysis?.stop();
      // The spans of the calls just ended go to the database (and collector) before it closes.
      await tracing.shutdown();
      await sip.close();
      await voiceApps.close();
      voices.close();
      await telephony.media.close();
      await app.close();
      // After the engine: the events of calls it ended are in the outbox for the next start.
      await webhooks.stop();
      await store.close();
    })());
  return { url, sip: sip.address(), close };
}

interface Telephony {
  sip: SipEndpoint;
  engine: SipCallEngine;
  media: MediaHost;
}

interface TelephonyDeps {
  config: Config;
  store: Store;
  logger: Logger;
  instanceId: string;
  secretBox: SecretBox;
  voices: VoiceCatalog;
  recordings: RecordingStorage;
  metrics: Metrics;
  tracing: Tracing;
  analysis: CallAnalyzer | undefined;
  voiceApps: SessionVoiceApps;
}

// Before HTTP: if the SIP port cannot be bound the start fails loudly and nothing listens.
async function startTelephony(deps: TelephonyDeps): Promise<Telephony> {
  const { config, store, logger } = deps;
  const sipLogger = logger.child({ component: 'sip' });
  const { udp: transport, tcp } = await bindSipTransports(config, sipLogger);
  const publicHost = resolvePublicHost(config.sipPublicHost, config.sipHost);
  const media = await startMediaHost(config, logger.child({ component: 'rtp' }));
  let engine!: SipCallEngine;
  const admission = new InboundAdmission({
    phones: new PhoneRepository(store.db),
    agents: new AgentRepository(store.db),
    logger: sipLogger,
    onAdmitted: (accepted, phone, version) => engine.acceptInbound(accepted, phone, version),
  });
  const endpoint = new SipEndpoint({ transport, stream: tcp, admission, logger: sipLogger });
  engine = new SipCallEngine({
    calls: new CallRepository(store.db),
    callLogs: new CallLogRepository(store.db),
    phones: new PhoneRepository(store.db),
    agents: new AgentRepository(store.db),
    contacts: new ContactRepository(store.db),
    secretBox: deps.secretBox,
    voices: deps.voices,
    recordings: deps.recordings,
    recordingTempDir: path.join(config.dataDir, 'tmp', 'recordings'),
    messages: new MessageRepository(store.db),
    callAnalysis: new CallAnalysisRepository(store.db),
    analysis: deps.analysis,
    voiceApps: deps.voiceApps,
    maxDurationMs: config.maxCallDurationSeconds * 1000,
    rtpMetrics: new RtpMetricsFeed(deps.metrics.rtp),
    callMetrics: deps.metrics.calls,
    tracing: deps.tracing,
    ringTimeoutMs: config.ringTimeoutSeconds * 1000,
    instanceId: deps.instanceId,
    logger: logger.child({ component: 'engine' }),
    legs: {
      endpoint,
      publicHost,
      sipPort: endpoint.address().port,
      logger: sipLogger,
      allocatePorts: () => media.allocatePorts(),
      openMedia: (ports, negotiated) => media.openMedia(ports, negotiated),
    },
  });
  const { host, port } = endpoint.address();
  sipLogger.info({ host, port, public_host: publicHost, transport: tcp ? 'udp+tcp' : 'udp', instance: deps.instanceId }, 'sip listening');
  return { sip: endpoint, engine, media };
}

/**
 * The SIP port, on UDP and (HABLA_SIP_TCP) TCP: one port number for both, as trunks expect.
 * With port 0 the OS picks the UDP port and TCP takes the same number; if another process
 * holds it on TCP, both are picked again.
 */
async function bindSipTransports(config: Config, logger: Logger): Promise<{ udp: UdpTransport; tcp?: TcpTransport }> {
  for (let attempt = 1; ; attempt++) {
    const udp = await UdpTransport.bind({ host: config.sipHost, port: config.sipPort, onError: (error) => logger.warn({ err: error }, 'sip socket error') });
    if (!config.sipTcp) return { udp };
    try {
      const tcp = await TcpTransport.listen({
        host: config.sipHost,
        port: udp.address().port,
        framer: (buffer) => frameSipStream(buffer),
        onError: (error) => logger.warn({ err: error }, 'sip tcp error'),
      });
      return { udp, tcp };
    } catch (error) {
      await udp.close();
      if (config.sipPort !== 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}

/** Calls' RTP on HABLA_MEDIA_WORKERS threads, or on this one when it is 0. */
async function startMediaHost(config: Config, logger: Logger): Promise<MediaHost> {
  const options = { host: config.sipHost, portMin: config.rtpPortMin, portMax: config.rtpPortMax, mediaTimeoutMs: config.mediaTimeoutSeconds * 1000, logger };
  if (config.mediaWorkers === 0) return new InProcessMediaHost(options);
  const { priority, lowered } = mediaPriorityFor(config.mediaPriority);
  if (lowered) logger.warn({ asked: config.mediaPriority, priority }, lowered);
  const host = await WorkerMediaHost.start({
    ...options, workers: config.mediaWorkers, priority, forwardDebug: logger.isLevelEnabled('debug'),
  });
  logger.info({ workers: host.workers, priority }, 'media workers started');
  return host;
}

/**
 * What talks on answered calls (HABLA_AGENT_MODE): the voice agent with the configured STT,
 * LLM and TTS and one Silero VAD pool for all calls (the energy detector if the model cannot
 * load), or the greeting player.
 */
async function createVoiceApps(config: Config, logger: Logger): Promise<{ create: SessionVoiceApps; close(): Promise<void> }> {
  if (config.agentMode === 'greeting') {
    return { create: (context) => new GreetingApp(context, (text, voice, signal) => synthesizeEspeak(text, { voice, signal }), logger), close: async () => {} };
  }
  const vad = await createVadProvider({ kind: 'silero' });
  if (vad.fallbackReason) logger.warn({ err: vad.fallbackReason }, 'Silero VAD unavailable, using the energy VAD');
  const agents = createVoiceAgentApps({
    vad,
    stt: createSttProvider(config.stt, { logger }),
    llm: createLlmProvider(config.llm, { logger }),
    tts: createTtsProvider(config.tts, { logger }),
    logger,
    options: { sttLanguage: config.stt.language },
  });
  logger.info({ llm: config.llm.provider, stt: config.stt.provider, vad: vad.kind }, 'voice agent on');
  return { create: (context, endCall, observer, callControl, tracer) => agents(context, endCall, observer, callControl, tracer), close: () => vad.close() };
}

/**
 * Post-call analysis runs on the configured LLM. The scripted provider has no model to read a
 * call with: analysis is off and calls stay `pending` until a start with a real LLM.
 */
function createAnalyzer(config: Config, store: Store, logger: Logger): CallAnalyzer | undefined {
  if (config.llm.provider === 'scripted') {
    logger.info('post-call analysis off: HABLA_LLM_PROVIDER=scripted has no model to summarise calls');
    return undefined;
  }
  // Nobody waits on an analysis: generous timeouts instead of the live turn's 5 s first token.
  const llm = createLlmProvider(config.llm, {
    logger,
    resilience: { firstItemTimeoutMs: 30_000, idleTimeoutMs: 30_000, totalTimeoutMs: 120_000, retryTimeouts: true, maxRetryDelayMs: 10_000 },
  });
  return new CallAnalyzer({
    llm,
    analyses: new CallAnalysisRepository(store.db),
    messages: new MessageRepository(store.db),
    agents: new AgentRepository(store.db),
    logger,
  });
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
