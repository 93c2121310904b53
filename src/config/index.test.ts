import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './index.ts';

test('defaults: port 3000, ./data, SQLite inside the data directory, info logs', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.dataDir, path.resolve('./data'));
  assert.equal(config.databaseUrl, `sqlite:${path.resolve('./data/habla.sqlite')}`);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.adminApiKey, undefined);
});

test('0 is a legal port (the OS picks one), not a fallback to the default', () => {
  assert.equal(loadConfig({ PORT: '0' }).port, 0);
});

test('postgres URLs are used as given', () => {
  const url = 'postgres://u@127.0.0.1:5432/habla';
  assert.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
});

test('bad values stop the process with a message naming the setting', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message));
  assert.throws(() => loadConfig({ PORT: '70000' }), ConfigError);
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  assert.throws(() => loadConfig({ HABLA_ADMIN_API_KEY: 'short' }), /HABLA_ADMIN_API_KEY/);
});

test('telephony defaults: SIP on 0.0.0.0:5060, RTP 10000-20000, 60 s ring, 4 h calls', () => {
  const config = loadConfig({});
  assert.equal(config.sipHost, '0.0.0.0');
  assert.equal(config.sipPort, 5060);
  assert.equal(config.sipPublicHost, undefined);
  assert.equal(config.rtpPortMin, 10000);
  assert.equal(config.rtpPortMax, 20000);
  assert.equal(config.ringTimeoutSeconds, 60);
  assert.equal(config.maxCallDurationSeconds, 14400);
  assert.equal(config.mediaWorkers, Math.max(1, Math.min(4, availableParallelism())), 'media threads: one per core, up to 4');
  assert.equal(config.mediaPriority, 'realtime');
});

test('telephony settings are read from the environment', () => {
  const config = loadConfig({
    HABLA_SIP_HOST: '127.0.0.1',
    HABLA_SIP_PORT: '0',
    HABLA_SIP_PUBLIC_HOST: 'sip.example.com',
    HABLA_RTP_PORT_MIN: '30000',
    HABLA_RTP_PORT_MAX: '30000',
    HABLA_RING_TIMEOUT_S: '15',
    HABLA_MAX_CALL_DURATION_S: '600',
    HABLA_MEDIA_WORKERS: '0',
    HABLA_MEDIA_PRIORITY: 'Normal',
  });
  assert.equal(config.sipHost, '127.0.0.1');
  assert.equal(config.sipPort, 0, '0 means the OS picks, as for PORT');
  assert.equal(config.sipPublicHost, 'sip.example.com');
  assert.equal(config.rtpPortMin, 30000);
  assert.equal(config.rtpPortMax, 30000, 'a one-port range is legal');
  assert.equal(config.ringTimeoutSeconds, 15);
  assert.equal(config.maxCallDurationSeconds, 600);
  assert.equal(config.mediaWorkers, 0, '0: media on the main thread');
  assert.equal(config.mediaPriority, 'normal');
});

test('bad telephony values name the setting', () => {
  assert.throws(() => loadConfig({ HABLA_SIP_PORT: '5060x' }), /HABLA_SIP_PORT/);
  assert.throws(() => loadConfig({ HABLA_SIP_PORT: '65536' }), /HABLA_SIP_PORT/);
  assert.throws(() => loadConfig({ HABLA_RTP_PORT_MIN: '20001' }), /HABLA_RTP_PORT_MIN.*HABLA_RTP_PORT_MAX/);
  assert.throws(() => loadConfig({ HABLA_RTP_PORT_MIN: '0' }), /HABLA_RTP_PORT_MIN/);
  assert.throws(() => loadConfig({ HABLA_RTP_PORT_MAX: 'many' }), /HABLA_RTP_PORT_MAX/);
  assert.throws(() => loadConfig({ HABLA_RING_TIMEOUT_S: '0' }), /HABLA_RING_TIMEOUT_S/);
  assert.throws(() => loadConfig({ HABLA_RING_TIMEOUT_S: '1.5' }), /HABLA_RING_TIMEOUT_S/);
  assert.throws(() => loadConfig({ HABLA_MAX_CALL_DURATION_S: '-1' }), /HABLA_MAX_CALL_DURATION_S/);
  assert.throws(() => loadConfig({ HABLA_MEDIA_WORKERS: 'two' }), /HABLA_MEDIA_WORKERS/);
  assert.throws(() => loadConfig({ HABLA_MEDIA_WORKERS: '65' }), /HABLA_MEDIA_WORKERS/);
  assert.throws(() => loadConfig({ HABLA_MEDIA_PRIORITY: 'urgent' }), /HABLA_MEDIA_PRIORITY/);
});

