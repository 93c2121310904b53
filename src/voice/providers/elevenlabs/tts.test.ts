import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockElevenLabs, type MockElevenLabsServer } from '../../../../test/helpers/mock-elevenlabs-server.ts';
import { rms, toneShare } from '../../../../test/helpers/tone.ts';
import { listen, testVoice, ttsFailure, waitFor } from '../../../../test/helpers/tts.ts';
import { ElevenLabsTts, type ElevenLabsOutputFormat } from './tts.ts';
import { listElevenLabsVoices } from './voices.ts';

const KEY = 'xi-test-key-0123456789abcdef';
const RACHEL = testVoice('elevenlabs', '21m00Tcm4TlvDq8ikWAM', 'en');
const DAVID = testVoice('elevenlabs', 'Nh2zY9kknu6z4pZy6FhD', 'es');
const TEXT = 'Buenos días, le llamo para confirmar su cita.';

describe('ElevenLabsTts against a server speaking the ElevenLabs protocol', () => {
  let server: MockElevenLabsServer;
  let tts: ElevenLabsTts;
  before(async () => {
    server = await startMockElevenLabs({ apiKey: KEY });
    tts = new ElevenLabsTts({ apiKey: KEY, baseUrl: server.baseUrl });
  });
  after(() => server.close());

  test('streams: the first audio arrives while the server is still sending', async () => {
    server.reply({ durationMs: 1000, chunkDelayMs: 40 });
    let serverDoneAtFirstChunk: boolean | undefined;
    const heard = await listen(tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal), (_, i) => {
      if (i === 0) serverDoneAtFirstChunk = server.requests.at(-1)!.finishedAt !== undefined;
    });
    const request = server.requests.at(-1)!;
    assert.equal(serverDoneAtFirstChunk, false, 'the first chunk must be yielded before the body ended');
    assert.ok(heard.chunks.length >= 6, `${heard.chunks.length} chunks`);
    assert.ok(request.finishedAt! - heard.arrivals[0] > 150, 'the first chunk came ~300 ms before the last');
  });

  test('ulaw_8000 (default): the 8 kHz output is the tone the server sent, at its level and length', async () => {
    server.reply({ toneHz: 1000, durationMs: 1000, chunkBytes: 777 });
    const { pcm } = await listen(tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal));
    assert.equal(pcm.length, 8000);
    assert.ok(toneShare(pcm, 1000, 8000) > 0.98, `share ${toneShare(pcm, 1000, 8000)}`);
    assert.ok(toneShare(pcm, 1500, 8000) < 0.01);
    assert.ok(Math.abs(rms(pcm) - 12_000 / Math.SQRT2) < 200, `rms ${rms(pcm)}`);
  });

  for (const format of ['pcm_16000', 'pcm_24000', 'pcm_22050'] as ElevenLabsOutputFormat[]) {
    test(`${format}: resampled to 8 kHz incrementally, samples split across odd chunk boundaries`, async () => {
      const pcmTts = new ElevenLabsTts({ apiKey: KEY, baseUrl: server.baseUrl, outputFormat: format });
      server.reply({ toneHz: 700, durationMs: 800, chunkBytes: 333, chunkDelayMs: 2 });
      const heard = await listen(pcmTts.synthesize({ text: TEXT, voice: RACHEL, language: 'en' }, new AbortController().signal));
      assert.equal(server.requests.at(-1)!.query.get('output_format'), format);
      assert.ok(Math.abs(heard.pcm.length - 6400) <= 1, `${heard.pcm.length} samples`);
      assert.ok(heard.chunks.length > 10);
      assert.ok(toneShare(heard.pcm, 700, 8000) > 0.98, `share ${toneShare(heard.pcm, 700, 8000)}`);
      // A byte slipped at a chunk boundary would turn the rest into loud noise.
      assert.ok(Math.abs(rms(heard.pcm) - 12_000 / Math.SQRT2) < 300, `rms ${rms(heard.pcm)}`);
    });
  }

  test('sends the wire request ElevenLabs documents; language_code only to models that take it', async () => {
    await listen(tts.synthesize({ text: TEXT, voice: DAVID, language: 'es-ES' }, new AbortController().signal));
    const request = server.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1/text-to-speech/Nh2zY9kknu6z4pZy6FhD/stream');
    assert.equal(request.query.get('output_format'), 'ulaw_8000');
    assert.equal(request.headers['xi-api-key'], KEY);
    assert.match(String(request.headers['content-type']), /application\/json/);
    assert.deepEqual(request.body, { text: TEXT, model_id: 'eleven_flash_v2_5', language_code: 'es' });

    const v2 = new ElevenLabsTts({ apiKey: KEY, baseUrl: `${server.baseUrl}/`, model: 'eleven_multilingual_v2', voiceSettings: { stability: 0.5 } });
    await listen(v2.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal));
    assert.deepEqual(server.requests.at(-1)!.body, { text: TEXT, model_id: 'eleven_multilingual_v2', voice_settings: { stability: 0.5 } });
  });

  test('abort mid-stream: the loop throws ABORTED at once and the server sees the connection close', async () => {
    server.reply({ durationMs: 3000, chunkDelayMs: 50 });
    const controller = new AbortController();
    let abortedAt = 0;
    const error = await ttsFailure((async function* () {
      for await (const chunk of tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, controller.signal)) {
        yield chunk;
        if (abortedAt === 0) {
          abortedAt = performance.now();
          setImmediate(() => controller.abort());
        }
      }
    })(), 'ABORTED');
    assert.ok(performance.now() - abortedAt < 60, `threw ${(performance.now() - abortedAt).toFixed(1)} ms after the abort`);
    assert.ok(error instanceof Error);
    const request = server.requests.at(-1)!;
    await waitFor('the server to see the close', () => request.closedEarly, 1000);
    assert.ok(request.closedAt! - abortedAt < 100, `server saw the close ${(request.closedAt! - abortedAt).toFixed(1)} ms later`);
    assert.ok(request.bytesSent < 24_000 / 2, 'the server stopped sending long before the end');
  });

  test('leaving the loop early (break) closes the connection too', async () => {
    server.reply({ durationMs: 3000, chunkDelayMs: 50 });
    for await (const _ of tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal)) break;
    await waitFor('the server to see the close', () => server.requests.at(-1)!.closedEarly, 1000);
  });

  test('abort before the headers, and an already aborted signal that sends nothing', async () => {
    server.reply({ hang: 'before_headers' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    await ttsFailure(tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, controller.signal), 'ABORTED');
    assert.ok(performance.now() - started < 300);
    await waitFor('the server to see the close', () => server.requests.at(-1)!.closedEarly, 1000);

    const before = server.requests.length;
    await ttsFailure(tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, AbortSignal.abort()), 'ABORTED');
    await ttsFailure(tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, AbortSignal.abort(new DOMException('deadline', 'TimeoutError'))), 'TIMEOUT');
    assert.equal(server.requests.length, before);
    assert.equal((await listen(tts.synthesize({ text: '  ', voice: DAVID, language: 'es' }, new AbortController().signal))).chunks.length, 0);
    assert.equal(server.requests.length, before, 'nothing to say: no request');
  });

  test('failures are typed TtsErrors; the key a server echoes never reaches the message', async () => {
    const wrongKey = new ElevenLabsTts({ apiKey: 'sk-wrong-secret-key', baseUrl: server.baseUrl });
    const auth = await ttsFailure(wrongKey.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal), 'AUTH');
    assert.equal(auth.status, 401);
    assert.doesNotMatch(auth.message, /sk-wrong-secret-key/);
    assert.match(auth.message, /invalid_api_key/);
    assert.equal(auth.retryable, false);

    const unknown = await ttsFailure(tts.synthesize({ text: TEXT, voice: testVoice('elevenlabs', 'nope'), language: 'es' }, new AbortController().signal), 'UNKNOWN_VOICE');
    assert.match(unknown.message, /voice_not_found/);

    server.reply({ status: 429, headers: { 'retry-after': '1' }, errorBody: { detail: { status: 'too_many_concurrent_requests', message: 'Too many' } } });
    const limited = await ttsFailure(tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal), 'RATE_LIMITED');
    assert.equal(limited.retryAfterMs, 1000);
    assert.equal(limited.retryable, true);

    server.reply({ status: 500 });
    assert.equal((await ttsFailure(tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal), 'SERVER')).retryable, true);

    server.reply({ status: 400, errorBody: { detail: { status: 'quota_exceeded', message: 'This request exceeds your quota.' } } });
    await ttsFailure(tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal), 'BAD_REQUEST');

    server.reply({ rawBody: { contentType: 'application/json', body: '{"detail":"maintenance"}' } });
    const protocol = await ttsFailure(tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal), 'PROTOCOL');
    assert.match(protocol.message, /maintenance/);
  });

  test('a connection that breaks mid-stream is NETWORK after the audio that did arrive', async () => {
    server.reply({ durationMs: 1000, dropAfterChunks: 3, chunkDelayMs: 5 });
    const chunks: Int16Array[] = [];
    const error = await ttsFailure((async function* () {
      for await (const chunk of tts.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal)) {
        chunks.push(chunk);
        yield chunk;
      }
    })(), 'NETWORK');
    assert.ok(chunks.length >= 1 && chunks.length <= 3, `${chunks.length} chunks before the break`);
    assert.equal(error.retryable, true);

    const closed = new ElevenLabsTts({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9' });
    const refused = await ttsFailure(closed.synthesize({ text: TEXT, voice: DAVID, language: 'es' }, new AbortController().signal), 'NETWORK');
    assert.doesNotMatch(refused.message, new RegExp(KEY));
  });

  test('the key lives in a private field: inspecting or serialising the provider does not show it', async () => {
    const { inspect } = await import('node:util');
    assert.doesNotMatch(inspect(tts, { depth: 5, showHidden: true }), new RegExp(KEY));
    assert.doesNotMatch(JSON.stringify(tts), new RegExp(KEY));
    assert.equal(tts.name, 'elevenlabs:eleven_flash_v2_5');
  });
});

