import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockOpenAiTranscription, type MockTranscriptionServer } from '../../../../test/helpers/mock-openai-transcription.ts';
import { frames, pushFrames, readResults, silence, speech } from '../../../../test/helpers/speech-frames.ts';
import { SttError } from '../../stt/errors.ts';
import type { SttOpenOptions } from '../../stt/types.ts';
import { OpenAiCompatibleStt, whisperLanguage, type OpenAiCompatibleSttOptions } from './stt.ts';

const OPEN: SttOpenOptions = { language: 'es', sampleRate: 8000 };
const KEY = 'sk-test-transcription-0123456789';
const PEDIDO = 'Quería saber el estado de mi pedido.';
const GRACIAS = 'Muchas gracias.';

describe('OpenAiCompatibleStt against a local /v1/audio/transcriptions', () => {
  let server: MockTranscriptionServer;
  let pedido: Int16Array;
  let gracias: Int16Array;
  before(async () => {
    server = await startMockOpenAiTranscription({ requireKey: KEY, expectSampleRate: 16000 });
    [pedido, gracias] = await Promise.all([speech(PEDIDO), speech(GRACIAS)]);
  });
  after(() => server.close());

  const provider = (options: Partial<OpenAiCompatibleSttOptions> = {}) =>
    new OpenAiCompatibleStt({ baseUrl: server.baseUrl, apiKey: KEY, model: 'whisper-1', ...options });

  test('each flushed utterance is uploaded as one 16 kHz WAV and its text comes back as the final, in order', async () => {
    server.reply({ text: PEDIDO, delayMs: 120 }, { text: GRACIAS });
    const stream = provider().open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(silence(100), pedido, silence(200)), { everyMs: 0 });
    stream.flush();
    await pushFrames(stream, frames(gracias), { everyMs: 0 });
    stream.flush(); // its (faster) answer must still come second
    const first = await results.untilFinal();
    const second = await results.untilFinal();
    await stream.close();
    assert.deepEqual(await results.rest(), []);

    assert.deepEqual([first.final.text, second.final.text], [PEDIDO, GRACIAS]);
    assert.deepEqual([first.interims, second.interims], [[], []], 'a batch API has no interims');
    assert.ok(first.final.latencyMs! >= 115, `latency ${first.final.latencyMs}`);
    assert.equal(first.final.provider, `openai-compatible-stt:whisper-1@${new URL(server.baseUrl).host}`);
    const firstMs = 100 + (pedido.length / 8) + 200;
    assert.deepEqual([first.final.startMs, Math.round(first.final.endMs!)], [0, Math.round(firstMs)], 'the utterance span in stream time');
    assert.equal(Math.round(second.final.startMs!), Math.round(firstMs));

    const [a, b] = server.requests.slice(-2);
    assert.equal(a.headers.authorization, `Bearer ${KEY}`);
    assert.match(String(a.headers['content-type']), /^multipart\/form-data; boundary=/);
    assert.deepEqual(a.fields, { model: 'whisper-1', language: 'es', response_format: 'json' });
    assert.equal(a.fileName, 'utterance.wav');
    assert.equal(a.fileType, 'audio/wav');
    assert.equal(a.wav!.sampleRate, 16000);
    assert.equal(a.wav!.channels, 1);
    assert.ok(Math.abs(a.wav!.durationMs - firstMs) < 2, `uploaded ${a.wav!.durationMs} ms of ${firstMs}`);
    assert.ok(a.wav!.speechMs > 1000, 'the speech survived resampling');
    assert.ok(Math.abs(b.wav!.durationMs - gracias.length / 8) < 2, 'the second upload holds only the second utterance');
  });

  test('8 kHz uploads when asked, language mapped to ISO-639-1, multi left to detection, prompt passed', async () => {
    const narrow = await startMockOpenAiTranscription({ expectSampleRate: 8000, texts: [GRACIAS, GRACIAS] });
    try {
      const p = new OpenAiCompatibleStt({ baseUrl: narrow.baseUrl, model: 'Systran/faster-whisper-small', uploadSampleRate: 8000, prompt: 'Habla' });
      for (const language of ['es-ES', 'multi']) {
        const stream = p.open({ ...OPEN, language }, new AbortController().signal);
        await pushFrames(stream, frames(gracias), { everyMs: 0 });
        stream.flush();
        assert.equal((await readResults(stream.results()).untilFinal()).final.text, GRACIAS);
        await stream.close();
      }
      assert.deepEqual(narrow.requests.map((r) => [r.wav!.sampleRate, r.fields.language, r.fields.prompt, r.headers.authorization]), [
        [8000, 'es', 'Habla', undefined],
        [8000, undefined, 'Habla', undefined],
      ]);
      assert.deepEqual([whisperLanguage('EN_us'), whisperLanguage('multi'), whisperLanguage('es')], ['en', undefined, 'es']);
    } finally {
      await narrow.close();
    }
  });

  test('an utterance shorter than 100 ms is final at once, with no request', async () => {
    const before = server.requests.length;
    const stream = provider().open(OPEN, new AbortController().signal);
    stream.push(silence(60));
    stream.flush();
    stream.flush();
    const results = readResults(stream.results());
    assert.deepEqual([(await results.untilFinal()).final.text, (await results.untilFinal()).final.text], ['', '']);
    await stream.close();
    assert.equal(server.requests.length, before);
  });

  test('aborting cancels the upload in flight at once and results() throws aborted', async () => {
    server.reply({ hang: true });
    const earlier = server.requests.length;
    const controller = new AbortController();
    const stream = provider().open(OPEN, controller.signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(pedido), { everyMs: 0 });
    stream.flush();
    while (server.requests[earlier]?.wav === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    const request = server.requests[earlier];
    const abortedAt = performance.now();
    controller.abort();
    await assert.rejects(results.next(), (e: unknown) => e instanceof SttError && e.code === 'aborted');
    await request.ended;
    assert.ok(request.closedEarly);
    assert.ok(request.closedAt! - abortedAt < 250, `the server saw the request end ${request.closedAt! - abortedAt} ms after abort`);
    await stream.close();
  });

  test('a wrong key is a typed auth error that does not repeat the key', async () => {
    const wrong = 'sk-wrong-key-abcdefghijklmnop';
    const stream = provider({ apiKey: wrong }).open(OPEN, new AbortController().signal);
    await pushFrames(stream, frames(gracias), { everyMs: 0 });
    stream.flush();
    const error = await readResults(stream.results()).next().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof SttError);
    assert.deepEqual([error.code, error.status, error.retryable], ['auth', 401, false]);
    assert.match(error.message, /Incorrect API key provided: \[redacted\]/);
    assert.ok(!error.message.includes(wrong));
  });

  test('HTTP failures map to codes (429 + Retry-After, 500, 400), unreachable servers to network', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '1' } }, { status: 500 }, { status: 400, errorBody: { error: { message: 'model not found' } } });
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      const stream = provider().open(OPEN, new AbortController().signal);
      await pushFrames(stream, frames(gracias), { everyMs: 0 });
      stream.flush();
      outcomes.push(await readResults(stream.results()).next().then(() => undefined, (e: SttError) => [e.code, e.status, e.retryAfterMs, e.retryable]));
    }
    assert.deepEqual(outcomes, [['rate_limited', 429, 1000, true], ['server', 500, undefined, true], ['bad_request', 400, undefined, false]]);
    const offline = new OpenAiCompatibleStt({ baseUrl: 'http://127.0.0.1:1/v1', model: 'whisper-1' }).open(OPEN, new AbortController().signal);
    await pushFrames(offline, frames(gracias), { everyMs: 0 });
    offline.flush();
    await assert.rejects(readResults(offline.results()).next(), (e: unknown) => e instanceof SttError && e.code === 'network' && e.retryable);
  });

  test('the key stays out of the provider name and its JSON form', () => {
    const p = provider();
    assert.ok(!p.name.includes(KEY) && !JSON.stringify(p).includes(KEY));
    assert.throws(() => new OpenAiCompatibleStt({ baseUrl: 'ws://x/v1', model: 'm' }), /http\(s\)/);
  });
});