test('HABLA_PUBLIC_URL must be an absolute http(s) URL; a trailing slash is dropped', () => {
  assert.equal(loadConfig({}).publicUrl, undefined);
  assert.equal(loadConfig({ HABLA_PUBLIC_URL: 'https://habla.example.com/' }).publicUrl, 'https://habla.example.com');
  assert.throws(() => loadConfig({ HABLA_PUBLIC_URL: 'habla.example.com' }), /HABLA_PUBLIC_URL/);
  assert.throws(() => loadConfig({ HABLA_PUBLIC_URL: 'ftp://habla.example.com' }), /HABLA_PUBLIC_URL/);
});

test('HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS is off unless true', () => {
  assert.equal(loadConfig({}).webhookAllowPrivateNetworks, false);
  assert.equal(loadConfig({ HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }).webhookAllowPrivateNetworks, true);
  assert.equal(loadConfig({ HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }).webhookAllowPrivateNetworks, false);
  assert.throws(() => loadConfig({ HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes please' }), /HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS/);
});

test('OTLP trace export: off by default, the general endpoint gets /v1/traces, the traces endpoint is used as is', () => {
  assert.equal(loadConfig({}).otlpTracesUrl, undefined);
  assert.equal(loadConfig({}).otelServiceName, 'habla');
  assert.equal(loadConfig({ OTEL_SERVICE_NAME: 'habla-eu' }).otelServiceName, 'habla-eu');
  assert.equal(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otlpTracesUrl, 'http://collector:4318/v1/traces');
  assert.equal(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c.example/otlp/' }).otlpTracesUrl, 'https://c.example/otlp/v1/traces');
  assert.equal(
    loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' }).otlpTracesUrl,
    'http://b:4318/custom',
  );
  assert.equal(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).otlpTracesUrl, 'http://c:4318/v1/traces');
  assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), /OTEL_EXPORTER_OTLP_ENDPOINT/);
  assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), /http\/json/);
});

test('HABLA_WEBHOOK_RETENTION_DAYS: 30 by default, 0 allowed, anything but a whole number refused', () => {
  assert.equal(loadConfig({}).webhookRetentionDays, 30);
  assert.equal(loadConfig({ HABLA_WEBHOOK_RETENTION_DAYS: '7' }).webhookRetentionDays, 7);
  assert.equal(loadConfig({ HABLA_WEBHOOK_RETENTION_DAYS: '0' }).webhookRetentionDays, 0);
  for (const bad of ['-1', '1.5', 'a week']) {
    assert.throws(() => loadConfig({ HABLA_WEBHOOK_RETENTION_DAYS: bad }), /HABLA_WEBHOOK_RETENTION_DAYS/);
  }
});

test('LLM: scripted by default (offline demo), with no endpoint', () => {
  assert.deepEqual(loadConfig({}).llm, { provider: 'scripted' });
});

test('LLM: an OpenAI-compatible server with a fallback on another host; the key is not carried to another origin', () => {
  const config = loadConfig({
    HABLA_LLM_PROVIDER: 'openai',
    HABLA_LLM_BASE_URL: 'https://api.groq.com/openai/v1/',
    HABLA_LLM_API_KEY: 'gsk-primary',
    HABLA_LLM_MODEL: 'llama-3.1-8b-instant',
    HABLA_LLM_FALLBACK_BASE_URL: 'http://127.0.0.1:11434/v1',
    HABLA_LLM_FALLBACK_MODEL: 'llama3.1:8b',
    HABLA_LLM_FIRST_TOKEN_TIMEOUT_MS: '2500',
  });
  assert.deepEqual(config.llm, {
    provider: 'openai',
    primary: { baseUrl: 'https://api.groq.com/openai/v1', apiKey: 'gsk-primary', model: 'llama-3.1-8b-instant' },
    fallback: { baseUrl: 'http://127.0.0.1:11434/v1', apiKey: undefined, model: 'llama3.1:8b' },
    firstTokenTimeoutMs: 2500,
  });
});

