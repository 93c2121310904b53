import assert from 'node:assert/strict';
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
  });
  assert.equal(config.sipHost, '127.0.0.1');
  assert.equal(config.sipPort, 0, '0 means the OS picks, as for PORT');
  assert.equal(config.sipPublicHost, 'sip.example.com');
  assert.equal(config.rtpPortMin, 30000);
  assert.equal(config.rtpPortMax, 30000, 'a one-port range is legal');
  assert.equal(config.ringTimeoutSeconds, 15);
  assert.equal(config.maxCallDurationSeconds, 600);
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
