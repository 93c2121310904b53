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
