import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { startMockElevenLabs, type MockElevenLabsServer } from '../../../test/helpers/mock-elevenlabs-server.ts';
import { startMockOpenAiSpeech, type MockOpenAiSpeechServer } from '../../../test/helpers/mock-openai-speech.ts';
import { rms, toneShare } from '../../../test/helpers/tone.ts';
import { listen, testVoice, ttsFailure, waitFor } from '../../../test/helpers/tts.ts';
import { REDACTED_PATHS } from '../../lib/logger.ts';
import type { ResilienceEvent } from '../providers/resilience.ts';
import { createTtsProvider, type TtsSettings } from './create-tts.ts';
import { EspeakTts, espeakVoiceForLanguage } from './espeak-tts.ts';

// Real espeak-ng (the local engine and the fallback) and real HTTP servers speaking the vendors' protocols.

const XI_KEY = 'xi-resilience-key-abcdef123456';
const OPENAI_KEY = 'sk-resilience-openai-654321';
const SPANISH = 'Buenos días, le llamo de la clínica.';
const DAVID = testVoice('elevenlabs', 'Nh2zY9kknu6z4pZy6FhD', 'es');
const NOVA = testVoice('openai', 'nova', 'mul');
const ESPEAK_ES = testVoice('espeak', 'es');

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream) };
}

/** espeak speech, not the mock's 1 kHz tone: voiced, broadband. */
function isSpeech(pcm: Int16Array): boolean {
  return pcm.length > 4000 && rms(pcm) > 500 && toneShare(pcm, 1000, 8000) < 0.2;
}

describe('EspeakTts', () => {
  test('speaks the voice it is given as one 8 kHz chunk; abort kills it', async () => {
    const heard = await listen(new EspeakTts().synthesize({ text: SPANISH, voice: ESPEAK_ES, language: 'es' }, new AbortController().signal));
    assert.equal(heard.chunks.length, 1);
    assert.ok(isSpeech(heard.pcm));
    await ttsFailure(new EspeakTts().synthesize({ text: SPANISH, voice: ESPEAK_ES, language: 'es' }, AbortSignal.abort()), 'ABORTED');
    await ttsFailure(new EspeakTts().synthesize({ text: SPANISH, voice: testVoice('espeak', 'zz-none'), language: 'es' }, new AbortController().signal), 'UNKNOWN_VOICE');
  });

  test('the espeak voice for a call language', () => {
    assert.deepEqual(['es', 'es-ES', 'en', 'en-GB', 'ca', 'mul', '??'].map(espeakVoiceForLanguage), ['es', 'es', 'en-us', 'en-us', 'ca', 'es', 'es']);
  });
});