describe('listElevenLabsVoices', () => {
  let server: MockElevenLabsServer;
  before(async () => {
    server = await startMockElevenLabs({ apiKey: KEY });
  });
  after(() => server.close());

  test('the account voices as catalogue entries with stable ids, language, gender and previews', async () => {
    const voices = await listElevenLabsVoices({ apiKey: KEY, baseUrl: server.baseUrl }, AbortSignal.timeout(2000));
    assert.equal(server.requests.at(-1)!.headers['xi-api-key'], KEY);
    assert.deepEqual(voices.map((v) => v.name), ['David Martin', 'Rachel']);
    const [david, rachel] = voices;
    assert.deepEqual(david, {
      id: DAVID.id, name: 'David Martin', provider: 'elevenlabs', provider_voice_id: 'Nh2zY9kknu6z4pZy6FhD',
      preview_urls: { 'es-ES': 'https://storage.example/david-es.mp3', es: 'https://storage.example/david.mp3' },
      gender: 'male', language: 'es',
    });
    assert.equal(rachel.id, RACHEL.id);
    assert.equal(rachel.gender, 'female');
    assert.equal(rachel.language, 'mul', 'no stated language: the multilingual models speak any');
    assert.match(rachel.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('listing failures are typed', async () => {
    await assert.rejects(listElevenLabsVoices({ apiKey: 'bad-key-123', baseUrl: server.baseUrl }, AbortSignal.timeout(2000)), (error: any) => {
      assert.equal(error.code, 'AUTH');
      assert.doesNotMatch(error.message, /bad-key-123/);
      return true;
    });
    server.voicesReply = { hang: true };
    await assert.rejects(listElevenLabsVoices({ apiKey: KEY, baseUrl: server.baseUrl }, AbortSignal.timeout(100)), { code: 'TIMEOUT' });
    server.voicesReply = {};
  });
});