test('LLM: defaults to api.openai.com; a fallback model alone reuses the primary URL and key; no fallback vars, no fallback', () => {
  const config = loadConfig({
    HABLA_LLM_PROVIDER: 'OpenAI', HABLA_LLM_API_KEY: 'sk-x', HABLA_LLM_MODEL: 'gpt-4o-mini', HABLA_LLM_FALLBACK_MODEL: 'gpt-4.1-nano',
  });
  assert.ok(config.llm.provider === 'openai');
  assert.deepEqual(config.llm.primary, { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-x', model: 'gpt-4o-mini' });
  assert.deepEqual(config.llm.fallback, { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-x', model: 'gpt-4.1-nano' });
  assert.equal(config.llm.firstTokenTimeoutMs, 5000);
  const local = loadConfig({ HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_BASE_URL: 'http://localhost:8080/v1', HABLA_LLM_MODEL: 'm' });
  assert.ok(local.llm.provider === 'openai');
  assert.equal(local.llm.primary.apiKey, undefined, 'local servers need no key');
  assert.equal(local.llm.fallback, undefined);
});

test('LLM: bad settings stop the process naming the variable', () => {
  const openai = { HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_API_KEY: 'sk-x', HABLA_LLM_MODEL: 'gpt-4o-mini' };
  assert.throws(() => loadConfig({ HABLA_LLM_PROVIDER: 'anthropic' }), /HABLA_LLM_PROVIDER must be scripted or openai/);
  assert.throws(() => loadConfig({ HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_API_KEY: 'sk-x' }), /HABLA_LLM_MODEL is required/);
  assert.throws(() => loadConfig({ HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_MODEL: 'gpt-4o-mini' }), /HABLA_LLM_API_KEY is required for api.openai.com/);
  assert.throws(() => loadConfig({ ...openai, HABLA_LLM_BASE_URL: 'localhost:11434' }), /HABLA_LLM_BASE_URL must be an absolute http\(s\) URL/);
  assert.throws(() => loadConfig({ ...openai, HABLA_LLM_BASE_URL: 'https://user:secret@llm.example.com/v1' }), /must not contain credentials/);
  assert.throws(() => loadConfig({ ...openai, HABLA_LLM_FALLBACK_BASE_URL: 'http://127.0.0.1:11434/v1' }), /HABLA_LLM_FALLBACK_MODEL is required/);
  assert.throws(() => loadConfig({ ...openai, HABLA_LLM_FIRST_TOKEN_TIMEOUT_MS: '0' }), /HABLA_LLM_FIRST_TOKEN_TIMEOUT_MS/);
  assert.throws(() => loadConfig({ ...openai, HABLA_LLM_FIRST_TOKEN_TIMEOUT_MS: '1.5s' }), /HABLA_LLM_FIRST_TOKEN_TIMEOUT_MS/);
  assert.throws(() => loadConfig({ HABLA_LLM_MODEL: 'gpt-4o-mini' }), /HABLA_LLM_MODEL is set but HABLA_LLM_PROVIDER is scripted/);
});

test('HABLA_AGENT_MODE: the voice agent by default only with a real LLM; explicit values win; others refused', () => {
  assert.equal(loadConfig({}).agentMode, 'greeting');
  assert.equal(loadConfig({ HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_BASE_URL: 'http://127.0.0.1:8080/v1', HABLA_LLM_MODEL: 'm' }).agentMode, 'agent');
  assert.equal(loadConfig({ HABLA_AGENT_MODE: 'agent' }).agentMode, 'agent'); // the offline demo
  assert.equal(loadConfig({ HABLA_AGENT_MODE: 'Greeting', HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_BASE_URL: 'http://127.0.0.1:8080/v1', HABLA_LLM_MODEL: 'm' }).agentMode, 'greeting');
  assert.throws(() => loadConfig({ HABLA_AGENT_MODE: 'bot' }), /HABLA_AGENT_MODE must be greeting or agent/);
});