describe('createTtsProvider / ResilientTts', () => {
  let eleven: MockElevenLabsServer;
  let openai: MockOpenAiSpeechServer;
  let settings: TtsSettings;
  before(async () => {
    eleven = await startMockElevenLabs({ apiKey: XI_KEY });
    openai = await startMockOpenAiSpeech({ requireKey: OPENAI_KEY });
    settings = {
      elevenlabs: { apiKey: XI_KEY, baseUrl: eleven.baseUrl, model: 'eleven_flash_v2_5', outputFormat: 'ulaw_8000' },
      openai: { baseUrl: openai.baseUrl, apiKey: OPENAI_KEY, model: 'tts-1', responseFormat: 'pcm', voices: undefined },
      firstByteTimeoutMs: 300,
    };
  });
  after(async () => {
    await eleven.close();
    await openai.close();
  });

  test('routes each request to the engine of its voice', async () => {
    const tts = createTtsProvider(settings);
    const signal = new AbortController().signal;
    const before = { eleven: eleven.requests.length, openai: openai.requests.length };
    assert.ok(toneShare((await listen(tts.synthesize({ text: SPANISH, voice: DAVID, language: 'es' }, signal))).pcm, 1000, 8000) > 0.98);
    assert.ok(toneShare((await listen(tts.synthesize({ text: SPANISH, voice: NOVA, language: 'es' }, signal))).pcm, 1000, 8000) > 0.98);
    assert.ok(isSpeech((await listen(tts.synthesize({ text: SPANISH, voice: ESPEAK_ES, language: 'es' }, signal))).pcm));
    assert.equal(eleven.requests.length, before.eleven + 1);
    assert.equal(openai.requests.length, before.openai + 1);
    assert.equal(tts.speaks('elevenlabs'), true);
    assert.equal(createTtsProvider({ elevenlabs: undefined, openai: undefined, firstByteTimeoutMs: 300 }).speaks('elevenlabs'), false);
  });

  test('a vendor failing before any audio is retried once, then espeak speaks in the call language; logs carry no key', async () => {
    const { lines, logger } = capture();
    const events: ResilienceEvent['type'][] = [];
    const tts = createTtsProvider(settings, { logger, resilience: { backoff: { initialMs: 10 } }, onEvent: (e) => events.push(e.type) });
    eleven.reply({ status: 500 }, { status: 401, errorBody: { detail: { status: 'invalid_api_key', message: `Invalid API key: ${XI_KEY}` } } });
    const heard = await listen(tts.synthesize({ text: SPANISH, voice: DAVID, language: 'es' }, new AbortController().signal));
    assert.ok(isSpeech(heard.pcm), 'espeak spoke instead');
    const failures = lines.filter((l) => /TTS attempt failed/.test(l));
    assert.equal(failures.length, 2, lines.join(''));
    assert.match(failures[0], /"code":"SERVER"/);
    assert.match(failures[1], /"code":"AUTH"/);
    assert.ok(lines.some((l) => /TTS falling back/.test(l) && /espeak-ng/.test(l)));
    assert.ok(lines.every((l) => !l.includes(XI_KEY) && !l.includes(SPANISH)), 'neither key nor text in the logs');
    assert.deepEqual(events, ['attempt_failed', 'attempt_failed', 'fallback']);
  });

  test('no audio within the first-byte timeout: the request is dropped and espeak speaks', async () => {
    const tts = createTtsProvider(settings);
    eleven.reply({ hang: 'after_headers' });
    const started = performance.now();
    const heard = await listen(tts.synthesize({ text: SPANISH, voice: DAVID, language: 'es' }, new AbortController().signal));
    const took = performance.now() - started;
    assert.ok(isSpeech(heard.pcm));
    assert.ok(took >= 290 && took < 1500, `took ${took.toFixed(0)} ms`);
    const hung = eleven.requests.at(-1)!;
    await waitFor('the stalled request to be closed', () => hung.closedEarly, 1000);
  });

  test('a failure after audio was yielded is not retried nor replaced: the caller already heard part of it', async () => {
    const tts = createTtsProvider(settings);
    eleven.reply({ durationMs: 2000, dropAfterChunks: 2, chunkDelayMs: 5 });
    const before = eleven.requests.length;
    const error = await ttsFailure(tts.synthesize({ text: SPANISH, voice: DAVID, language: 'es' }, new AbortController().signal), 'NETWORK');
    assert.equal(error.retryable, true);
    assert.equal(eleven.requests.length, before + 1);
  });

  test('a voice of an engine that is not configured: espeak speaks, or NOT_CONFIGURED without the fallback', async () => {
    const local = { elevenlabs: undefined, openai: undefined, firstByteTimeoutMs: 300 };
    assert.ok(isSpeech((await listen(createTtsProvider(local).synthesize({ text: SPANISH, voice: NOVA, language: 'es' }, new AbortController().signal))).pcm));
    await ttsFailure(createTtsProvider(local, { espeakFallback: false }).synthesize({ text: SPANISH, voice: NOVA, language: 'es' }, new AbortController().signal), 'NOT_CONFIGURED');
  });

  test('barge-in: aborting through the resilient layer stops at once and closes the vendor connection', async () => {
    const tts = createTtsProvider(settings);
    openai.reply({ durationMs: 4000, chunkDelayMs: 40 });
    const controller = new AbortController();
    let abortedAt = 0;
    await ttsFailure((async function* () {
      for await (const chunk of tts.synthesize({ text: SPANISH, voice: NOVA, language: 'es' }, controller.signal)) {
        yield chunk;
        if (abortedAt === 0) {
          abortedAt = performance.now();
          setImmediate(() => controller.abort());
        }
      }
    })(), 'ABORTED');
    assert.ok(performance.now() - abortedAt < 60);
    const request = openai.requests.at(-1)!;
    await waitFor('the server to see the close', () => request.closedEarly, 1000);
    assert.ok(request.closedAt! - abortedAt < 100);
  });

  test('the configuration object logged through the app logger shows no key', () => {
    const { lines, logger } = capture();
    logger.info({ tts: settings }, 'tts settings');
    assert.ok(!lines[0].includes(XI_KEY) && !lines[0].includes(OPENAI_KEY), lines[0]);
    assert.match(lines[0], /\[redacted\]/);
  });
});
