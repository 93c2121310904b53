import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { writeTestTransducer } from '../../test/helpers/sherpa-test-model.ts';
import { REDACTED_PATHS } from '../lib/logger.ts';
import { ConfigError, loadConfig } from './index.ts';

describe('config.stt (HABLA_STT_*)', () => {
  test('default: scripted, the agent’s language, 3 s final timeout, the demo script', () => {
    assert.deepEqual(loadConfig({}).stt, { provider: 'scripted', language: undefined, finalTimeoutMs: 3000, script: undefined });
  });

  test('deepgram: cloud URL and nova-3 by default, key required for api.deepgram.com only', () => {
    assert.deepEqual(loadConfig({ HABLA_STT_PROVIDER: 'deepgram', HABLA_STT_API_KEY: 'dg-key' }).stt, {
      provider: 'deepgram', language: undefined, finalTimeoutMs: 3000, baseUrl: 'wss://api.deepgram.com/v1', apiKey: 'dg-key', model: 'nova-3',
    });
    assert.throws(() => loadConfig({ HABLA_STT_PROVIDER: 'deepgram' }), /HABLA_STT_API_KEY is required for api\.deepgram\.com/);
    const selfHosted = loadConfig({ HABLA_STT_PROVIDER: 'Deepgram', HABLA_STT_BASE_URL: 'http://10.0.0.5:8080/v1/', HABLA_STT_MODEL: 'nova-2', HABLA_STT_LANGUAGE: 'es-419', HABLA_STT_FINAL_TIMEOUT_MS: '1500' }).stt;
    assert.deepEqual(selfHosted, { provider: 'deepgram', language: 'es-419', finalTimeoutMs: 1500, baseUrl: 'http://10.0.0.5:8080/v1', apiKey: undefined, model: 'nova-2' });
  });

  test('openai: model required, key required for api.openai.com only, 5 s final timeout by default', () => {
    assert.throws(() => loadConfig({ HABLA_STT_PROVIDER: 'openai', HABLA_STT_API_KEY: 'sk' }), /HABLA_STT_MODEL is required/);
    assert.throws(() => loadConfig({ HABLA_STT_PROVIDER: 'openai', HABLA_STT_MODEL: 'whisper-1' }), /HABLA_STT_API_KEY is required for api\.openai\.com/);
    assert.deepEqual(loadConfig({ HABLA_STT_PROVIDER: 'openai', HABLA_STT_BASE_URL: 'http://127.0.0.1:8000/v1', HABLA_STT_MODEL: 'Systran/faster-whisper-small' }).stt, {
      provider: 'openai', language: undefined, finalTimeoutMs: 5000, baseUrl: 'http://127.0.0.1:8000/v1', apiKey: undefined, model: 'Systran/faster-whisper-small',
    });
  });

  test('refused: unknown provider, stray vendor settings, a script for a real recogniser, bad values, keys in URLs', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ HABLA_STT_PROVIDER: 'whisper' }, /must be scripted, deepgram, openai or sherpa-onnx, got "whisper"/],
      [{ HABLA_STT_API_KEY: 'k' }, /HABLA_STT_API_KEY is set but HABLA_STT_PROVIDER is scripted/],
      [{ HABLA_STT_PROVIDER: 'deepgram', HABLA_STT_API_KEY: 'k', HABLA_STT_SCRIPT: '["a"]' }, /only for HABLA_STT_PROVIDER=scripted/],
      [{ HABLA_STT_SCRIPT: '{"a":1}' }, /JSON array of strings/],
      [{ HABLA_STT_SCRIPT: '["a", 2]' }, /JSON array of strings/],
      [{ HABLA_STT_LANGUAGE: 'spanish!' }, /language code/],
      [{ HABLA_STT_FINAL_TIMEOUT_MS: '0' }, /greater than 0/],
      [{ HABLA_STT_PROVIDER: 'openai', HABLA_STT_MODEL: 'm', HABLA_STT_BASE_URL: 'ws://x/v1' }, /absolute http\(s\) URL/],
      [{ HABLA_STT_PROVIDER: 'deepgram', HABLA_STT_BASE_URL: 'wss://user:secret@dg.example.com/v1' }, /must not contain credentials/],
    ];
    for (const [env, message] of cases) assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
    assert.deepEqual(loadConfig({ HABLA_STT_SCRIPT: '["Hola.","Adiós."]', HABLA_STT_LANGUAGE: 'multi' }).stt, {
      provider: 'scripted', language: 'multi', finalTimeoutMs: 3000, script: ['Hola.', 'Adiós.'],
    });
  });

  test('the key is redacted when the configuration is logged', () => {
    let out = '';
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, new Writable({ write: (c, _e, done) => void ((out += c), done()) }));
    const config = loadConfig({ HABLA_STT_PROVIDER: 'deepgram', HABLA_STT_API_KEY: 'dg-very-secret-key' });
    logger.info({ config }, 'config');
    logger.info({ stt: config.stt }, 'stt');
    logger.info(config.stt, 'flat');
    assert.ok(!out.includes('dg-very-secret-key'), out);
    assert.equal(out.match(/\[redacted\]/g)?.length, 3);
  });
});

