import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { REDACTED_PATHS } from '../lib/logger.ts';
import { createTtsProvider } from '../voice/tts/create-tts.ts';
import { ConfigError, loadConfig } from './index.ts';

test('TTS: only espeak-ng unless an engine is configured; 3 s first-byte timeout', () => {
  assert.deepEqual(loadConfig({}).tts, { elevenlabs: undefined, openai: undefined, firstByteTimeoutMs: 3000 });
});

test('TTS: ElevenLabs is switched on by its key, with telephony defaults', () => {
  assert.deepEqual(loadConfig({ HABLA_ELEVENLABS_API_KEY: ' xi-abc ' }).tts.elevenlabs, {
    apiKey: 'xi-abc', baseUrl: 'https://api.elevenlabs.io', model: 'eleven_flash_v2_5', outputFormat: 'ulaw_8000',
  });
  const custom = loadConfig({
    HABLA_ELEVENLABS_API_KEY: 'xi-abc', HABLA_ELEVENLABS_BASE_URL: 'https://api.eu.residency.elevenlabs.io/',
    HABLA_ELEVENLABS_MODEL: 'eleven_multilingual_v2', HABLA_ELEVENLABS_OUTPUT_FORMAT: 'pcm_16000', HABLA_TTS_FIRST_BYTE_TIMEOUT_MS: '1500',
  }).tts;
  assert.deepEqual(custom.elevenlabs, { apiKey: 'xi-abc', baseUrl: 'https://api.eu.residency.elevenlabs.io', model: 'eleven_multilingual_v2', outputFormat: 'pcm_16000' });
  assert.equal(custom.firstByteTimeoutMs, 1500);
});

test('TTS: an OpenAI-compatible server by URL (no key needed locally) or by key (api.openai.com)', () => {
  assert.deepEqual(loadConfig({
    HABLA_TTS_OPENAI_BASE_URL: 'http://127.0.0.1:8880/v1/', HABLA_TTS_OPENAI_MODEL: 'kokoro',
    HABLA_TTS_OPENAI_RESPONSE_FORMAT: 'WAV', HABLA_TTS_OPENAI_VOICES: 'ef_dora, em_alex,,ef_dora',
  }).tts.openai, { baseUrl: 'http://127.0.0.1:8880/v1', apiKey: undefined, model: 'kokoro', responseFormat: 'wav', voices: ['ef_dora', 'em_alex'] });
  assert.deepEqual(loadConfig({ HABLA_TTS_OPENAI_API_KEY: 'sk-t' }).tts.openai, {
    baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-t', model: 'tts-1', responseFormat: 'pcm', voices: undefined,
  });
});

test('TTS: bad or stray settings stop the process naming the variable', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ HABLA_ELEVENLABS_MODEL: 'eleven_flash_v2_5' }, /HABLA_ELEVENLABS_MODEL is set but HABLA_ELEVENLABS_API_KEY is not/],
    [{ HABLA_ELEVENLABS_API_KEY: 'k', HABLA_ELEVENLABS_OUTPUT_FORMAT: 'mp3_44100_128' }, /HABLA_ELEVENLABS_OUTPUT_FORMAT must be one of ulaw_8000/],
    [{ HABLA_ELEVENLABS_API_KEY: 'k', HABLA_ELEVENLABS_BASE_URL: 'https://u:p@api.elevenlabs.io' }, /must not contain credentials/],
    [{ HABLA_TTS_OPENAI_MODEL: 'tts-1' }, /HABLA_TTS_OPENAI_MODEL is set but neither/],
    [{ HABLA_TTS_OPENAI_BASE_URL: 'https://api.openai.com/v1' }, /HABLA_TTS_OPENAI_API_KEY is required for api.openai.com/],
    [{ HABLA_TTS_OPENAI_BASE_URL: 'localhost:8880' }, /HABLA_TTS_OPENAI_BASE_URL must be an absolute http\(s\) URL/],
    [{ HABLA_TTS_OPENAI_API_KEY: 'k', HABLA_TTS_OPENAI_RESPONSE_FORMAT: 'mp3' }, /HABLA_TTS_OPENAI_RESPONSE_FORMAT must be pcm or wav/],
    [{ HABLA_TTS_OPENAI_API_KEY: 'k', HABLA_TTS_OPENAI_VOICES: 'nova,--x' }, /HABLA_TTS_OPENAI_VOICES: "--x"/],
    [{ HABLA_TTS_FIRST_BYTE_TIMEOUT_MS: '0' }, /HABLA_TTS_FIRST_BYTE_TIMEOUT_MS/],
  ];
  for (const [env, message] of bad) {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
  }
});

test('TTS: the keys never appear when the configuration is logged', () => {
  const lines: string[] = [];
  const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  }));
  const config = loadConfig({ HABLA_ELEVENLABS_API_KEY: 'xi-secret-1', HABLA_TTS_OPENAI_API_KEY: 'sk-secret-2' });
  logger.info({ config }, 'config');
  logger.info({ tts: config.tts }, 'tts');
  logger.info(config.tts, 'tts at the top');
  assert.equal(lines.length, 3);
  for (const line of lines) assert.ok(!line.includes('xi-secret-1') && !line.includes('sk-secret-2'), line);
});

test('TTS: the parsed settings are what createTtsProvider takes (the two types cannot drift apart)', () => {
  const tts = createTtsProvider(loadConfig({ HABLA_ELEVENLABS_API_KEY: 'xi-a', HABLA_TTS_OPENAI_BASE_URL: 'http://127.0.0.1:8880/v1' }).tts);
  assert.deepEqual(['espeak', 'elevenlabs', 'openai', 'gemini'].map((p) => tts.speaks(p)), [true, true, true, false]);
});
