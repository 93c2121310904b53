import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockOpenAiSpeech, type MockOpenAiSpeechServer } from '../../../../test/helpers/mock-openai-speech.ts';
import { rms, toneShare } from '../../../../test/helpers/tone.ts';
import { listen, testVoice, ttsFailure, waitFor } from '../../../../test/helpers/tts.ts';
import { stableVoiceId } from '../../espeak-catalog.ts';
import { OpenAiCompatibleTts, openAiSpeechVoiceNames, openAiSpeechVoices } from './tts.ts';

const KEY = 'sk-speech-test-0123456789';
const NOVA = testVoice('openai', 'nova');
const TEXT = 'Hola, ¿en qué puedo ayudarle?';

describe('OpenAiCompatibleTts against a server speaking OpenAI /audio/speech', () => {
  let server: MockOpenAiSpeechServer;
  let tts: OpenAiCompatibleTts;
  before(async () => {
    server = await startMockOpenAiSpeech({ requireKey: KEY });
    tts = new OpenAiCompatibleTts({ baseUrl: server.baseUrl, apiKey: KEY, model: 'tts-1' });
  });
  after(() => server.close());

  test('pcm (24 kHz): streamed, resampled to 8 kHz as it arrives, the tone intact across odd chunk splits', async () => {
    server.reply({ toneHz: 440, durationMs: 1000, chunkBytes: 999, chunkDelayMs: 20 });
    let serverDoneAtFirstChunk: boolean | undefined;
    const heard = await listen(tts.synthesize({ text: TEXT, voice: NOVA, language: 'es' }, new AbortController().signal), (_, i) => {
      if (i === 0) serverDoneAtFirstChunk = server.requests.at(-1)!.finishedAt !== undefined;
    });
    assert.equal(serverDoneAtFirstChunk, false, 'the first chunk must be yielded before the body ended');
    assert.ok(heard.chunks.length > 30, `${heard.chunks.length} chunks`);
    assert.ok(Math.abs(heard.pcm.length - 8000) <= 1, `${heard.pcm.length} samples`);
    assert.ok(toneShare(heard.pcm, 440, 8000) > 0.98, `share ${toneShare(heard.pcm, 440, 8000)}`);
    assert.ok(Math.abs(rms(heard.pcm) - 12_000 / Math.SQRT2) < 300, `rms ${rms(heard.pcm)}`);

    const request = server.requests.at(-1)!;
    assert.equal(request.path, '/v1/audio/speech');
    assert.equal(request.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(request.body, { model: 'tts-1', input: TEXT, voice: 'nova', response_format: 'pcm' });
  });

  test('wav: the rate comes from the streamed header (a 16 kHz server), header split across chunks', async () => {
    const wavServer = await startMockOpenAiSpeech({ wavRate: 16_000 });
    try {
      const wavTts = new OpenAiCompatibleTts({ baseUrl: `${wavServer.baseUrl}/`, model: 'kokoro', responseFormat: 'wav' });
      wavServer.reply({ toneHz: 1200, durationMs: 500, chunkBytes: 7, chunkDelayMs: 0 });
      const heard = await listen(wavTts.synthesize({ text: TEXT, voice: testVoice('openai', 'ef_dora'), language: 'es' }, new AbortController().signal));
      assert.ok(Math.abs(heard.pcm.length - 4000) <= 1, `${heard.pcm.length} samples`);
      assert.ok(toneShare(heard.pcm, 1200, 8000) > 0.98);
      const request = wavServer.requests.at(-1)!;
      assert.equal(request.headers.authorization, undefined, 'no key configured: no Authorization header');
      assert.equal(request.body.response_format, 'wav');
    } finally {
      await wavServer.close();
    }
  });

  test('abort mid-stream throws ABORTED at once and closes the connection', async () => {
    server.reply({ durationMs: 4000, chunkDelayMs: 40 });
    const controller = new AbortController();
    let abortedAt = 0;
    await ttsFailure((async function* () {
      for await (const chunk of tts.synthesize({ text: TEXT, voice: NOVA, language: 'es' }, controller.signal)) {
        yield chunk;
        if (abortedAt === 0) {
          abortedAt = performance.now();
          setImmediate(() => controller.abort());
        }
      }
    })(), 'ABORTED');
    assert.ok(performance.now() - abortedAt < 60);
    const request = server.requests.at(-1)!;
    await waitFor('the server to see the close', () => request.closedEarly, 1000);
    assert.ok(request.closedAt! - abortedAt < 100, `server saw the close ${(request.closedAt! - abortedAt).toFixed(1)} ms later`);
  });

  test('failures are typed; the key the server echoes is scrubbed', async () => {
    const wrong = new OpenAiCompatibleTts({ baseUrl: server.baseUrl, apiKey: 'sk-not-the-right-one', model: 'tts-1' });
    const auth = await ttsFailure(wrong.synthesize({ text: TEXT, voice: NOVA, language: 'es' }, new AbortController().signal), 'AUTH');
    assert.match(auth.message, /Incorrect API key provided: \[redacted\]/);

    server.reply({ status: 503, headers: { 'retry-after-ms': '250' }, errorBody: { error: { message: 'overloaded' } } });
    const busy = await ttsFailure(tts.synthesize({ text: TEXT, voice: NOVA, language: 'es' }, new AbortController().signal), 'SERVER');
    assert.equal(busy.retryAfterMs, 250);
    assert.match(busy.message, /overloaded/);

    server.reply({ hang: 'after_headers' });
    await ttsFailure(tts.synthesize({ text: TEXT, voice: NOVA, language: 'es' }, AbortSignal.timeout(80)), 'TIMEOUT');

    const mp3 = new OpenAiCompatibleTts({ baseUrl: server.baseUrl, apiKey: KEY, model: 'tts-1', responseFormat: 'wav' });
    server.reply({ rawBody: { contentType: 'audio/mpeg', body: 'ID3\u0004\u0000\u0000not a wav' } });
    await ttsFailure(mp3.synthesize({ text: TEXT, voice: NOVA, language: 'es' }, new AbortController().signal), 'PROTOCOL');
  });
});

describe('OpenAI-compatible voices for the catalogue', () => {
  test("OpenAI's documented names per model, or the server's own names when configured", () => {
    const tts1 = openAiSpeechVoiceNames('tts-1');
    assert.deepEqual(tts1, ['alloy', 'ash', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer']);
    assert.deepEqual(openAiSpeechVoiceNames('gpt-4o-mini-tts').slice(tts1.length), ['ballad', 'verse', 'marin', 'cedar']);
    assert.deepEqual(openAiSpeechVoiceNames('kokoro', ['ef_dora', 'em_alex']), ['ef_dora', 'em_alex']);
    const [alloy] = openAiSpeechVoices(['alloy']);
    assert.deepEqual(alloy, {
      id: stableVoiceId('openai', 'alloy'), name: 'Alloy', provider: 'openai', provider_voice_id: 'alloy',
      preview_urls: null, gender: null, language: 'mul',
    });
  });
});