describe('config.stt with HABLA_STT_PROVIDER=sherpa-onnx', () => {
  const root = mkdtempSync(join(tmpdir(), 'habla-stt-config-'));
  const files = writeTestTransducer(join(root, 'model'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const refusedWith = (env: Record<string, string>, message: RegExp) =>
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));

  test('the model directory is resolved at boot into the model’s files; 1 thread and a 3 s final timeout by default', () => {
    const stt = loadConfig({ HABLA_STT_PROVIDER: 'sherpa-onnx', HABLA_STT_SHERPA_MODEL_DIR: relative(process.cwd(), files.dir) }).stt;
    assert.deepEqual(stt, {
      provider: 'sherpa-onnx', language: undefined, finalTimeoutMs: 3000, modelDir: files.dir, numThreads: 1,
      model: { family: 'transducer', modelType: 'lstm', encoder: files.encoder, decoder: files.decoder, joiner: files.joiner, tokens: files.tokens, chunkFrames: 24 },
    });
    const tuned = loadConfig({ HABLA_STT_PROVIDER: 'Sherpa-ONNX', HABLA_STT_SHERPA_MODEL_DIR: files.dir, HABLA_STT_SHERPA_THREADS: '2', HABLA_STT_FINAL_TIMEOUT_MS: '1500' }).stt;
    assert.deepEqual([tuned.provider, tuned.finalTimeoutMs, tuned.provider === 'sherpa-onnx' && tuned.numThreads], ['sherpa-onnx', 1500, 2]);
  });

  test('a missing, wrong or incomplete directory stops the process with the file it lacks', () => {
    refusedWith({ HABLA_STT_PROVIDER: 'sherpa-onnx' }, /HABLA_STT_SHERPA_MODEL_DIR is required with HABLA_STT_PROVIDER=sherpa-onnx/);
    refusedWith({ HABLA_STT_PROVIDER: 'sherpa-onnx', HABLA_STT_SHERPA_MODEL_DIR: join(root, 'nope') }, /^HABLA_STT_SHERPA_MODEL_DIR: .*nope does not exist$/);
    refusedWith({ HABLA_STT_PROVIDER: 'sherpa-onnx', HABLA_STT_SHERPA_MODEL_DIR: files.tokens }, /^HABLA_STT_SHERPA_MODEL_DIR: .*tokens\.txt is not a directory$/);
    const partial = writeTestTransducer(join(root, 'partial'));
    rmSync(partial.joiner);
    refusedWith({ HABLA_STT_PROVIDER: 'sherpa-onnx', HABLA_STT_SHERPA_MODEL_DIR: partial.dir }, /^HABLA_STT_SHERPA_MODEL_DIR: .*partial has a transducer's .* but no joiner\*\.onnx/);
  });

  test('refused: bad thread counts, and settings of one provider given to another', () => {
    const sherpa = { HABLA_STT_PROVIDER: 'sherpa-onnx', HABLA_STT_SHERPA_MODEL_DIR: files.dir };
    refusedWith({ ...sherpa, HABLA_STT_SHERPA_THREADS: '0' }, /HABLA_STT_SHERPA_THREADS must be a whole number from 1 to 64, got "0"/);
    refusedWith({ ...sherpa, HABLA_STT_SHERPA_THREADS: 'two' }, /HABLA_STT_SHERPA_THREADS must be a whole number/);
    refusedWith({ ...sherpa, HABLA_STT_MODEL: 'nova-3' }, /HABLA_STT_MODEL is set but HABLA_STT_PROVIDER is sherpa-onnx; set HABLA_STT_PROVIDER=deepgram or openai to use it/);
    refusedWith({ ...sherpa, HABLA_STT_SCRIPT: '["a"]' }, /HABLA_STT_SCRIPT is only for HABLA_STT_PROVIDER=scripted/);
    refusedWith({ HABLA_STT_SHERPA_MODEL_DIR: files.dir }, /HABLA_STT_SHERPA_MODEL_DIR is set but HABLA_STT_PROVIDER is scripted; set HABLA_STT_PROVIDER=sherpa-onnx to use it/);
    refusedWith({ HABLA_STT_PROVIDER: 'deepgram', HABLA_STT_API_KEY: 'k', HABLA_STT_SHERPA_THREADS: '2' }, /HABLA_STT_SHERPA_THREADS is set but HABLA_STT_PROVIDER is deepgram/);
  });
});
