import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { startMockElevenLabs, type MockElevenLabsServer } from '../../../test/helpers/mock-elevenlabs-server.ts';
import { waitFor } from '../../../test/helpers/tts.ts';
import { REDACTED_PATHS } from '../../lib/logger.ts';
import { createVoiceCatalog } from '../espeak-catalog.ts';
import type { ElevenLabsSettings, OpenAiTtsSettings } from './create-tts.ts';
import { loadVoiceCatalog } from './voices.ts';

// These read the real espeak-ng voice list (scripts/system-deps.sh installs it).

const KEY = 'xi-catalogue-key-987654321';

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream) };
}

describe('loadVoiceCatalog', () => {
  let server: MockElevenLabsServer;
  let elevenlabs: ElevenLabsSettings;
  const openai: OpenAiTtsSettings = { baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-x', model: 'tts-1', responseFormat: 'pcm', voices: undefined };
  const espeak = createVoiceCatalog();
  before(async () => {
    server = await startMockElevenLabs({ apiKey: KEY });
    elevenlabs = { apiKey: KEY, baseUrl: server.baseUrl, model: 'eleven_flash_v2_5', outputFormat: 'ulaw_8000' };
  });
  after(() => server.close());

  test('nothing configured: exactly the espeak-ng voices', async () => {
    const catalog = await loadVoiceCatalog({ elevenlabs: undefined, openai: undefined });
    assert.ok(catalog.list().length > 20, 'espeak-ng must be installed');
    assert.deepEqual(catalog.list(), espeak.list());
    assert.ok(catalog.list().every((v) => v.provider === 'espeak'));
    catalog.close();
  });

  test('ElevenLabs and an OpenAI-compatible server configured: their voices join espeak, each findable by id', async () => {
    const { lines, logger } = capturingLogger();
    const catalog = await loadVoiceCatalog({ elevenlabs, openai }, { logger, espeakVoices: espeak });
    const byProvider = (p: string) => catalog.list().filter((v) => v.provider === p);
    assert.equal(byProvider('espeak').length, espeak.list().length);
    assert.deepEqual(byProvider('elevenlabs').map((v) => v.provider_voice_id), ['Nh2zY9kknu6z4pZy6FhD', '21m00Tcm4TlvDq8ikWAM']);
    assert.deepEqual(byProvider('openai').map((v) => v.provider_voice_id), ['alloy', 'ash', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer']);
    assert.equal(new Set(catalog.list().map((v) => v.id)).size, catalog.list().length);
    for (const voice of catalog.list()) assert.equal(catalog.get(voice.id), voice);
    assert.equal(server.requests.filter((r) => r.path === '/v1/voices').length >= 1, true);
    assert.ok(lines.some((l) => /ElevenLabs voices listed/.test(l)));
    assert.ok(lines.every((l) => !l.includes(KEY)));
    catalog.close();

    const own = await loadVoiceCatalog({ elevenlabs: undefined, openai: { ...openai, model: 'kokoro', voices: ['ef_dora'] } }, { espeakVoices: espeak });
    assert.deepEqual(own.list().filter((v) => v.provider === 'openai').map((v) => v.provider_voice_id), ['ef_dora']);
  });

  test('a failed listing is logged (without the key), not fatal, and retried until the voices appear', async () => {
    server.voicesReply = { status: 503 };
    const { lines, logger } = capturingLogger();
    const catalog = await loadVoiceCatalog({ elevenlabs, openai: undefined }, { logger, espeakVoices: espeak, retryDelayMs: 40 });
    try {
      assert.deepEqual(catalog.list(), espeak.list(), 'starts with what it has');
      assert.ok(lines.some((l) => /could not list ElevenLabs voices/.test(l) && /"code":"SERVER"/.test(l)), lines.join(''));
      server.voicesReply = {};
      await waitFor('the ElevenLabs voices after a retry', () => catalog.list().some((v) => v.provider === 'elevenlabs'), 2000);
      assert.equal(catalog.list().length, espeak.list().length + 2);
      assert.ok(lines.every((l) => !l.includes(KEY)));
    } finally {
      catalog.close();
      server.voicesReply = {};
    }
  });

  test('a listing that hangs does not hold up the start beyond its timeout; close() stops the retries', async () => {
    server.voicesReply = { hang: true };
    const started = performance.now();
    const catalog = await loadVoiceCatalog({ elevenlabs, openai: undefined }, { espeakVoices: espeak, listTimeoutMs: 100, retryDelayMs: 30 });
    assert.ok(performance.now() - started < 1000);
    catalog.close();
    const listings = server.requests.filter((r) => r.path === '/v1/voices').length;
    server.voicesReply = {};
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(server.requests.filter((r) => r.path === '/v1/voices').length, listings, 'no listing after close()');
    assert.ok(catalog.list().every((v) => v.provider === 'espeak'));
  });
});
